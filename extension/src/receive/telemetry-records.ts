/**
 * Telemetry API records as a discriminated union on `type`, parsed from the JSON array Lambda
 * POSTs to the listener. Unknown types are kept as `other` so a new platform record never breaks
 * the stream; fields are read defensively because schemas differ between versions.
 */

export interface TracingContext {
  readonly type?: string;
  readonly value?: string;
  readonly spanId?: string;
}

export interface PlatformReportMetrics {
  readonly durationMs?: number;
  readonly billedDurationMs?: number;
  readonly memorySizeMB?: number;
  readonly maxMemoryUsedMB?: number;
  readonly initDurationMs?: number;
  readonly restoreDurationMs?: number;
}

interface Base {
  /** Record time, epoch ms. */
  readonly timeMs: number;
}

export type TelemetryRecord =
  | (Base & { readonly type: 'platform.initStart'; readonly initializationType?: string; readonly phase?: string; readonly runtimeVersion?: string })
  | (Base & { readonly type: 'platform.initRuntimeDone'; readonly initializationType?: string; readonly status?: string; readonly errorType?: string })
  | (Base & {
      readonly type: 'platform.initReport';
      readonly initializationType?: string;
      readonly status?: string;
      readonly errorType?: string;
      readonly durationMs?: number;
    })
  | (Base & { readonly type: 'platform.start'; readonly requestId: string; readonly tracing?: TracingContext })
  | (Base & {
      readonly type: 'platform.runtimeDone';
      readonly requestId: string;
      readonly status: string;
      readonly errorType?: string;
      readonly durationMs?: number;
      readonly tracing?: TracingContext;
    })
  | (Base & {
      readonly type: 'platform.report';
      readonly requestId: string;
      readonly status: string;
      readonly errorType?: string;
      readonly metrics: PlatformReportMetrics;
      readonly tracing?: TracingContext;
    })
  | (Base & { readonly type: 'platform.logsDropped'; readonly droppedRecords?: number; readonly droppedBytes?: number; readonly reason?: string })
  /** A log line from the function (`function`) or an extension (`extension`): a string, or an object under JSON log format. */
  | (Base & { readonly type: 'function' | 'extension'; readonly record: string | Record<string, unknown> })
  | (Base & { readonly type: 'other'; readonly originalType: string });

/** Parses the body of one Telemetry API delivery. Throws only if the body is not a JSON array. */
export function parseTelemetryBatch(body: string): TelemetryRecord[] {
  const parsed: unknown = JSON.parse(body);
  if (!Array.isArray(parsed)) throw new Error('Telemetry delivery is not a JSON array');
  const records: TelemetryRecord[] = [];
  for (const raw of parsed) {
    const record = parseTelemetryRecord(raw);
    if (record) records.push(record);
  }
  return records;
}

/** One `{time, type, record}` entry; undefined when it is not even an object with a type. */
export function parseTelemetryRecord(raw: unknown): TelemetryRecord | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  const parsedTime = typeof raw.time === 'string' ? Date.parse(raw.time) : NaN;
  const timeMs = Number.isFinite(parsedTime) ? parsedTime : Date.now();
  const body = isObject(raw.record) ? raw.record : {};
  const metrics = isObject(body.metrics) ? body.metrics : {};
  switch (raw.type) {
    case 'function':
    case 'extension': {
      const line = raw.record;
      if (typeof line === 'string') return { type: raw.type, timeMs, record: line };
      if (isObject(line)) return { type: raw.type, timeMs, record: line };
      return { type: raw.type, timeMs, record: String(line ?? '') };
    }
    case 'platform.initStart':
      return { type: raw.type, timeMs, initializationType: str(body.initializationType), phase: str(body.phase), runtimeVersion: str(body.runtimeVersion) };
    case 'platform.initRuntimeDone':
      return { type: raw.type, timeMs, initializationType: str(body.initializationType), status: str(body.status), errorType: str(body.errorType) };
    case 'platform.initReport':
      return {
        type: raw.type,
        timeMs,
        initializationType: str(body.initializationType),
        status: str(body.status),
        errorType: str(body.errorType),
        durationMs: num(metrics.durationMs),
      };
    case 'platform.start':
      if (typeof body.requestId !== 'string') return { type: 'other', timeMs, originalType: raw.type };
      return { type: raw.type, timeMs, requestId: body.requestId, tracing: tracing(body.tracing) };
    case 'platform.runtimeDone':
      if (typeof body.requestId !== 'string') return { type: 'other', timeMs, originalType: raw.type };
      return {
        type: raw.type,
        timeMs,
        requestId: body.requestId,
        status: str(body.status) ?? 'success',
        errorType: str(body.errorType),
        durationMs: num(metrics.durationMs),
        tracing: tracing(body.tracing),
      };
    case 'platform.report':
      if (typeof body.requestId !== 'string') return { type: 'other', timeMs, originalType: raw.type };
      return {
        type: raw.type,
        timeMs,
        requestId: body.requestId,
        status: str(body.status) ?? 'success',
        errorType: str(body.errorType),
        tracing: tracing(body.tracing),
        metrics: {
          durationMs: num(metrics.durationMs),
          billedDurationMs: num(metrics.billedDurationMs),
          memorySizeMB: num(metrics.memorySizeMB),
          maxMemoryUsedMB: num(metrics.maxMemoryUsedMB),
          initDurationMs: num(metrics.initDurationMs),
          restoreDurationMs: num(metrics.restoreDurationMs),
        },
      };
    case 'platform.logsDropped':
      return { type: raw.type, timeMs, droppedRecords: num(body.droppedRecords), droppedBytes: num(body.droppedBytes), reason: str(body.reason) };
    default:
      return { type: 'other', timeMs, originalType: raw.type };
  }
}

/** A platform status that means the runtime did not finish the invocation normally. */
export function isFailureStatus(status: string | undefined): boolean {
  return status !== undefined && status.toLowerCase() !== 'success';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function tracing(value: unknown): TracingContext | undefined {
  if (!isObject(value)) return undefined;
  return { type: str(value.type), value: str(value.value), spanId: str(value.spanId) };
}
