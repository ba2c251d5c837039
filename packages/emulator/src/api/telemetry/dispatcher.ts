// Telemetry delivery: every record goes to each subscriber whose types include it, buffered per
// subscriber (maxItems / maxBytes / timeoutMs) and POSTed as one JSON array per batch. One batch is in
// flight per subscriber at a time, so order is kept. A frozen subscriber simply holds the POST open;
// a failed POST is retried with backoff, and only then dropped, counted and reported as logsDropped.
import { request, type ClientRequest } from 'node:http';
import { connect } from 'node:net';
import { categoryOf, isoTime, type TelemetryRecord } from './records.ts';
import type { Subscription } from './subscribe.ts';
import type { TelemetryEvent } from '../../types.ts';

const retryDelaysMs = [50, 200, 800] as const;
/** Past this many buffered batches' worth, new records are dropped (a consumer that never reads). */
const backlogFactor = 16;

interface Channel {
  name: string;
  subscription: Subscription;
  queue: { entry: TelemetryEvent; bytes: number }[];
  queuedBytes: number;
  timer: NodeJS.Timeout | undefined;
  inFlight: ClientRequest | undefined;
  sending: boolean;
  /** Everything queued is to go out now (timer due, drain, shutdown), batch after batch. */
  urgent: boolean;
  dropped: { records: number; bytes: number };
  /** logsDropped records the subscriber is still to be told about (once it accepts a batch again). */
  owedNotices: TelemetryEvent[];
  lastDeliveryOk: boolean;
  idleWaiters: (() => void)[];
}

export class TelemetryDispatcher {
  /** Every platform.* record, in emission order, as delivered to subscribers. */
  readonly events: TelemetryEvent[] = [];
  private readonly channels: Channel[] = [];
  private closed = false;
  /** Records since init began: a subscriber (which can only subscribe during init) gets them too. */
  private initBacklog: TelemetryEvent[] | undefined;
  /** During SHUTDOWN every record goes out at once: there is no later. */
  private immediate = false;
  /** Sees every record as it is emitted (the emulator's own log view). */
  private readonly observer: ((entry: TelemetryEvent) => void) | undefined;

  constructor(observer?: (entry: TelemetryEvent) => void) {
    this.observer = observer;
  }

  emit(item: TelemetryRecord, timeMs = Date.now()): TelemetryEvent {
    const entry: TelemetryEvent = { time: isoTime(timeMs), type: item.type, record: item.record };
    if (categoryOf(item.type) === 'platform') {
      this.events.push(entry);
      this.observer?.(entry);
    }
    this.initBacklog?.push(entry);
    for (const channel of this.channels) this.enqueue(channel, entry);
    return entry;
  }

  subscribe(name: string, subscription: Subscription): void {
    const existing = this.channels.findIndex((channel) => channel.name === name);
    const channel: Channel = {
      name,
      subscription,
      queue: [],
      queuedBytes: 0,
      timer: undefined,
      inFlight: undefined,
      sending: false,
      urgent: false,
      dropped: { records: 0, bytes: 0 },
      owedNotices: [],
      lastDeliveryOk: true,
      idleWaiters: [],
    };
    if (existing >= 0) this.channels.splice(existing, 1, channel);
    else this.channels.push(channel);
    for (const entry of this.initBacklog ?? []) this.enqueue(channel, entry);
  }

  beginInit(): void {
    this.initBacklog = [];
  }

  endInit(): void {
    this.initBacklog = undefined;
  }

  setShutdownMode(immediate: boolean): void {
    this.immediate = immediate;
    if (immediate) this.flushAll();
  }

  subscriberNames(): string[] {
    return this.channels.map((channel) => channel.name);
  }

  /** Sends everything buffered now, without waiting for the buffering timeout. */
  flushAll(): void {
    for (const channel of this.channels) this.flush(channel);
  }

