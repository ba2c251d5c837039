/**
 * The one place telemetry waits between receipt and export: spans and log records in arrival
 * order, bounded by an item count and an estimated byte size. Past either bound the oldest entries
 * are dropped and counted; the buffer never grows without limit.
 */
import type { LogItem, SpanItem } from '../otlp/types.ts';

export type BufferedEntry =
  | { readonly kind: 'span'; readonly item: SpanItem; readonly bytes: number; readonly atMs: number }
  | { readonly kind: 'log'; readonly item: LogItem; readonly bytes: number; readonly atMs: number };

export interface DropCounts {
  spans: number;
  logs: number;
}

export interface BufferLimits {
  readonly maxItems: number;
  readonly maxBytes: number;
}

export class TelemetryBuffer {
  readonly #limits: BufferLimits;
  #entries: BufferedEntry[] = [];
  #head = 0;
  #bytes = 0;
  readonly #droppedTotal: DropCounts = { spans: 0, logs: 0 };
  #droppedUnreported: DropCounts = { spans: 0, logs: 0 };

  constructor(limits: BufferLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Fill level 0..1: the larger of the item and byte ratios. */
  get fill(): number {
    return Math.max(this.size / this.#limits.maxItems, this.#bytes / this.#limits.maxBytes);
  }

  get oldestAtMs(): number | undefined {
    return this.#entries[this.#head]?.atMs;
  }

  /** Everything dropped since start. */
  get droppedTotal(): Readonly<DropCounts> {
    return { ...this.#droppedTotal };
  }

  /** Adds one entry at the end, then drops the oldest entries until both bounds hold. */
  push(entry: BufferedEntry): void {
    this.#entries.push(entry);
    this.#bytes += entry.bytes;
    this.#trim();
  }

  /** Puts entries that could not be exported back at the front, in their original order. */
  requeue(entries: readonly BufferedEntry[]): void {
    if (entries.length === 0) return;
    const rest = this.#entries.slice(this.#head);
    this.#entries = [...entries, ...rest];
    this.#head = 0;
    for (const entry of entries) this.#bytes += entry.bytes;
    this.#trim();
  }

  /** Removes and returns every entry, oldest first. */
  takeAll(): BufferedEntry[] {
    const taken = this.#entries.slice(this.#head);
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
    return taken;
  }

  /** Drops counted since the last call (reported on the next export), then resets them. */
  takeUnreportedDrops(): DropCounts {
    const drops = this.#droppedUnreported;
    this.#droppedUnreported = { spans: 0, logs: 0 };
    return drops;
  }

  /** Counts `count` items dropped outside the buffer (e.g. refused by the backend) with the rest. */
  countDropped(kind: BufferedEntry['kind'], count: number): void {
    const key = kind === 'span' ? 'spans' : 'logs';
    this.#droppedTotal[key] += count;
    this.#droppedUnreported[key] += count;
  }

  #trim(): void {
    while (this.size > this.#limits.maxItems || (this.#bytes > this.#limits.maxBytes && this.size > 0)) {
      const oldest = this.#entries[this.#head]!;
      this.#head++;
      this.#bytes -= oldest.bytes;
      this.#countDrop(oldest);
    }
    // Compact now and then so dropped entries do not stay referenced.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  #countDrop(entry: BufferedEntry): void {
    this.countDropped(entry.kind, 1);
  }
}
