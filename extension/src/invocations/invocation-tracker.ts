/**
 * Per-invocation bookkeeping, keyed by request id: when an invocation's telemetry is complete
 * (its root span arrived, or platform.runtimeDone plus a grace for SDKs that send none), the root
 * span the extension emits itself when the runtime died, the init span, the platform.report
 * values, and the trace context of log lines that name only a request id.
 */
import { attr, getAttr, SpanKind, StatusCode } from '../otlp/types.ts';
import type { KeyValue, LogItem, Resource, Span, SpanItem } from '../otlp/types.ts';
import type { BufferedEntry } from '../buffer/telemetry-buffer.ts';
import type { InvokeEvent } from '../lifecycle/extensions-client.ts';
import type { Logger } from '../logger.ts';
import { isFailureStatus } from '../receive/telemetry-records.ts';
import type { PlatformReportMetrics, TelemetryRecord } from '../receive/telemetry-records.ts';
import { EXTENSION_SCOPE, INVOCATION_ID_KEY, logLineToRecord } from './log-records.ts';
import { msToUnixNano, parseXRayHeader, randomSpanId, randomTraceId } from './trace-context.ts';
import type { XRayContext } from './trace-context.ts';

/** Attribute marking a root span the extension built because the runtime sent none. */
export const SYNTHESIZED_KEY = 'lambda_otel.synthesized';
/** How many finished invocations are remembered for late log lines and reports. */
const REMEMBERED_INVOCATIONS = 64;
/** Child span ids remembered per invocation, to give a synthesized root the id its children point at. */
const REMEMBERED_CHILDREN = 512;

export interface TrackerOptions {
  readonly completionGraceMs: number;
  /** Resource for records the extension creates until the function's own resource is known. */
  readonly resource: Resource;
  readonly functionName: string | undefined;
  /** Receives every item the tracker creates (log records, synthesized spans, the init span). */
  readonly emit: (entry: BufferedEntry) => void;
  readonly estimateBytes: (item: SpanItem | LogItem) => number;
  readonly logger: Logger;
  readonly now?: () => number;
}

interface Invocation {
  readonly requestId: string;
  startedAtMs: number;
  deadlineMs: number | undefined;
  xray: XRayContext | undefined;
  functionArn: string | undefined;
  coldStart: boolean;
  root: SpanItem | undefined;
  rootSynthesized: boolean;
  runtimeDone: { status: string; errorType: string | undefined; timeMs: number } | undefined;
  reported: boolean;
  complete: boolean;
  graceTimer: NodeJS.Timeout | undefined;
  waiters: (() => void)[];
  childSpanIds: Set<string>;
  childParentIds: Set<string>;
}

interface InitInfo {
  startMs?: number;
  runtimeDoneMs?: number;
  durationMs?: number;
  initializationType?: string;
  runtimeVersion?: string;
  status?: string;
  errorType?: string;
  emitted: boolean;
}

export class InvocationTracker {
  readonly #options: TrackerOptions;
  readonly #now: () => number;
  readonly #invocations = new Map<string, Invocation>();
  readonly #requestByTrace = new Map<string, string>();
  readonly #init: InitInfo = { emitted: false };
  #firstRequestId: string | undefined;
  #currentRequestId: string | undefined;
  /** The function's own resource, learned from the first root span. */
  #learnedResource: Resource | undefined;
  #synthesizedCount = 0;

