/**
 * What Lambda reports about each invocation, as OTLP metrics: the FaaS metrics of the OpenTelemetry
 * semantic conventions (faas.invoke_duration, faas.init_duration, faas.coldstarts, faas.errors,
 * faas.timeouts, faas.invocations, faas.mem_usage) and what Lambda adds under `aws.lambda.*`
 * (billed duration, memory size, SnapStart restore duration, post-runtime duration), plus the tail
 * sampling counts. Fed with Telemetry API records and root spans; collected into metric items with
 * the function's resource. The time is always passed in.
 */
import {
  ATTR_FAAS_TRIGGER,
  METRIC_FAAS_COLDSTARTS,
  METRIC_FAAS_ERRORS,
  METRIC_FAAS_INIT_DURATION,
  METRIC_FAAS_INVOCATIONS,
  METRIC_FAAS_INVOKE_DURATION,
  METRIC_FAAS_MEM_USAGE,
  METRIC_FAAS_TIMEOUTS,
} from '@opentelemetry/semantic-conventions/incubating';
import { EXTENSION_SCOPE, invocationIdOf } from '../invocations/log-records.ts';
import type { MetricItem } from '../otlp/metrics-model.ts';
import { getAttr } from '../otlp/types.ts';
import type { Resource, SpanItem } from '../otlp/types.ts';
import { isFailureStatus } from '../receive/telemetry-records.ts';
import type { TelemetryRecord } from '../receive/telemetry-records.ts';
import { MetricsAggregator } from './aggregator.ts';
import type { Attributes, InstrumentDefinition, Temporality } from './aggregator.ts';

/** Seconds: OpenTelemetry's duration buckets, extended to Lambda's 15-minute limit. */
const SECONDS_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120, 300, 900] as const;
const MIB = 1024 * 1024;
/** Bytes: Lambda memory sizes from 64 MiB to 10 GiB. */
const MEMORY_BOUNDS = [64, 128, 256, 512, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 10240].map((mib) => mib * MIB);

export const SAMPLING_DECISION_KEY = 'lambda_otel.sampling.decision';
export const SAMPLING_REASON_KEY = 'lambda_otel.sampling.reason';

/** Every metric the extension reports, by name. */
export const faasInstruments = {
  invokeDuration: {
    name: METRIC_FAAS_INVOKE_DURATION,
    unit: 's',
    description: "Duration of the function's logic (platform.runtimeDone durationMs)",
    kind: 'histogram',
    bounds: SECONDS_BOUNDS,
  },
  initDuration: {
    name: METRIC_FAAS_INIT_DURATION,
    unit: 's',
    description: 'Duration of the init phase (platform.initReport)',
    kind: 'histogram',
    bounds: SECONDS_BOUNDS,
  },
  coldstarts: {
    name: METRIC_FAAS_COLDSTARTS,
    unit: '{coldstart}',
    description: 'Invocations that were the first of their execution environment',
    kind: 'counter',
  },
  invocations: { name: METRIC_FAAS_INVOCATIONS, unit: '{invocation}', description: 'Invocations that succeeded', kind: 'counter' },
  errors: { name: METRIC_FAAS_ERRORS, unit: '{error}', description: 'Invocations that failed, timed out or crashed', kind: 'counter' },
  timeouts: { name: METRIC_FAAS_TIMEOUTS, unit: '{timeout}', description: 'Invocations that timed out', kind: 'counter' },
  memUsage: {
    name: METRIC_FAAS_MEM_USAGE,
    unit: 'By',
    description: 'Peak memory used per invocation (platform.report maxMemoryUsedMB)',
    kind: 'histogram',
    bounds: MEMORY_BOUNDS,
  },
  billedDuration: { name: 'aws.lambda.billed_duration', unit: 's', description: 'Billed duration per invocation', kind: 'histogram', bounds: SECONDS_BOUNDS },
  memorySize: { name: 'aws.lambda.memory_size', unit: 'By', description: 'Memory configured for the function', kind: 'gauge' },
  restoreDuration: {
    name: 'aws.lambda.restore_duration',
    unit: 's',
    description: 'SnapStart restore duration (platform.report restoreDurationMs)',
    kind: 'histogram',
    bounds: SECONDS_BOUNDS,
  },
  postRuntimeDuration: {
    name: 'aws.lambda.post_runtime_duration',
    unit: 's',
    description: 'Time extensions ran after the runtime finished (platform.report durationMs minus platform.runtimeDone durationMs)',
    kind: 'histogram',
    bounds: SECONDS_BOUNDS,
  },
  samplingDecisions: {
    name: 'lambda_otel.sampling.invocations',
    unit: '{invocation}',
    description: 'Tail sampling decisions, by decision (kept, dropped) and reason',
    kind: 'counter',
  },
} as const satisfies Record<string, InstrumentDefinition>;

/** Invocations remembered between their runtimeDone and report, and their trigger. */
const REMEMBERED_INVOCATIONS = 256;

export interface FaasMetricsOptions {
  readonly temporality: Temporality;
  /** Resource for the metrics until the function's own (from its first root span) is known. */
  readonly resource: Resource;
  readonly startMs: number;
}

