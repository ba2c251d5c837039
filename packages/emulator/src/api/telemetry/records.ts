// Telemetry API records (schema 2022-12-13 shapes) as a discriminated union on `type`.

export type InitializationType = 'on-demand' | 'provisioned-concurrency' | 'snap-start' | 'lambda-managed-instances';
export type RecordStatus = 'success' | 'error' | 'failure' | 'timeout';

export interface Tracing {
  spanId?: string;
  type: 'X-Amzn-Trace-Id';
  value: string;
}

export interface Span {
  name: string;
  start: string;
  durationMs: number;
}

export type TelemetryRecord =
  | {
      type: 'platform.initStart';
      record: {
        initializationType: InitializationType;
        phase: 'init' | 'invoke';
        runtimeVersion?: string;
        runtimeVersionArn?: string;
        functionName: string;
        functionVersion: string;
      };
    }
  | { type: 'platform.initRuntimeDone'; record: { initializationType: InitializationType; phase: 'init' | 'invoke'; status: RecordStatus; errorType?: string } }
  | {
      type: 'platform.initReport';
      record: { initializationType: InitializationType; phase: 'init' | 'invoke'; status: RecordStatus; errorType?: string; metrics: { durationMs: number } };
    }
  | { type: 'platform.start'; record: { requestId: string; version: string; tracing?: Tracing } }
  | {
      type: 'platform.runtimeDone';
      record: {
        requestId: string;
        status: RecordStatus;
        errorType?: string;
        metrics: { durationMs: number; producedBytes: number };
        spans: Span[];
        tracing?: Tracing;
      };
    }
  | { type: 'platform.report'; record: { requestId: string; status: RecordStatus; errorType?: string; metrics: ReportMetrics; tracing?: Tracing } }
  | { type: 'platform.extension'; record: { name: string; state: 'Ready'; events: string[]; errorType?: string } }
  | { type: 'platform.telemetrySubscription'; record: { name: string; state: 'Subscribed'; types: string[] } }
  | { type: 'platform.logsDropped'; record: { droppedBytes: number; droppedRecords: number; reason: string } }
  | { type: 'function'; record: string | Record<string, unknown> }
  | { type: 'extension'; record: string | Record<string, unknown> };

export interface ReportMetrics {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  initDurationMs?: number;
}

export type TelemetryType = 'platform' | 'function' | 'extension';

export function categoryOf(type: TelemetryRecord['type']): TelemetryType {
  if (type === 'function' || type === 'extension') return type;
  return 'platform';
}

/** Lambda's timestamp format: ISO 8601 with milliseconds, UTC. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Milliseconds rounded to 3 decimals, as Lambda reports them. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
