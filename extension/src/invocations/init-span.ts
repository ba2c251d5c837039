/**
 * The `Initialization` span: platform.initStart / initRuntimeDone / initReport, placed in the first
 * invocation's trace under its root span (a cold start's init belongs to the request that waited
 * for it).
 */
import { attr, SpanKind, StatusCode } from '../otlp/types.ts';
import type { KeyValue, Span } from '../otlp/types.ts';
import { isFailureStatus } from '../receive/telemetry-records.ts';
import type { TelemetryRecord } from '../receive/telemetry-records.ts';
import { failureReason } from './failure.ts';
import { msToUnixNano, randomSpanId } from './trace-context.ts';

/** What the init records said so far. */
export interface InitRecords {
  startMs?: number;
  runtimeDoneMs?: number;
  durationMs?: number;
  initializationType?: string;
  runtimeVersion?: string;
  status?: string;
  errorType?: string;
}

/** Folds one record into `init`; returns false when it is not an init record. */
export function recordInit(init: InitRecords, record: TelemetryRecord): boolean {
  switch (record.type) {
    case 'platform.initStart':
      init.startMs = record.timeMs;
      init.initializationType = record.initializationType;
      init.runtimeVersion = record.runtimeVersion;
      return true;
    case 'platform.initRuntimeDone':
      init.runtimeDoneMs = record.timeMs;
      init.status = record.status;
      init.errorType = record.errorType;
      return true;
    case 'platform.initReport':
      init.durationMs = record.durationMs;
      init.status ??= record.status;
      init.errorType ??= record.errorType;
      return true;
    default:
      return false;
  }
}

/**
 * The init span under `parent`, or undefined while its end is unknown. `final` (at SHUTDOWN) takes
 * the start as the end rather than waiting for records that will not come.
 */
export function initSpan(init: InitRecords, parent: Span, final: boolean): Span | undefined {
  if (init.startMs === undefined) return undefined;
  const endMs = init.durationMs !== undefined ? init.startMs + init.durationMs : init.runtimeDoneMs;
  if (endMs === undefined && !final) return undefined;
  const attributes: KeyValue[] = [attr('faas.coldstart', true)];
  if (init.initializationType) attributes.push(attr('aws.lambda.initialization_type', init.initializationType));
  if (init.runtimeVersion) attributes.push(attr('aws.lambda.runtime_version', init.runtimeVersion));
  if (init.status) attributes.push(attr('aws.lambda.init.status', init.status));
  if (init.durationMs !== undefined) attributes.push(attr('aws.lambda.init_duration_ms', init.durationMs));
  return {
    traceId: parent.traceId,
    spanId: randomSpanId(),
    parentSpanId: parent.spanId,
    name: 'Initialization',
    kind: SpanKind.internal,
    startTimeUnixNano: msToUnixNano(init.startMs),
    endTimeUnixNano: msToUnixNano(endMs ?? init.startMs),
    attributes,
    events: [],
    links: [],
    status: isFailureStatus(init.status)
      ? { code: StatusCode.error, message: failureReason(init.status ?? 'error', init.errorType) }
      : { code: StatusCode.unset },
  };
}