export class FaasMetrics {
  readonly #aggregator: MetricsAggregator;
  readonly #fallbackResource: Resource;
  #resource: Resource | undefined;
  /** Per request id: the runtime's own duration and the invocation's trigger, until its report. */
  readonly #pending = new Map<string, { runtimeMs?: number; trigger?: string }>();
  #reports = 0;

  constructor(options: FaasMetricsOptions) {
    this.#aggregator = new MetricsAggregator(options.temporality, options.startMs);
    this.#fallbackResource = options.resource;
  }

  /** Root spans carry the trigger (faas.trigger) and, once, the function's resource. */
  onSpans(items: readonly SpanItem[]): void {
    for (const item of items) {
      const requestId = invocationIdOf(item.span.attributes);
      if (typeof requestId !== 'string' || requestId === '') continue;
      this.#resource ??= item.resource;
      const trigger = getAttr(item.span.attributes, ATTR_FAAS_TRIGGER);
      if (typeof trigger === 'string') this.#entry(requestId).trigger = trigger;
    }
  }

  /** Telemetry API records; returns true when one of them changed a metric. */
  onTelemetry(records: readonly TelemetryRecord[]): boolean {
    let changed = false;
    for (const record of records) {
      switch (record.type) {
        case 'platform.initReport':
          if (record.durationMs !== undefined) {
            this.#aggregator.record(faasInstruments.initDuration, record.durationMs / 1000);
            changed = true;
          }
          break;
        case 'platform.runtimeDone':
          if (record.durationMs !== undefined) this.#entry(record.requestId).runtimeMs = record.durationMs;
          break;
        case 'platform.report':
          this.#onReport(record);
          changed = true;
          break;
        default:
          break;
      }
    }
    return changed;
  }

  /** One tail sampling decision. */
  countSampling(decision: 'kept' | 'dropped', reason: string): void {
    this.#aggregator.add(faasInstruments.samplingDecisions, 1, { [SAMPLING_DECISION_KEY]: decision, [SAMPLING_REASON_KEY]: reason });
  }

  get hasNews(): boolean {
    return this.#aggregator.hasNews;
  }

  /** The metrics at `nowMs`, as items under the function's resource. */
  collect(nowMs: number): MetricItem[] {
    const resource = this.#resource ?? this.#fallbackResource;
    return this.#aggregator.collect(nowMs).map((metric) => ({ resource, scope: EXTENSION_SCOPE, metric }));
  }

  #onReport(record: Extract<TelemetryRecord, { type: 'platform.report' }>): void {
    const pending = this.#pending.get(record.requestId);
    this.#pending.delete(record.requestId);
    const attributes: Attributes = pending?.trigger ? { [ATTR_FAAS_TRIGGER]: pending.trigger } : {};
    const { metrics } = record;
    const aggregator = this.#aggregator;
    // The first report of the environment is its cold start (the extension lives as long as it does).
    if (this.#reports++ === 0 || metrics.initDurationMs !== undefined || metrics.restoreDurationMs !== undefined) {
      aggregator.add(faasInstruments.coldstarts, 1, attributes);
    }
    if (isFailureStatus(record.status)) {
      aggregator.add(faasInstruments.errors, 1, attributes);
      if (record.status.toLowerCase() === 'timeout' || record.errorType === 'Sandbox.Timedout') aggregator.add(faasInstruments.timeouts, 1, attributes);
    } else {
      aggregator.add(faasInstruments.invocations, 1, attributes);
    }
    const runtimeMs = pending?.runtimeMs ?? metrics.durationMs;
    if (runtimeMs !== undefined) aggregator.record(faasInstruments.invokeDuration, runtimeMs / 1000, attributes);
    if (metrics.billedDurationMs !== undefined) aggregator.record(faasInstruments.billedDuration, metrics.billedDurationMs / 1000, attributes);
    if (metrics.maxMemoryUsedMB !== undefined) aggregator.record(faasInstruments.memUsage, metrics.maxMemoryUsedMB * MIB, attributes);
    if (metrics.memorySizeMB !== undefined) aggregator.set(faasInstruments.memorySize, metrics.memorySizeMB * MIB);
    if (metrics.restoreDurationMs !== undefined) aggregator.record(faasInstruments.restoreDuration, metrics.restoreDurationMs / 1000, attributes);
    if (pending?.runtimeMs !== undefined && metrics.durationMs !== undefined) {
      aggregator.record(faasInstruments.postRuntimeDuration, Math.max(0, metrics.durationMs - pending.runtimeMs) / 1000, attributes);
    }
  }

  #entry(requestId: string): { runtimeMs?: number; trigger?: string } {
    let entry = this.#pending.get(requestId);
    if (!entry) {
      entry = {};
      this.#pending.set(requestId, entry);
      // Oldest first: a report that never came must not keep its entry forever.
      if (this.#pending.size > REMEMBERED_INVOCATIONS) this.#pending.delete(this.#pending.keys().next().value!);
    }
    return entry;
  }
}