  /** Resolves once every subscriber's queue is delivered (or `timeoutMs` passes). */
  async drain(timeoutMs: number): Promise<void> {
    this.flushAll();
    const idle = this.channels.map(
      (channel) =>
        new Promise<void>((resolveIdle) => {
          if (channel.queue.length === 0 && !channel.sending) resolveIdle();
          else channel.idleWaiters.push(resolveIdle);
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(idle), new Promise<void>((resolveLate) => (timer = setTimeout(resolveLate, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Forgets every subscriber (the sandbox they lived in is gone); in-flight requests are aborted. */
  clearSubscribers(): void {
    for (const channel of this.channels.splice(0)) {
      clearTimeout(channel.timer);
      channel.inFlight?.destroy();
      channel.queue = [];
      for (const wake of channel.idleWaiters.splice(0)) wake();
    }
  }

  close(): void {
    this.closed = true;
    this.clearSubscribers();
  }

  private enqueue(channel: Channel, entry: TelemetryEvent): void {
    if (!channel.subscription.types.includes(categoryOf(entry.type as TelemetryRecord['type']))) return;
    const bytes = Buffer.byteLength(JSON.stringify(entry));
    const { maxItems, maxBytes, timeoutMs } = channel.subscription.buffering;
    if (channel.queue.length >= maxItems * backlogFactor || channel.queuedBytes + bytes > maxBytes * backlogFactor) {
      channel.dropped.records += 1;
      channel.dropped.bytes += bytes;
      return;
    }
    channel.queue.push({ entry, bytes });
    channel.queuedBytes += bytes;
    if (this.immediate) this.flush(channel);
    else if (channel.queue.length >= maxItems || channel.queuedBytes >= maxBytes) this.flush(channel, false);
    else this.armTimer(channel, timeoutMs);
  }

  private armTimer(channel: Channel, timeoutMs: number): void {
    if (channel.timer) return;
    channel.timer = setTimeout(() => {
      channel.timer = undefined;
      this.flush(channel);
    }, timeoutMs);
    channel.timer.unref();
  }

  /** Sends a batch; `urgent` sends everything queued, batch after batch, instead of only full ones. */
  private flush(channel: Channel, urgent = true): void {
    clearTimeout(channel.timer);
    channel.timer = undefined;
    if (this.closed) return;
    if (urgent) channel.urgent = true;
    if (channel.sending) return;
    this.reportDrops(channel);
    if (channel.queue.length === 0) {
      channel.urgent = false;
      for (const wake of channel.idleWaiters.splice(0)) wake();
      return;
    }
    const batch = this.takeBatch(channel);
    channel.sending = true;
    void this.deliverWithRetry(channel, batch).then((ok) => {
      channel.sending = false;
      channel.lastDeliveryOk = ok;
      const { maxItems, maxBytes, timeoutMs } = channel.subscription.buffering;
      const full = channel.queue.length >= maxItems || channel.queuedBytes >= maxBytes;
      if (!ok) {
        // A consumer that refused every retry is not hammered: the rest waits for the timer.
        this.reportDrops(channel);
        if (channel.queue.length > 0) this.armTimer(channel, timeoutMs);
        else this.flush(channel);
        return;
      }
      // A backlog or an earlier flush request goes out now; a small remainder waits for its timer.
      if (channel.urgent || this.immediate || channel.queue.length === 0 || channel.owedNotices.length > 0) this.flush(channel);
      else if (full) this.flush(channel, false);
      else this.armTimer(channel, timeoutMs);
    });
  }

  private takeBatch(channel: Channel): TelemetryEvent[] {
    const { maxItems, maxBytes } = channel.subscription.buffering;
    const batch: TelemetryEvent[] = [];
    let bytes = 0;
    while (channel.queue.length > 0 && batch.length < maxItems) {
      const next = channel.queue[0]!;
      if (batch.length > 0 && bytes + next.bytes > maxBytes) break;
      channel.queue.shift();
      channel.queuedBytes -= next.bytes;
      bytes += next.bytes;
      batch.push(next.entry);
    }
    return batch;
  }

  /** Drops become a platform.logsDropped record now; the subscriber gets it once it accepts batches. */
  private reportDrops(channel: Channel): void {
    if (channel.dropped.records > 0) {
      const { records, bytes } = channel.dropped;
      channel.dropped = { records: 0, bytes: 0 };
      const entry: TelemetryEvent = {
        time: isoTime(Date.now()),
        type: 'platform.logsDropped',
        record: { droppedBytes: bytes, droppedRecords: records, reason: 'Consumer seems to have fallen behind as it has not acknowledged receipt of logs.' },
      };
      this.events.push(entry);
      if (channel.subscription.types.includes('platform')) channel.owedNotices.push(entry);
    }
    if (channel.lastDeliveryOk && channel.owedNotices.length > 0) {
      const notices = channel.owedNotices.splice(0);
      channel.queue.unshift(...notices.map((entry) => ({ entry, bytes: Buffer.byteLength(JSON.stringify(entry)) })));
    }
  }

  private async deliverWithRetry(channel: Channel, batch: TelemetryEvent[]): Promise<boolean> {
    const body = JSON.stringify(batch);
    for (let attempt = 0; ; attempt += 1) {
      if (this.closed || !this.channels.includes(channel)) return false;
      const ok = await this.send(channel, body, batch);
      if (ok) return true;
      const delayMs = retryDelaysMs[attempt];
      if (delayMs === undefined) {
        channel.dropped.records += batch.length;
        channel.dropped.bytes += Buffer.byteLength(body);
        return false;
      }
      await new Promise((wake) => setTimeout(wake, delayMs).unref());
    }
  }

  private send(channel: Channel, body: string, batch: TelemetryEvent[]): Promise<boolean> {
    const destination = channel.subscription.destination;
    if (destination.protocol === 'TCP') return sendTcp(destination.port, batch);
    const url = new URL(destination.uri);
    return new Promise((resolveSent) => {
      const req = request(
        {
          host: sandboxHost(url.hostname),
          port: url.port || 80,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolveSent((res.statusCode ?? 500) < 300));
          res.on('error', () => resolveSent(false));
        },
      );
      channel.inFlight = req;
      req.on('error', () => resolveSent(false));
      req.on('close', () => {
        if (channel.inFlight === req) channel.inFlight = undefined;
      });
      req.end(body);
    });
  }
}

/** Extensions listen on sandbox.localdomain / sandbox: both are this machine's loopback here. */
export function sandboxHost(hostname: string): string {
  return hostname === 'sandbox.localdomain' || hostname === 'sandbox' || hostname === 'localhost' ? '127.0.0.1' : hostname;
}

function sendTcp(port: number, batch: TelemetryEvent[]): Promise<boolean> {
  return new Promise((resolveSent) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end(batch.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
    });
    socket.on('error', () => resolveSent(false));
    socket.on('close', (hadError) => resolveSent(!hadError));
  });
}
