import { SpanStatusCode, context as contextApi, trace, type Attributes, type Context, type Span as ApiSpan, type SpanKind } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_AWS_LAMBDA_INVOKED_ARN,
  ATTR_CLOUD_RESOURCE_ID,
  ATTR_FAAS_COLDSTART,
  ATTR_FAAS_INVOCATION_ID,
  ATTR_FAAS_TRIGGER,
} from '@opentelemetry/semantic-conventions/incubating';
import { ATTR_LAMBDA_OTEL_TIMEOUT } from '../attributes.ts';
import type { InstrumentConfig } from '../config.ts';
import { warnOnce } from '../diagnostics.ts';
import { logger } from '../logger/logger.ts';
import { errorFields } from '../logger/log-record.ts';
import { extractParent } from '../propagation/extract-parent.ts';
import { ensureTelemetry, type Telemetry } from '../provider/telemetry.ts';
import { OTHER_TRIGGER, detectTrigger } from '../triggers/registry.ts';
import type { TriggerInfo } from '../triggers/trigger.ts';
import type { LambdaContext } from '../types.ts';
import { takeColdStart } from './cold-start.ts';
import { invocationStore, type InvocationState } from './invocation-state.ts';
import { armTimeoutGuard } from './timeout-guard.ts';
import { captureEventAttribute } from './capture-event.ts';

/** One running invocation: its state (in ALS while it runs), root span and the context to run in. */
export interface Invocation {
  readonly state: InvocationState;
  readonly rootSpan: ApiSpan;
  readonly context: Context;
  readonly trigger: TriggerInfo;
  readonly telemetry: Telemetry;
  readonly startedAtMs: number;
  disarmTimeout: () => void;
}

export type InvocationOutcome = { readonly result: unknown } | { readonly error: unknown };

function safely<T>(what: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    warnOnce(`hook:${what}`, `lambda-otel: ${what} failed; the default is used`, { error });
    return fallback;
  }
}

/** The X-Ray header Lambda handed the runtime for this invocation; the env var only without concurrency. */
function lambdaTraceHeader(context: LambdaContext, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof context.xRayTraceId === 'string' && context.xRayTraceId !== '') return context.xRayTraceId;
  const concurrent = Number(env.AWS_LAMBDA_MAX_CONCURRENCY ?? '1') > 1;
  return concurrent ? undefined : env._X_AMZN_TRACE_ID;
}

/**
 * The function's ARN without the alias or version the invocation named
 * (`arn:aws:lambda:<region>:<account>:function:<name>`), as `cloud.resource_id` requires.
 */
export function functionArn(invokedArn: string): string {
  const parts = invokedArn.split(':');
  return parts.length > 7 && parts[5] === 'function' ? parts.slice(0, 7).join(':') : invokedArn;
}

/**
 * `faas.coldstart`: the first invocation of the process, except in an environment Lambda initialised
 * ahead of time for provisioned concurrency (its init was not on any request's path).
 */
function isColdStart(env: NodeJS.ProcessEnv): boolean {
  const first = takeColdStart();
  return first && env.AWS_LAMBDA_INITIALIZATION_TYPE !== 'provisioned-concurrency';
}

/**
 * Starts an invocation: detects the trigger, decides the parent, kind, name and attributes (all at
 * span start), starts the root span and arms the timeout guard. Never throws for bad events: an
 * unrecognised shape is `faas.trigger=other`.
 */
export function startInvocation(event: unknown, context: LambdaContext, config: InstrumentConfig, env: NodeJS.ProcessEnv = process.env): Invocation {
  const telemetry = ensureTelemetry(config, context, env);
  const coldStart = isColdStart(env);
  const trigger = safely('trigger detection', () => detectTrigger(event, config), OTHER_TRIGGER);
  const parent = extractParent({ trigger, propagators: config.propagators, lambdaTraceHeader: lambdaTraceHeader(context, env) });
  const functionName = context.functionName ?? env.AWS_LAMBDA_FUNCTION_NAME ?? 'handler';

  const kind =
    typeof config.kind === 'function'
      ? safely('option kind', () => (config.kind as (e: unknown, c: LambdaContext) => SpanKind)(event, context), trigger.kind)
      : (config.kind ?? trigger.kind);
  const name =
    typeof config.name === 'function'
      ? safely('option name', () => (config.name as (e: unknown, c: LambdaContext) => string)(event, context), trigger.spanName ?? functionName)
      : (config.name ?? trigger.spanName ?? functionName);

  const attributes: Attributes = {
    ...trigger.attributes,
    [ATTR_FAAS_INVOCATION_ID]: context.awsRequestId,
    [ATTR_FAAS_COLDSTART]: coldStart,
    [ATTR_FAAS_TRIGGER]: trigger.trigger,
  };
  if (typeof context.invokedFunctionArn === 'string' && context.invokedFunctionArn !== '') {
    attributes[ATTR_CLOUD_RESOURCE_ID] = functionArn(context.invokedFunctionArn);
    attributes[ATTR_AWS_LAMBDA_INVOKED_ARN] = context.invokedFunctionArn;
  }
  if (config.captureEvent) Object.assign(attributes, captureEventAttribute(event, config));
  if (config.attributes)
    Object.assign(
      attributes,
      safely('option attributes', () => config.attributes!(event, context) ?? {}, {}),
    );

  const rootSpan = telemetry.ids.withTraceId(parent.traceIdHint, () =>
    telemetry.tracer.startSpan(name, { kind, attributes, links: parent.links }, parent.context),
  );
  const spanContext = rootSpan.spanContext();
  const state: InvocationState = {
    requestId: context.awsRequestId,
    traceId: spanContext.traceId,
    rootSpanId: spanContext.spanId,
    openSpans: new Set(),
    ended: false,
  };
  // The collector saw the root span start outside the store; register it here.
  if (rootSpan.isRecording()) state.openSpans.add(rootSpan as unknown as Span);

  const invocation: Invocation = {
    state,
    rootSpan,
    context: trace.setSpan(parent.context, rootSpan),
    trigger,
    telemetry,
    startedAtMs: Date.now(),
    disarmTimeout: () => {},
  };
  const remainingTimeMs =
    typeof context.getRemainingTimeInMillis === 'function' ? safely('getRemainingTimeInMillis', () => context.getRemainingTimeInMillis!(), NaN) : NaN;
  invocation.disarmTimeout = armTimeoutGuard({
    remainingTimeMs,
    marginMs: config.timeoutMarginMs,
    onTimeout: () => timeOutInvocation(invocation),
  });
  return invocation;
}

