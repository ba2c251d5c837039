// Cuts a batch into requests a backend accepts: at most `maxItems` records and `maxBytes` encoded
// (uncompressed) bytes each. The size estimate picks the cut points; the real encoding decides,
// and a request that still comes out too large is halved until it fits.

export interface BatchLimits {
  /** Records per request. */
  readonly maxItems: number;
  /** Encoded, uncompressed bytes per request. */
  readonly maxBytes: number;
  /** Encoded bytes of a single record (X-Ray rejects spans over 200 KB); defaults to maxBytes. */
  readonly maxItemBytes?: number;
}

export interface EncodedRequest<T> {
  items: T[];
  body: Buffer;
}

export interface SplitResult<T> {
  requests: EncodedRequest<T>[];
  /** Records that alone exceed the limits: they cannot be sent and are dropped. */
  oversized: T[];
}

// Cut at 80% of the estimated budget so most requests encode under the limit on the first try.
const estimateHeadroom = 0.8;

/** One step of {@link requestsOf}: a request ready to send, or a record too large to send at all. */
export type SplitStep<T> =
  | { readonly kind: 'request'; readonly items: T[]; readonly body: Buffer; readonly restFrom: number }
  | { readonly kind: 'oversized'; readonly item: T; readonly restFrom: number };

/**
 * Cuts `items` into requests lazily, encoding each only when it is asked for: the caller sends (or
 * writes) one before the next is encoded, and can stop at any point. `restFrom` is the index of
 * the first input item after the step, so `items.slice(restFrom)` is what is still to come.
 * @example
 * for (const step of requestsOf(items, { maxItems: 10_000, maxBytes: 5_000_000 }, encode, estimateWireBytes)) send(step);
 */
export function* requestsOf<T>(
  items: readonly T[],
  limits: BatchLimits,
  encode: (chunk: T[]) => Buffer,
  estimate: (item: T) => number,
): Generator<SplitStep<T>, void, undefined> {
  const maxItemBytes = Math.min(limits.maxItemBytes ?? limits.maxBytes, limits.maxBytes);
  const budget = limits.maxBytes * estimateHeadroom;

  function* emit(chunk: T[], restFrom: number): Generator<SplitStep<T>, void, undefined> {
    if (chunk.length === 0) return;
    const body = encode(chunk);
    const limit = chunk.length === 1 ? maxItemBytes : limits.maxBytes;
    if (body.length <= limit) {
      yield { kind: 'request', items: chunk, body, restFrom };
    } else if (chunk.length === 1) {
      yield { kind: 'oversized', item: chunk[0]!, restFrom };
    } else {
      const half = Math.ceil(chunk.length / 2);
      yield* emit(chunk.slice(0, half), restFrom - (chunk.length - half));
      yield* emit(chunk.slice(half), restFrom);
    }
  }

  let chunk: T[] = [];
  let chunkBytes = 0;
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    const bytes = estimate(item);
    if (bytes > maxItemBytes * 0.5) {
      // Possibly oversized: judge it alone, by its real encoding (after what came before it).
      yield* emit(chunk, index);
      chunk = [];
      chunkBytes = 0;
      yield* emit([item], index + 1);
      continue;
    }
    if (chunk.length > 0 && (chunk.length >= limits.maxItems || chunkBytes + bytes > budget)) {
      yield* emit(chunk, index);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(item);
    chunkBytes += bytes;
  }
  yield* emit(chunk, items.length);
}

/**
 * Every request at once (for callers that need them all; exporters use {@link requestsOf}).
 * @example
 * const { requests, oversized } = splitIntoRequests(items, { maxItems: 10_000, maxBytes: 5_000_000 },
 *   (chunk) => encodeTraceRequest(groupSpans(chunk), 'protobuf'), estimateWireBytes);
 */
export function splitIntoRequests<T>(items: readonly T[], limits: BatchLimits, encode: (chunk: T[]) => Buffer, estimate: (item: T) => number): SplitResult<T> {
  const result: SplitResult<T> = { requests: [], oversized: [] };
  for (const step of requestsOf(items, limits, encode, estimate)) {
    if (step.kind === 'request') result.requests.push({ items: step.items, body: step.body });
    else result.oversized.push(step.item);
  }
  return result;
}
