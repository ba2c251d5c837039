/**
 * Tail sampling in the pipeline: learns what each invocation was (trace, root span, platform
 * status and duration, the caller's sampling decision) from the same inputs as the tracker, and,
 * just before an export, drops the items of invocations the rules do not keep. An invocation is
 * decided once (decide.ts), at the first export after it completed; items of an invocation still
 * running, or of no known invocation, are exported as they are. Deciding is a few map lookups:
 * it never holds the invocation or the environment longer.
 */
import type { BufferedEntry } from '../buffer/telemetry-buffer.ts';
import { invocationIdOf } from '../invocations/log-records.ts';
import { parseXRayHeader } from '../invocations/trace-context.ts';
import { attr, getAttr, StatusCode } from '../otlp/types.ts';
import type { SpanItem } from '../otlp/types.ts';
import { isFailureStatus } from '../receive/telemetry-records.ts';
import type { TelemetryRecord } from '../receive/telemetry-records.ts';
import { decide } from './decide.ts';
import type { SamplingDecision } from './decide.ts';
import type { SamplingRules } from './sampling-rules.ts';

/** Set on the root span of a kept invocation whose caller sampled the trace out: its upstream part is missing. */
export const PARTIAL_TRACE_KEY = 'lambda_otel.sampling.partial';
/** Why the invocation was kept: error | slow | coldstart | ratio. */
export const KEPT_REASON_KEY = 'lambda_otel.sampling.reason';

/** W3C trace flags live in bits 0-7 of OTLP Span.flags; bits 8-9 say the exporter set them. */
const FLAG_SAMPLED = 0x01;
const FLAGS_KNOWN = 0x300;
const REMEMBERED_INVOCATIONS = 256;

interface Known {
  readonly requestId: string;
  traceId: string | undefined;
  upstreamSampled: boolean | undefined;
  coldStart: boolean;
  failed: boolean;
  durationMs: number | undefined;
  root: SpanItem | undefined;
  /** Root span, runtimeDone or report arrived: the invocation is over. */
  finished: boolean;
  decision: SamplingDecision | undefined;
}

export interface SamplingCounts {
  kept: Record<string, number>;
  dropped: Record<string, number>;
  /** Items left out of exports. */
  droppedSpans: number;
  droppedLogs: number;
}

export interface TailSamplerOptions {
  readonly rules: SamplingRules;
  /** Called once per decided invocation (for the metrics). */
  readonly onDecision?: (decision: SamplingDecision) => void;
}

export class TailSampler {
  readonly #rules: SamplingRules;
  readonly #onDecision: ((decision: SamplingDecision) => void) | undefined;
  readonly #byRequest = new Map<string, Known>();
  readonly #requestByTrace = new Map<string, string>();
  #seenAny = false;
  readonly #counts: SamplingCounts = { kept: {}, dropped: {}, droppedSpans: 0, droppedLogs: 0 };

  constructor(options: TailSamplerOptions) {
    this.#rules = options.rules;
    this.#onDecision = options.onDecision;
  }

  /** An INVOKE event (request id and Lambda's X-Ray header). */
  startInvocation(requestId: string, traceHeader: string | undefined): void {
    this.#noteTraceHeader(this.#known(requestId), traceHeader);
  }