/** startInvocation for the adapters: a failure is reported once and the handler runs without a span. */
export function tryStartInvocation(event: unknown, context: LambdaContext, config: InstrumentConfig): Invocation | undefined {
  try {
    return startInvocation(event, context, config);
  } catch (error) {
    warnOnce('start-invocation', 'lambda-otel: the invocation could not be instrumented; the handler runs without a span', { error });
    return undefined;
  }
}

/** Runs `fn` inside the invocation: its ALS state and the root span as the active span. */
export function runInInvocation<T>(invocation: Invocation, fn: () => T): T {
  return invocationStore().run(invocation.state, () => contextApi.with(invocation.context, fn));
}

/** A thrown non-Error (a string, an object) as an Error, without a stack that would point at the plugin. */
function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  let message: string;
  try {
    message = typeof thrown === 'object' && thrown !== null ? JSON.stringify(thrown) : String(thrown);
  } catch {
    message = String(thrown);
  }
  const error = new Error(message);
  error.stack = undefined;
  return error;
}

/** Records an error on the root span and writes the invocation's one ERROR log line. */
export function recordInvocationError(invocation: Invocation, thrown: unknown): void {
  const error = asError(thrown);
  const { errorType, errorMessage } = errorFields(error);
  const span = invocation.rootSpan;
  span.recordException({ name: errorType, message: errorMessage, ...(error.stack ? { stack: error.stack } : {}) });
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage });
  span.setAttribute(ATTR_ERROR_TYPE, errorType);
  // requestId, trace_id and span_id come from the correlation source: this runs inside the invocation.
  logger.error(errorMessage || 'Invoke Error', { error });
}

/**
 * Ends the invocation once: result attributes (HTTP status), error recording and log line, the root
 * span's end, and the export scheduled for after the response. Never throws.
 */
export function endInvocation(invocation: Invocation, outcome: InvocationOutcome, extraAttributes?: Attributes): void {
  const { state, rootSpan } = invocation;
  if (state.ended) return;
  try {
    invocation.disarmTimeout();
    if (extraAttributes) rootSpan.setAttributes(extraAttributes);
    if ('error' in outcome) {
      recordInvocationError(invocation, outcome.error);
    } else if (invocation.trigger.onResult) {
      const { attributes, isError } = invocation.trigger.onResult(outcome.result);
      rootSpan.setAttributes(attributes);
      if (isError) rootSpan.setStatus({ code: SpanStatusCode.ERROR });
    }
  } catch (error) {
    warnOnce('end-invocation', 'lambda-otel: recording the invocation outcome failed', { error });
  }
  state.ended = true;
  rootSpan.end();
  state.openSpans.clear();
  invocation.telemetry.collector.scheduleExport();
}

/**
 * The timeout guard fired: end every span still open in this invocation (root last) as ERROR with
 * `lambda_otel.timeout=true`, log one ERROR line and hand the spans to the writer at once.
 */
export function timeOutInvocation(invocation: Invocation): void {
  const { state, rootSpan } = invocation;
  if (state.ended) return;
  state.ended = true;
  const message = 'Task timed out: the invocation reached its deadline margin';
  for (const span of [...state.openSpans]) {
    if ((span as unknown) === rootSpan) continue;
    span.setAttribute(ATTR_LAMBDA_OTEL_TIMEOUT, true);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.end();
  }
  rootSpan.setAttribute(ATTR_LAMBDA_OTEL_TIMEOUT, true);
  rootSpan.setStatus({ code: SpanStatusCode.ERROR, message });
  rootSpan.end();
  state.openSpans.clear();
  runInInvocation(invocation, () => logger.error(message, { errorType: 'Sandbox.Timedout', errorMessage: message }));
  void invocation.telemetry.collector.exportNow();
}
