/** The parts of an `X-Amzn-Trace-Id` / `Lambda-Runtime-Trace-Id` header the plugin uses. */
export interface XRayTraceHeader {
  /** W3C form of `Root` (32 hex). */
  readonly traceId: string;
  /** `Parent` (16 hex), absent in the Root-only PassThrough header. */
  readonly parentSpanId?: string;
  /** `Sampled=1|0`; absent when the header carries no decision. */
  readonly sampled?: boolean;
}

const ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Parses `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0|1;Lineage=…` (any order, Lineage ignored).
 * Unlike the OTel AWSXRayPropagator it accepts a Root-only header, which Lambda sends in PassThrough mode.
 */
export function parseXRayHeader(value: string | undefined): XRayTraceHeader | undefined {
  if (!value) return undefined;
  let traceId: string | undefined;
  let parentSpanId: string | undefined;
  let sampled: boolean | undefined;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const v = part
      .slice(eq + 1)
      .trim()
      .toLowerCase();
    if (key === 'Root') {
      const match = ROOT.exec(v);
      if (match) traceId = `${match[1]}${match[2]}`;
    } else if (key === 'Parent') {
      if (SPAN_ID.test(v) && v !== ZERO_SPAN) parentSpanId = v;
    } else if (key === 'Sampled') {
      if (v === '1') sampled = true;
      else if (v === '0') sampled = false;
    }
  }
  if (traceId === undefined || traceId === ZERO_TRACE) return undefined;
  return { traceId, ...(parentSpanId ? { parentSpanId } : {}), ...(sampled !== undefined ? { sampled } : {}) };
}