  /** Spans as they enter the buffer (received, or made by the extension): roots say how the invocation went. */
  onSpans(items: readonly SpanItem[]): void {
    for (const item of items) {
      const requestId = invocationIdOf(item.span.attributes);
      if (typeof requestId !== 'string' || requestId === '') continue;
      const known = this.#known(requestId);
      const { span } = item;
      known.root = item;
      known.finished = true;
      this.#link(known, span.traceId);
      if (span.status?.code === StatusCode.error) known.failed = true;
      const coldStart = getAttr(span.attributes, 'faas.coldstart');
      if (typeof coldStart === 'boolean') known.coldStart = coldStart;
      const durationNs = Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano));
      if (Number.isFinite(durationNs) && durationNs >= 0) known.durationMs = durationNs / 1e6;
      const flags = span.flags ?? 0;
      if ((flags & FLAGS_KNOWN) !== 0 && (flags & FLAG_SAMPLED) === 0) known.upstreamSampled = false;
    }
  }

  /** platform.start (trace header), platform.runtimeDone and platform.report (status, duration). */
  onTelemetry(records: readonly TelemetryRecord[]): void {
    for (const record of records) {
      if (record.type === 'platform.start') {
        this.#noteTraceHeader(this.#known(record.requestId), record.tracing?.value);
      } else if (record.type === 'platform.runtimeDone' || record.type === 'platform.report') {
        const known = this.#known(record.requestId);
        known.finished = true;
        if (isFailureStatus(record.status)) known.failed = true;
        const durationMs = record.type === 'platform.report' ? record.metrics.durationMs : record.durationMs;
        known.durationMs ??= durationMs;
      }
    }
  }

  /**
   * The entries to export: those of invocations the rules drop are left out (their logs only with
   * `dropLogs`); the root span of a kept invocation says why it was kept. Metrics pass untouched.
   */
  select(entries: readonly BufferedEntry[]): BufferedEntry[] {
    const selected: BufferedEntry[] = [];
    for (const entry of entries) {
      if (entry.kind === 'metric') {
        selected.push(entry);
        continue;
      }
      // A root (or log line) names its invocation; other spans belong to it through their trace.
      const known =
        entry.kind === 'span'
          ? this.#of(invocationIdOf(entry.item.span.attributes), entry.item.span.traceId)
          : this.#of(invocationIdOf(entry.item.log.attributes), entry.item.log.traceId);
      const decision = known ? this.#decision(known) : undefined;
      if (decision && !decision.keep) {
        if (entry.kind === 'span') {
          this.#counts.droppedSpans++;
          continue;
        }
        if (this.#rules.dropLogs) {
          this.#counts.droppedLogs++;
          continue;
        }
      }
      if (decision?.keep && entry.kind === 'span' && entry.item === known!.root) markRoot(entry.item, decision);
      selected.push(entry);
    }
    return selected;
  }

  /** Invocations kept and dropped by reason, and the items left out. */
  get counts(): SamplingCounts {
    return {
      kept: { ...this.#counts.kept },
      dropped: { ...this.#counts.dropped },
      droppedSpans: this.#counts.droppedSpans,
      droppedLogs: this.#counts.droppedLogs,
    };
  }

  #decision(known: Known): SamplingDecision | undefined {
    if (known.decision || !known.finished) return known.decision;
    const decision = decide(this.#rules, known);
    known.decision = decision;
    const tally = decision.keep ? this.#counts.kept : this.#counts.dropped;
    tally[decision.reason] = (tally[decision.reason] ?? 0) + 1;
    this.#onDecision?.(decision);
    return decision;
  }

  /** The invocation an item names, else the one its trace belongs to (the latest, when a trace spans several). */
  #of(requestId: unknown, traceId: string | undefined): Known | undefined {
    const named = typeof requestId === 'string' ? this.#byRequest.get(requestId) : undefined;
    return named ?? (traceId ? this.#byRequest.get(this.#requestByTrace.get(traceId) ?? '') : undefined);
  }

  #noteTraceHeader(known: Known, header: string | undefined): void {
    const xray = parseXRayHeader(header);
    if (!xray) return;
    if (xray.sampled === false) known.upstreamSampled = false;
    if (!known.traceId) this.#link(known, xray.traceId);
  }

  #link(known: Known, traceId: string): void {
    known.traceId ??= traceId;
    this.#requestByTrace.set(traceId, known.requestId);
  }

  #known(requestId: string): Known {
    let known = this.#byRequest.get(requestId);
    if (!known) {
      known = {
        requestId,
        traceId: undefined,
        upstreamSampled: undefined,
        coldStart: !this.#seenAny,
        failed: false,
        durationMs: undefined,
        root: undefined,
        finished: false,
        decision: undefined,
      };
      this.#seenAny = true;
      this.#byRequest.set(requestId, known);
      this.#forgetOld();
    }
    return known;
  }

  /** Memory stays flat: the oldest invocations are forgotten past the bound. */
  #forgetOld(): void {
    while (this.#byRequest.size > REMEMBERED_INVOCATIONS) {
      const oldest = this.#byRequest.values().next().value!;
      this.#byRequest.delete(oldest.requestId);
      for (const [traceId, requestId] of this.#requestByTrace) if (requestId === oldest.requestId) this.#requestByTrace.delete(traceId);
    }
  }
}

function markRoot(root: SpanItem, decision: Extract<SamplingDecision, { keep: true }>): void {
  const attributes = root.span.attributes.filter((kv) => kv.key !== KEPT_REASON_KEY && kv.key !== PARTIAL_TRACE_KEY);
  attributes.push(attr(KEPT_REASON_KEY, decision.reason));
  if (decision.partial) attributes.push(attr(PARTIAL_TRACE_KEY, true));
  root.span.attributes = attributes;
}
