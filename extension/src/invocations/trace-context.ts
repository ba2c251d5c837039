/** The X-Ray trace header Lambda hands over, in W3C terms, and random ids for spans the extension creates. */

export interface XRayContext {
  /** 32 hex characters: the Root without `1-` and the inner dash. */
  readonly traceId: string;
  /** 16 hex characters (`Parent`), undefined in a Root-only (PassThrough) header. */
  readonly parentSpanId?: string;
  readonly sampled?: boolean;
}

/**
 * Parses `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1` (any order,
 * Lineage ignored); undefined when there is no valid Root.
 */
export function parseXRayHeader(header: string | undefined): XRayContext | undefined {
  if (!header) return undefined;
  let traceId: string | undefined;
  let parentSpanId: string | undefined;
  let sampled: boolean | undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const key = part.slice(0, at).trim().toLowerCase();
    const value = part.slice(at + 1).trim();
    if (key === 'root') {
      const match = /^1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})$/.exec(value);
      if (match) traceId = (match[1]! + match[2]!).toLowerCase();
    } else if (key === 'parent' && /^[0-9a-fA-F]{16}$/.test(value)) {
      parentSpanId = value.toLowerCase();
    } else if (key === 'sampled') {
      sampled = value === '1';
    }
  }
  if (!traceId || /^0+$/.test(traceId)) return undefined;
  return { traceId, parentSpanId, sampled };
}

// node:crypto is loaded on first use: it takes a few ms that start-up does not need to spend.
const randomHex = (bytes: number): string => process.getBuiltinModule('node:crypto').randomBytes(bytes).toString('hex');

export function randomTraceId(): string {
  return randomHex(16);
}

export function randomSpanId(): string {
  return randomHex(8);
}

/** Epoch milliseconds (fractions allowed) as OTLP's decimal nanosecond string. */
export function msToUnixNano(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms % 1) * 1_000_000))).toString();
}
