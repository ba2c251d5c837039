/**
 * Per-invocation bookkeeping, keyed by request id: the orchestrator that feeds what arrives (INVOKE
 * events, root spans, Telemetry API records) to the pure decisions and acts on them. The decisions
 * live by concern: when an invocation is complete (completion.ts), how it failed (failure.ts),
 * which trace a log record belongs to (log-attribution.ts), the init span (init-span.ts), the root
 * span of a runtime that died (synthesized-root.ts) and the REPORT record (platform-report.ts).
 */
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { LogItem, Resource, SpanItem } from '../otlp/types.ts';
import type { BufferedEntry } from '../buffer/telemetry-buffer.ts';
import type { InvokeEvent } from '../lifecycle/extensions-client.ts';
import { errorMessage } from '../logger.ts';
import type { Logger } from '../logger.ts';
import type { TelemetryRecord } from '../receive/telemetry-records.ts';
import { initSpan, recordInit } from './init-span.ts';
import type { InitRecords } from './init-span.ts';
import { InvocationRegistry, orphanedParentId } from './invocation-registry.ts';
import type { Invocation } from './invocation-registry.ts';
import { EXTENSION_SCOPE, invocationIdOf, logLineToRecord } from './log-records.ts';
import { reportAttributes, reportLogRecord } from './platform-report.ts';
import type { PlatformReport } from './platform-report.ts';
import { CompletionStep, nextCompletionStep } from './completion.ts';
import { attributeLogs } from './log-attribution.ts';
import { firstFailure } from './failure.ts';
import type { Failure } from './failure.ts';
import { synthesizedRootSpan } from './synthesized-root.ts';
import { parseXRayHeader } from './trace-context.ts';

export interface TrackerOptions {
  readonly completionGraceMs: number;
  /** Resource for records the extension creates until the function's own resource is known. */
  readonly resource: Resource;
  readonly functionName: string | undefined;
  /**
   * Whether a log line that names no request id belongs to the invocation in progress. True when
   * invocations run one at a time; false under Managed Instances, where several run at once.
   */
  readonly attributeUnnamedLines?: boolean;
  /** Receives every item the tracker creates (log records, synthesized spans, the init span). */
  readonly emit: (entry: BufferedEntry) => void;
  /** Memory one record the tracker makes holds (buffer/memory-size.ts), for the buffer bound. */
  readonly memoryBytesOf: (item: SpanItem | LogItem) => number;
  readonly logger: Logger;
  readonly clock?: Clock;
}

export class InvocationTracker {
  readonly #options: TrackerOptions;
  readonly #clock: Clock;
  readonly #invocations = new InvocationRegistry();
  readonly #init: InitRecords = {};
  #initEmitted = false;
  #currentRequestId: string | undefined;
  /** The function's own resource, learned from the first root span. */
  #learnedResource: Resource | undefined;

