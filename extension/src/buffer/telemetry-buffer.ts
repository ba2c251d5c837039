/**
 * The one place telemetry waits between receipt and export: spans and log records in arrival
 * order, bounded by an item count and by the memory they hold (`bytes`, estimated by
 * buffer/memory-size.ts). Entries taken for an export still count against both bounds until the
 * export settles: they stay in memory, and may come back. Past either bound the oldest waiting
 * entries are dropped and counted; the buffer never grows without limit.
 */
import type { MetricItem } from '../otlp/metrics-model.ts';
import type { LogItem, SpanItem } from '../otlp/types.ts';

export type BufferedEntry =
  | { readonly kind: 'span'; readonly item: SpanItem; readonly bytes: number; readonly atMs: number }
  | { readonly kind: 'log'; readonly item: LogItem; readonly bytes: number; readonly atMs: number }
  | { readonly kind: 'metric'; readonly item: MetricItem; readonly bytes: number; readonly atMs: number };

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
  /** Taken by exports that have not settled yet (see {@link takeBatch}). */
  #inFlightItems = 0;
  #inFlightBytes = 0;
  readonly #droppedTotal: DropCounts = { spans: 0, logs: 0 };
  #droppedUnreported: DropCounts = { spans: 0, logs: 0 };
  /** Metric items dropped since start (kept apart: drops reported on exports count spans and logs). */
  #droppedMetrics = 0;

  constructor(limits: BufferLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Fill level 0..1 of the entries waiting: the larger of the item and byte ratios. */
  get fill(): number {
    return Math.max(this.size / this.#limits.maxItems, this.#bytes / this.#limits.maxBytes);
  }

  /** Fill level 0..1 of everything held: waiting entries plus those in exports not yet settled. */
  get heldFill(): number {
    return Math.max((this.size + this.#inFlightItems) / this.#limits.maxItems, (this.#bytes + this.#inFlightBytes) / this.#limits.maxBytes);
  }

  /** Entries taken by exports that have not settled yet. */
  get inFlightItems(): number {
    return this.#inFlightItems;
  }

  get limits(): BufferLimits {
    return this.#limits;
  }

  get oldestAtMs(): number | undefined {
    return this.#entries[this.#head]?.atMs;
  }

  /** Metric items dropped since start. */
  get droppedMetrics(): number {
    return this.#droppedMetrics;
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

  /**
   * Removes the oldest entries for an export, at most `maxItems` and (after the first) `maxBytes`.
   * They keep counting against the bounds until {@link release} is called with them.
   */
  takeBatch(maxItems = Infinity, maxBytes = Infinity): BufferedEntry[] {
    let end = this.#head;
    let bytes = 0;
    while (end < this.#entries.length && end - this.#head < maxItems) {
      const next = this.#entries[end]!.bytes;
      if (end > this.#head && bytes + next > maxBytes) break;
      bytes += next;
      end++;
    }
    const taken = this.#entries.slice(this.#head, end);
    if (end === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else {
      // The taken entries belong to the export now: no reference stays behind here.
      this.#entries.fill(undefined as unknown as BufferedEntry, this.#head, end);
      this.#head = end;
      this.#compact();
    }
    this.#bytes -= bytes;
    this.#inFlightItems += taken.length;
    this.#inFlightBytes += bytes;
    return taken;
  }

  /** The export of entries from {@link takeBatch} settled: they no longer count here (requeue those to retry). */
  release(entries: readonly BufferedEntry[]): void {
    let bytes = 0;
    for (const entry of entries) bytes += entry.bytes;
    this.#inFlightItems = Math.max(0, this.#inFlightItems - entries.length);
    this.#inFlightBytes = Math.max(0, this.#inFlightBytes - bytes);
  }

  /** Drops counted since the last call (reported on the next export), then resets them. */
  takeUnreportedDrops(): DropCounts {
    const drops = this.#droppedUnreported;
    this.#droppedUnreported = { spans: 0, logs: 0 };
    return drops;
  }

  /** Counts `count` items dropped outside the buffer (e.g. refused by the backend) with the rest. */
  countDropped(kind: BufferedEntry['kind'], count: number): void {
    if (kind === 'metric') {
      this.#droppedMetrics += count;
      return;
    }
    const key = kind === 'span' ? 'spans' : 'logs';
    this.#droppedTotal[key] += count;
    this.#droppedUnreported[key] += count;
  }

  #trim(): void {
    // Only waiting entries can go; those in flight are the exporter's until it settles.
    while (this.size > 0 && (this.size + this.#inFlightItems > this.#limits.maxItems || this.#bytes + this.#inFlightBytes > this.#limits.maxBytes)) {
      const oldest = this.#entries[this.#head]!;
      this.#entries[this.#head] = undefined as unknown as BufferedEntry;
      this.#head++;
      this.#bytes -= oldest.bytes;
      this.#countDrop(oldest);
    }
    if (this.size === 0) {
      this.#entries = [];
      this.#head = 0;
    }
    this.#compact();
  }

  /** Compacts now and then so that entries gone from the front do not stay referenced. */
  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  #countDrop(entry: BufferedEntry): void {
    this.countDropped(entry.kind, 1);
  }
}