  constructor(options: TrackerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get synthesizedCount(): number {
    return this.#synthesizedCount;
  }

  /** The invocation in progress (the latest INVOKE or platform.start). */
  get currentRequestId(): string | undefined {
    return this.#currentRequestId;
  }

  /** An INVOKE event: the invocation starts now, with the trace context Lambda gave it. */
  startInvocation(event: InvokeEvent): void {
    const invocation = this.#getOrCreate(event.requestId, this.#now());
    invocation.deadlineMs = event.deadlineMs;
    invocation.functionArn = event.invokedFunctionArn;
    invocation.xray ??= parseXRayHeader(event.traceHeader);
    if (invocation.xray) this.#rememberTrace(invocation.xray.traceId, invocation.requestId);
    this.#currentRequestId = event.requestId;
    this.#forgetOld();
  }

  /** True while some invocation has not had its platform.report yet. */
  hasUnreported(): boolean {
    for (const invocation of this.#invocations.values()) if (!invocation.reported) return true;
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
      const timer = setTimeout(() => resolve(invocation.complete), Math.max(0, untilMs - this.#now()));
      invocation.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Spans received over OTLP: a span with faas.invocation_id is that invocation's root. */
  onSpans(items: readonly SpanItem[]): void {
    for (const item of items) {
      const requestId = getAttr(item.span.attributes, INVOCATION_ID_KEY);
      if (typeof requestId === 'string' && requestId !== '') {
        const invocation = this.#getOrCreate(requestId, this.#now());
        if (invocation.rootSynthesized) this.#options.logger.debug('root span arrived after one was synthesized', { requestId });
        invocation.root = item;
        invocation.rootSynthesized = false;
        this.#learnedResource ??= item.resource;
        this.#rememberTrace(item.span.traceId, requestId);
        this.#complete(invocation);
        this.#tryEmitInitSpan();
        continue;
      }
      const owner = this.#invocations.get(this.#requestByTrace.get(item.span.traceId) ?? '');
      if (owner && !owner.root && owner.childSpanIds.size < REMEMBERED_CHILDREN) {
        owner.childSpanIds.add(item.span.spanId);
        if (item.span.parentSpanId) owner.childParentIds.add(item.span.parentSpanId);
      }
    }
  }

  /** Telemetry API records, in delivery order. */
  onTelemetry(records: readonly TelemetryRecord[]): void {
    for (const record of records) {
      try {
        this.#onRecord(record);
      } catch (error) {
        this.#options.logger.warn('telemetry record not processed', { type: record.type, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /**
   * SHUTDOWN: every invocation that never finished (or whose runtime failed) and has no root span
   * gets one now, with the shutdown reason; the init span goes out if it has not.
   */
  onShutdown(reason: string): void {
    const nowMs = this.#now();
    for (const invocation of this.#invocations.values()) {
      if (invocation.root) continue;
      const done = invocation.runtimeDone;
      if (done && !isFailureStatus(done.status)) continue;
      const why = done
        ? describeFailure(done.status, done.errorType)
        : `execution environment shut down (${reason}) before the invocation finished`;
      this.#synthesizeRoot(invocation, why, done?.status ?? (reason === 'spindown' ? 'failure' : reason), done?.errorType, done?.timeMs ?? nowMs);
    }
    this.#tryEmitInitSpan(true);
  }

  /**
   * Just before export: log records that name only a request id get that invocation's trace
   * context, and records made before the function's resource was known get it.
   */
  prepareForExport(entries: readonly BufferedEntry[]): void {
    for (const entry of entries) {
      if (entry.kind !== 'log') continue;
      const item = entry.item;
      if (item.resource === this.#options.resource && this.#learnedResource) item.resource = this.#learnedResource;
      if (item.log.traceId) continue;
      const requestId = getAttr(item.log.attributes, INVOCATION_ID_KEY);
      const invocation = typeof requestId === 'string' ? this.#invocations.get(requestId) : undefined;
      if (!invocation) continue;
      if (invocation.root) {
        item.log.traceId = invocation.root.span.traceId;
        item.log.spanId = invocation.root.span.spanId;
      } else if (invocation.xray) {
        item.log.traceId = invocation.xray.traceId;
      }
    }
  }

  #onRecord(record: TelemetryRecord): void {
    switch (record.type) {
      case 'function':
      case 'extension': {
        const parsed = logLineToRecord(record.type, record.record, record.timeMs, this.#openRequestId());
        if (!parsed) return;
        this.#emit({ kind: 'log', item: { resource: this.#options.resource, scope: EXTENSION_SCOPE, log: parsed.log } });
        return;
      }
      case 'platform.initStart':
        this.#init.startMs = record.timeMs;
        this.#init.initializationType = record.initializationType;
        this.#init.runtimeVersion = record.runtimeVersion;
        return;
      case 'platform.initRuntimeDone':
        this.#init.runtimeDoneMs = record.timeMs;
        this.#init.status = record.status;
        this.#init.errorType = record.errorType;
        this.#tryEmitInitSpan();
        return;
      case 'platform.initReport':
        this.#init.durationMs = record.durationMs;
        this.#init.status ??= record.status;
        this.#init.errorType ??= record.errorType;
        this.#tryEmitInitSpan();
        return;
      case 'platform.start': {
        const invocation = this.#getOrCreate(record.requestId, record.timeMs);
        invocation.startedAtMs = Math.min(invocation.startedAtMs, record.timeMs);
        invocation.xray ??= parseXRayHeader(record.tracing?.value);
        if (invocation.xray) this.#rememberTrace(invocation.xray.traceId, invocation.requestId);
        if (!this.#currentRequestId || this.#invocations.get(this.#currentRequestId)?.reported) this.#currentRequestId = record.requestId;
        return;
      }
      case 'platform.runtimeDone': {
        const invocation = this.#getOrCreate(record.requestId, record.timeMs);
        invocation.runtimeDone = { status: record.status, errorType: record.errorType, timeMs: record.timeMs };
        if (invocation.root || invocation.complete) return;
        // The root span may still be on its way (it is sent after the response): wait a little.
        clearTimeout(invocation.graceTimer);
        invocation.graceTimer = setTimeout(() => this.#afterGrace(invocation), this.#options.completionGraceMs);
        invocation.graceTimer.unref();
        return;
      }
      case 'platform.report':
        this.#onReport(record.requestId, record.status, record.errorType, record.metrics, record.timeMs);
        return;
      case 'platform.logsDropped':
        this.#options.logger.warn('Lambda dropped telemetry records before delivery', { droppedRecords: record.droppedRecords, droppedBytes: record.droppedBytes, reason: record.reason });
        return;
      case 'other':
        return;
    }
  }

  /** The invocation a line without a request id belongs to: the current one, until its runtime is done. */
  #openRequestId(): string | undefined {
    const current = this.#invocations.get(this.#currentRequestId ?? '');
    return current && !current.runtimeDone && !current.reported ? current.requestId : undefined;
  }

  #afterGrace(invocation: Invocation): void {
    invocation.graceTimer = undefined;
    if (invocation.root || invocation.complete) return;
    const done = invocation.runtimeDone;
    if (done && isFailureStatus(done.status)) {
      this.#synthesizeRoot(invocation, describeFailure(done.status, done.errorType), done.status, done.errorType, done.timeMs);
    } else {
      this.#complete(invocation);
    }
  }

  #onReport(requestId: string, status: string, errorType: string | undefined, metrics: PlatformReportMetrics, timeMs: number): void {
    const invocation = this.#getOrCreate(requestId, timeMs);
    invocation.reported = true;
    if (!invocation.root && isFailureStatus(status)) {
      this.#synthesizeRoot(invocation, describeFailure(status, errorType), status, errorType, invocation.runtimeDone?.timeMs ?? timeMs);
    }
    const attributes = reportAttributes(status, errorType, metrics);
    // Still buffered (not exported yet) for most policies; harmless once it has been sent.
    invocation.root?.span.attributes.push(...attributes);
    const body = `REPORT RequestId: ${requestId}` +
      (metrics.durationMs !== undefined ? `\tDuration: ${metrics.durationMs} ms` : '') +
      (metrics.billedDurationMs !== undefined ? `\tBilled Duration: ${metrics.billedDurationMs} ms` : '') +
      (metrics.memorySizeMB !== undefined ? `\tMemory Size: ${metrics.memorySizeMB} MB` : '') +
      (metrics.maxMemoryUsedMB !== undefined ? `\tMax Memory Used: ${metrics.maxMemoryUsedMB} MB` : '') +
      (metrics.initDurationMs !== undefined ? `\tInit Duration: ${metrics.initDurationMs} ms` : '');
    const log = {
      timeUnixNano: msToUnixNano(timeMs),
      observedTimeUnixNano: msToUnixNano(timeMs),
      severityNumber: isFailureStatus(status) ? 17 : 9,
      severityText: isFailureStatus(status) ? 'ERROR' : 'INFO',
      eventName: 'aws.lambda.report',
      body: { stringValue: body },
      attributes: [...attributes, attr('log.source', 'platform'), attr(INVOCATION_ID_KEY, requestId)],
      ...(invocation.root ? { traceId: invocation.root.span.traceId, spanId: invocation.root.span.spanId } : {}),
    };
    this.#emit({ kind: 'log', item: { resource: invocation.root?.resource ?? this.#options.resource, scope: EXTENSION_SCOPE, log } });
    this.#complete(invocation);
    this.#forgetOld();
  }

  #synthesizeRoot(invocation: Invocation, reason: string, status: string, errorType: string | undefined, endMs: number): void {
    if (invocation.root) return;
    const traceId = invocation.xray?.traceId ?? randomTraceId();
    const attributes: KeyValue[] = [
      attr(INVOCATION_ID_KEY, invocation.requestId),
      attr('faas.coldstart', invocation.coldStart),
      attr(SYNTHESIZED_KEY, true),
      attr('aws.lambda.status', status),
      attr('error.type', errorType ?? status),
    ];
    if (this.#options.functionName) attributes.push(attr('faas.name', this.#options.functionName));
    if (invocation.functionArn) attributes.push(attr('cloud.resource_id', invocation.functionArn));
    const span: Span = {
      traceId,
      spanId: this.#orphanedParentId(invocation) ?? randomSpanId(),
      parentSpanId: invocation.xray?.parentSpanId ?? '',
      name: this.#options.functionName ?? 'invocation',
      kind: SpanKind.server,
      startTimeUnixNano: msToUnixNano(invocation.startedAtMs),
      endTimeUnixNano: msToUnixNano(Math.max(endMs, invocation.startedAtMs)),
      attributes,
      events: [{ timeUnixNano: msToUnixNano(Math.max(endMs, invocation.startedAtMs)), name: 'exception', attributes: [attr('exception.type', errorType ?? status), attr('exception.message', reason)] }],
      links: [],
      status: { code: StatusCode.error, message: reason },
    };
    const item: SpanItem = { resource: this.#learnedResource ?? this.#options.resource, scope: EXTENSION_SCOPE, span };
    invocation.root = item;
    invocation.rootSynthesized = true;
    this.#synthesizedCount++;
    this.#rememberTrace(traceId, invocation.requestId);
    this.#options.logger.info('emitted the root span of an invocation the runtime did not finish', { requestId: invocation.requestId, reason });
    this.#emit({ kind: 'span', item });
    this.#complete(invocation);
    this.#tryEmitInitSpan();
  }

  /** A parent id that children point at but no received span has: the root the runtime never sent. */
  #orphanedParentId(invocation: Invocation): string | undefined {
    for (const parentId of invocation.childParentIds) {
      if (!invocation.childSpanIds.has(parentId) && parentId !== invocation.xray?.parentSpanId) return parentId;
    }
    return undefined;
  }

  /** The init span goes into the first invocation's trace, under its root span, once both are known. */
  #tryEmitInitSpan(final = false): void {
    const init = this.#init;
    if (init.emitted || init.startMs === undefined) return;
    const endMs = init.durationMs !== undefined ? init.startMs + init.durationMs : init.runtimeDoneMs;
    if (endMs === undefined && !final) return;
    const first = this.#invocations.get(this.#firstRequestId ?? '');
    if (!first?.root) return;
    init.emitted = true;
    const attributes: KeyValue[] = [attr('faas.coldstart', true)];
    if (init.initializationType) attributes.push(attr('aws.lambda.initialization_type', init.initializationType));
    if (init.runtimeVersion) attributes.push(attr('aws.lambda.runtime_version', init.runtimeVersion));
    if (init.status) attributes.push(attr('aws.lambda.init.status', init.status));
    if (init.durationMs !== undefined) attributes.push(attr('aws.lambda.init_duration_ms', init.durationMs));
    const failed = isFailureStatus(init.status);
    const span: Span = {
      traceId: first.root.span.traceId,
      spanId: randomSpanId(),
      parentSpanId: first.root.span.spanId,
      name: 'Initialization',
      kind: SpanKind.internal,
      startTimeUnixNano: msToUnixNano(init.startMs),
      endTimeUnixNano: msToUnixNano(endMs ?? init.startMs),
      attributes,
      events: [],
      links: [],
      status: failed ? { code: StatusCode.error, message: describeFailure(init.status ?? 'error', init.errorType) } : { code: StatusCode.unset },
    };
    this.#emit({ kind: 'span', item: { resource: first.root.resource, scope: EXTENSION_SCOPE, span } });
  }

  #getOrCreate(requestId: string, startedAtMs: number): Invocation {
    let invocation = this.#invocations.get(requestId);
    if (!invocation) {
      const coldStart = this.#firstRequestId === undefined;
      this.#firstRequestId ??= requestId;
      invocation = {
        requestId,
        startedAtMs,
        deadlineMs: undefined,
        xray: undefined,
        functionArn: undefined,
        coldStart,
        root: undefined,
        rootSynthesized: false,
        runtimeDone: undefined,
        reported: false,
        complete: false,
        graceTimer: undefined,
        waiters: [],
        childSpanIds: new Set(),
        childParentIds: new Set(),
      };
      this.#invocations.set(requestId, invocation);
    }
    return invocation;
  }

  #complete(invocation: Invocation): void {
    clearTimeout(invocation.graceTimer);
    invocation.graceTimer = undefined;
    if (invocation.complete) return;
    invocation.complete = true;
    for (const waiter of invocation.waiters.splice(0)) waiter();
  }

  #rememberTrace(traceId: string, requestId: string): void {
    this.#requestByTrace.set(traceId, requestId);
  }

  #emit(entry: { kind: 'span'; item: SpanItem } | { kind: 'log'; item: LogItem }): void {
    const bytes = this.#options.estimateBytes(entry.item);
    const atMs = this.#now();
    this.#options.emit(entry.kind === 'span' ? { kind: 'span', item: entry.item, bytes, atMs } : { kind: 'log', item: entry.item, bytes, atMs });
  }

  /** Keeps memory flat: only the latest finished invocations stay for late log lines. */
  #forgetOld(): void {
    if (this.#invocations.size <= REMEMBERED_INVOCATIONS) return;
    for (const [requestId, invocation] of this.#invocations) {
      if (this.#invocations.size <= REMEMBERED_INVOCATIONS) break;
      if (!invocation.complete || !invocation.reported || requestId === this.#firstRequestId && !this.#init.emitted) continue;
      this.#forget(requestId, invocation);
    }
    // Invocations whose report never came must not pile up either.
    for (const [requestId, invocation] of this.#invocations) {
      if (this.#invocations.size <= REMEMBERED_INVOCATIONS * 4) break;
      this.#forget(requestId, invocation);
    }
  }

  #forget(requestId: string, invocation: Invocation): void {
    clearTimeout(invocation.graceTimer);
    for (const waiter of invocation.waiters.splice(0)) waiter();
    this.#invocations.delete(requestId);
    if (invocation.root) this.#requestByTrace.delete(invocation.root.span.traceId);
    if (invocation.xray) this.#requestByTrace.delete(invocation.xray.traceId);
  }
}

function describeFailure(status: string, errorType: string | undefined): string {
  const what = status === 'timeout' ? 'invocation timed out' : status === 'failure' ? 'runtime failed' : `invocation ended with status ${status}`;
  return errorType ? `${what} (${errorType})` : what;
}

function reportAttributes(status: string, errorType: string | undefined, metrics: PlatformReportMetrics): KeyValue[] {
  const attributes: KeyValue[] = [attr('aws.lambda.report.status', status)];
  if (errorType) attributes.push(attr('aws.lambda.report.error_type', errorType));
  const add = (key: string, value: number | undefined): void => {
    if (value !== undefined) attributes.push({ key, value: { doubleValue: value } });
  };
  add('aws.lambda.duration_ms', metrics.durationMs);
  add('aws.lambda.billed_duration_ms', metrics.billedDurationMs);
  add('aws.lambda.memory_size_mb', metrics.memorySizeMB);
  add('aws.lambda.max_memory_used_mb', metrics.maxMemoryUsedMB);
  add('aws.lambda.init_duration_ms', metrics.initDurationMs);
  return attributes;
}