  constructor(options: TrackerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** An INVOKE event: the invocation starts now, with the trace context Lambda gave it. */
  startInvocation(event: InvokeEvent): void {
    const invocation = this.#invocations.getOrCreate(event.requestId, this.#clock.now());
    invocation.functionArn = event.invokedFunctionArn;
    this.#setTrace(invocation, event.traceHeader);
    this.#currentRequestId = event.requestId;
    this.#forgetOld();
  }

  /** True while some invocation has not had its platform.report yet. */
  hasUnreported(): boolean {
    for (const invocation of this.#invocations.all()) if (!invocation.reportAttributes) return true;
    return false;
  }

  isComplete(requestId: string): boolean {
    return this.#invocations.get(requestId)?.complete ?? false;
  }

  /** Resolves when the invocation's telemetry is complete or at `untilMs`, whichever comes first. */
  waitForCompletion(requestId: string, untilMs: number): Promise<boolean> {
    const invocation = this.#invocations.get(requestId);
    if (!invocation) return Promise.resolve(false);
    if (invocation.complete) return Promise.resolve(true);
    return new Promise((resolve) => {
      const cancel = this.#clock.setTimer(() => resolve(invocation.complete), untilMs - this.#clock.now());
      invocation.waiters.push(() => {
        cancel();
        resolve(true);
      });
    });
  }

  /**
   * Spans received over OTLP, before they are buffered: a span with faas.invocation.id is that
   * invocation's root. Returns the spans to buffer: the same items, except a root span whose
   * platform.report came first, which is a copy carrying the report's values. Nothing handed over
   * is changed afterwards (a report that comes later goes into the REPORT record instead).
   */
  onSpans(items: readonly SpanItem[]): SpanItem[] {
    const out: SpanItem[] = [];
    for (const item of items) {
      const requestId = invocationIdOf(item.span.attributes);
      if (typeof requestId === 'string' && requestId !== '') {
        out.push(this.#onRoot(item, requestId));
        continue;
      }
      this.#invocations.noteChild(item);
      out.push(item);
    }
    return out;
  }

  /** Telemetry API records, in delivery order. A record that cannot be processed is logged and skipped. */
  onTelemetry(records: readonly TelemetryRecord[]): void {
    for (const record of records) {
      try {
        this.#onRecord(record);
      } catch (error) {
        this.#options.logger.warn('telemetry record not processed', { type: record.type, error: errorMessage(error) });
      }
    }
  }

  /**
   * SHUTDOWN: every invocation without a root span that failed or never finished gets one now
   * (the reason from its platform records, else the shutdown reason); the init span goes out if
   * it has not.
   */
  onShutdown(reason: string): void {
    const nowMs = this.#clock.now();
    for (const invocation of this.#invocations.all()) {
      if (invocation.root) continue;
      if (invocation.failure) {
        this.#synthesizeRoot(invocation, invocation.failure);
      } else if (!invocation.runtimeDone && !invocation.reportAttributes) {
        const status = reason === 'spindown' ? 'failure' : reason;
        const why = `execution environment shut down (${reason}) before the invocation finished`;
        this.#synthesizeRoot(invocation, { status, errorType: undefined, reason: why, endMs: nowMs });
      }
    }
    this.#tryEmitInitSpan(true);
  }

  /**
   * Just before export: log records that name only a request id get that invocation's trace
   * context, and records made before the function's resource was known get it. Returns the entries
   * to export, in the same order: a changed record is a copy; the buffered one stays as it was.
   */
  prepareForExport(entries: readonly BufferedEntry[]): BufferedEntry[] {
    return attributeLogs(entries, {
      ownResource: this.#options.resource,
      functionResource: this.#learnedResource,
      traceOf: (requestId) => {
        const invocation = this.#invocations.get(requestId);
        if (invocation?.root) return { traceId: invocation.root.span.traceId, spanId: invocation.root.span.spanId };
        return invocation?.xray ? { traceId: invocation.xray.traceId } : undefined;
      },
    });
  }

  #onRecord(record: TelemetryRecord): void {
    if (recordInit(this.#init, record)) {
      this.#tryEmitInitSpan();
      return;
    }
    switch (record.type) {
      case 'function':
      case 'extension': {
        const parsed = logLineToRecord(record.type, record.record, record.timeMs, this.#openRequestId());
        if (parsed) this.#emit({ kind: 'log', item: { resource: this.#options.resource, scope: EXTENSION_SCOPE, log: parsed.log } });
        return;
      }
      case 'platform.start': {
        const invocation = this.#invocations.getOrCreate(record.requestId, record.timeMs);
        invocation.startedAtMs = Math.min(invocation.startedAtMs, record.timeMs);
        this.#setTrace(invocation, record.tracing?.value);
        const current = this.#invocations.get(this.#currentRequestId);
        if (!current || current.reportAttributes) this.#currentRequestId = record.requestId;
        return;
      }
      case 'platform.runtimeDone': {
        const invocation = this.#invocations.getOrCreate(record.requestId, record.timeMs);
        invocation.runtimeDone = true;
        this.#noteFailure(invocation, record.status, record.errorType, record.timeMs);
        this.#advance(invocation, false);
        return;
      }
      case 'platform.report':
        this.#onReport(record);
        return;
      case 'platform.logsDropped':
        this.#options.logger.warn('Lambda dropped telemetry records before delivery', {
          droppedRecords: record.droppedRecords,
          droppedBytes: record.droppedBytes,
          reason: record.reason,
        });
        return;
      default:
        return;
    }
  }

  #onRoot(received: SpanItem, requestId: string): SpanItem {
    const invocation = this.#invocations.getOrCreate(requestId, this.#clock.now());
    if (invocation.rootSynthesized) this.#options.logger.debug('root span arrived after one was synthesized', { requestId });
    const reported = invocation.reportAttributes;
    const item = reported ? { ...received, span: { ...received.span, attributes: [...received.span.attributes, ...reported] } } : received;
    invocation.root = item;
    invocation.rootSynthesized = false;
    this.#learnedResource ??= item.resource;
    this.#invocations.linkTrace(item.span.traceId, invocation);
    this.#advance(invocation, false);
    this.#tryEmitInitSpan();
    return item;
  }

  #onReport(record: PlatformReport): void {
    const invocation = this.#invocations.getOrCreate(record.requestId, record.timeMs);
    const attributes = reportAttributes(record);
    invocation.reportAttributes = attributes;
    // The root span, if any, is already buffered or exported and stays as it is: the values go in
    // the REPORT record below (the next export), in the root's trace.
    this.#noteFailure(invocation, record.status, record.errorType, record.timeMs);
    // A failed invocation still gets the grace for its root span (under Managed Instances the
    // report can come before the span the runtime sent after its error).
    this.#advance(invocation, false);
    this.#emit({
      kind: 'log',
      item: {
        resource: invocation.root?.resource ?? this.#options.resource,
        scope: EXTENSION_SCOPE,
        log: reportLogRecord(record, attributes, invocation.root?.span),
      },
    });
    this.#forgetOld();
  }

  #noteFailure(invocation: Invocation, status: string, errorType: string | undefined, timeMs: number): void {
    invocation.failure = firstFailure(invocation.failure, status, errorType, timeMs);
  }

  /** Acts on what completion.ts says the invocation needs next. */
  #advance(invocation: Invocation, graceOver: boolean): void {
    if (invocation.complete) return;
    const step = nextCompletionStep({
      root: invocation.root !== undefined,
      runtimeDone: invocation.runtimeDone,
      reported: invocation.reportAttributes !== undefined,
      failed: invocation.failure !== undefined,
      graceOver,
    });
    if (step === CompletionStep.complete) this.#complete(invocation);
    else if (step === CompletionStep.synthesizeRoot) this.#synthesizeRoot(invocation, invocation.failure!);
    else if (step === CompletionStep.startGrace && !invocation.graceTimer) {
      invocation.graceTimer = this.#clock.setTimer(() => {
        invocation.graceTimer = undefined;
        this.#advance(invocation, true);
      }, this.#options.completionGraceMs);
    }
  }

  /** The invocation a line without a request id belongs to: the current one, until its runtime is done. */
  #openRequestId(): string | undefined {
    if (this.#options.attributeUnnamedLines === false) return undefined;
    const current = this.#invocations.get(this.#currentRequestId);
    return current && !current.runtimeDone && !current.reportAttributes ? current.requestId : undefined;
  }

  #synthesizeRoot(invocation: Invocation, failure: Failure): void {
    if (invocation.root) return;
    const span = synthesizedRootSpan({
      requestId: invocation.requestId,
      startedAtMs: invocation.startedAtMs,
      failure,
      xray: invocation.xray,
      orphanedParentId: orphanedParentId(invocation),
      coldStart: invocation.coldStart,
      functionName: this.#options.functionName,
      functionArn: invocation.functionArn,
      reportAttributes: invocation.reportAttributes ?? [],
    });
    const item: SpanItem = { resource: this.#learnedResource ?? this.#options.resource, scope: EXTENSION_SCOPE, span };
    invocation.root = item;
    invocation.rootSynthesized = true;
    this.#invocations.linkTrace(span.traceId, invocation);
    this.#options.logger.info('emitted the root span of an invocation the runtime did not finish', { requestId: invocation.requestId, reason: failure.reason });
    this.#emit({ kind: 'span', item });
    this.#complete(invocation);
    this.#tryEmitInitSpan();
  }

  /** The init span goes into the first invocation's trace, under its root span, once both are known. */
  #tryEmitInitSpan(final = false): void {
    if (this.#initEmitted) return;
    const first = this.#invocations.first;
    if (!first?.root) return;
    const span = initSpan(this.#init, first.root.span, final);
    if (!span) return;
    this.#initEmitted = true;
    this.#emit({ kind: 'span', item: { resource: first.root.resource, scope: EXTENSION_SCOPE, span } });
  }

  #setTrace(invocation: Invocation, traceHeader: string | undefined): void {
    invocation.xray ??= parseXRayHeader(traceHeader);
    if (invocation.xray) this.#invocations.linkTrace(invocation.xray.traceId, invocation);
  }

  #complete(invocation: Invocation): void {
    invocation.graceTimer?.();
    invocation.graceTimer = undefined;
    if (invocation.complete) return;
    invocation.complete = true;
    for (const waiter of invocation.waiters.splice(0)) waiter();
  }

  #emit(entry: { kind: 'span'; item: SpanItem } | { kind: 'log'; item: LogItem }): void {
    const bytes = this.#options.memoryBytesOf(entry.item);
    const atMs = this.#clock.now();
    this.#options.emit(entry.kind === 'span' ? { kind: 'span', item: entry.item, bytes, atMs } : { kind: 'log', item: entry.item, bytes, atMs });
  }

  /** The first invocation stays until its trace has the init span. */
  #forgetOld(): void {
    this.#invocations.forgetOld((invocation) => invocation === this.#invocations.first && !this.#initEmitted);
  }
}
