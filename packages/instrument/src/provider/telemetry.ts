import { context as contextApi, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { existsSync, readdirSync } from 'node:fs';
import type { InstrumentConfig } from '../config.ts';
import { warnOnce } from '../diagnostics.ts';
import { currentInvocation } from '../invocation/invocation-state.ts';
import { SpanCollector } from '../invocation/span-collector.ts';
import { applyLoggerEnv, setCorrelationSource } from '../logger/logger.ts';
import { installGracefulShutdown } from '../shutdown/graceful-shutdown.ts';
import type { LambdaContext } from '../types.ts';
import { INSTRUMENTATION_SCOPE, INSTRUMENT_VERSION } from '../version.ts';
import { selectWriter } from '../writers/select-writer.ts';
import type { SpanWriter } from '../writers/writer.ts';
import { HintedIdGenerator } from './hinted-id-generator.ts';
import { processState } from './process-state.ts';
import { buildPropagator } from './propagator.ts';
import { lambdaResourceAttributes } from './resource.ts';
import { buildSampler } from './sampler.ts';

/** The process's tracing pipeline: one provider, one collector, one writer. */
export interface Telemetry {
  readonly config: InstrumentConfig;
  readonly provider: TracerProvider;
  readonly tracer: Tracer;
  readonly collector: SpanCollector;
  readonly ids: HintedIdGenerator;
  /** Present when this pipeline registered the global context manager (needed by the middy adapter). */
  readonly contextManager: AsyncLocalStorageContextManager | undefined;
  writer(): SpanWriter;
}

/** The pipeline, if the first invocation has created it. */
export function existingTelemetry(): Telemetry | undefined {
  return processState().telemetry as Telemetry | undefined;
}

/** Force-flushes everything buffered to the writer (graceful shutdown, tests, users' own hooks). */
export async function flushTelemetry(): Promise<void> {
  await existingTelemetry()?.collector.forceFlush();
}

function extensionsPresent(env: NodeJS.ProcessEnv): boolean {
  if (env.LAMBDA_OTEL_ORIGINAL_HANDLER) return true;
  try {
    return existsSync('/opt/extensions') && readdirSync('/opt/extensions').length > 0;
  } catch {
    return false;
  }
}

/**
 * Once per process, at init (cheap, no I/O except the /opt/extensions look-up): log correlation and the
 * graceful-shutdown hooks, which flush the pipeline on SIGTERM.
 */
export function installProcessHooks(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const state = processState();
  if (state.processHooksInstalled) return hooksReady ?? Promise.resolve();
  state.processHooksInstalled = true;
  applyLoggerEnv(env);
  setCorrelationSource(() => {
    const invocation = currentInvocation();
    const spanContext = trace.getActiveSpan()?.spanContext();
    return {
      requestId: invocation?.requestId,
      traceId: spanContext?.traceId ?? invocation?.traceId,
      spanId: spanContext?.spanId ?? invocation?.rootSpanId,
    };
  });
  const failed = (error: unknown) =>
    warnOnce('graceful-shutdown', 'lambda-otel: graceful shutdown hooks could not be installed', { error });
  try {
    hooksReady = Promise.resolve(installGracefulShutdown({ flushTelemetry, externalExtensionPresent: extensionsPresent(env) })).catch(failed);
  } catch (error) {
    failed(error);
    hooksReady = Promise.resolve();
  }
  return hooksReady;
}

let hooksReady: Promise<void> | undefined;

/**
 * The tracing pipeline, created at the first invocation (the resource needs the function ARN from the
 * context). Later calls return the same pipeline: the first configuration's process-wide settings
 * (writer, sampler, service name, resource) stay; a different later one is reported once and ignored.
 */
export function ensureTelemetry(config: InstrumentConfig, context: LambdaContext, env: NodeJS.ProcessEnv = process.env): Telemetry {
  const state = processState();
  const existing = state.telemetry as Telemetry | undefined;
  if (existing !== undefined) {
    if (existing.config !== config && (existing.config.writer !== config.writer || existing.config.serviceName !== config.serviceName)) {
      warnOnce('second-setup', 'lambda-otel: the tracer provider is already set up; writer and resource options of later wrap() calls are ignored');
    }
    return existing;
  }

  const attributes = lambdaResourceAttributes({
    env,
    serviceName: config.serviceName,
    resourceAttributes: config.resourceAttributes,
    invokedFunctionArn: typeof context.invokedFunctionArn === 'string' ? context.invokedFunctionArn : undefined,
    logStreamName: typeof context.logStreamName === 'string' ? context.logStreamName : undefined,
  });
  const source = String(attributes['service.name']);
  let writer: SpanWriter | undefined;
  const writerOf = () => (writer ??= selectWriter(config, source));
  const collector = new SpanCollector({ maxQueuedSpans: config.maxQueuedSpans, writer: writerOf });
  const ids = new HintedIdGenerator();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(attributes),
    sampler: buildSampler(config.sampler),
    idGenerator: ids,
    spanProcessors: [collector],
  });

  // Global registration lets user code's trace.getTracer() and context propagation use this pipeline.
  // If the application registered its own globals first, they stay; the root span still uses ours.
  let contextManager: AsyncLocalStorageContextManager | undefined = new AsyncLocalStorageContextManager();
  if (!contextApi.setGlobalContextManager(contextManager.enable())) {
    contextManager.disable();
    contextManager = undefined;
  }
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(buildPropagator(config.propagators));

  const telemetry: Telemetry = {
    config,
    provider,
    tracer: provider.getTracer(INSTRUMENTATION_SCOPE, INSTRUMENT_VERSION),
    collector,
    ids,
    contextManager,
    writer: writerOf,
  };
  state.telemetry = telemetry;
  return telemetry;
}
