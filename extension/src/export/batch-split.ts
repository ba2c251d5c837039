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

/**
 * @example
 * const { requests, oversized } = splitIntoRequests(items, { maxItems: 10_000, maxBytes: 5_000_000 },
 *   (chunk) => encodeTraceRequest(groupSpans(chunk), 'protobuf'), estimateBytes);
 */
export function splitIntoRequests<T>(items: readonly T[], limits: BatchLimits, encode: (chunk: T[]) => Buffer, estimate: (item: T) => number): SplitResult<T> {
  const result: SplitResult<T> = { requests: [], oversized: [] };
  const maxItemBytes = Math.min(limits.maxItemBytes ?? limits.maxBytes, limits.maxBytes);
  const budget = limits.maxBytes * estimateHeadroom;

  const emit = (chunk: T[]): void => {
    if (chunk.length === 0) return;
    const body = encode(chunk);
    const limit = chunk.length === 1 ? maxItemBytes : limits.maxBytes;
    if (body.length <= limit) {
      result.requests.push({ items: chunk, body });
    } else if (chunk.length === 1) {
      result.oversized.push(chunk[0]!);
    } else {
      const half = Math.ceil(chunk.length / 2);
      emit(chunk.slice(0, half));
      emit(chunk.slice(half));
    }
  };

  let chunk: T[] = [];
  let chunkBytes = 0;
  for (const item of items) {
    const bytes = estimate(item);
    if (bytes > maxItemBytes * 0.5) {
      // Possibly oversized: judge it alone, by its real encoding.
      emit([item]);
      continue;
    }
    if (chunk.length > 0 && (chunk.length >= limits.maxItems || chunkBytes + bytes > budget)) {
      emit(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(item);
    chunkBytes += bytes;
  }
  emit(chunk);
  return result;
}
