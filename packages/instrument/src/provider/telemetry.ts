import { context as contextApi, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { InstrumentConfig } from '../config.ts';
import { warnOnce } from '../diagnostics.ts';
import { SpanCollector } from '../invocation/span-collector.ts';
import type { LambdaContext } from '../types.ts';
import { INSTRUMENTATION_SCOPE, INSTRUMENT_VERSION } from '../version.ts';
import { HintedIdGenerator } from './hinted-id-generator.ts';
import { processState } from './process-state.ts';
import { buildPropagator } from './propagator.ts';
import { lambdaResourceAttributes } from './resource.ts';
import { buildSampler } from './sampler.ts';

/** The process's tracing pipeline: one provider, one collector (which loads the writer on first use). */
export interface Telemetry {
  readonly config: InstrumentConfig;
  readonly provider: TracerProvider;
  readonly tracer: Tracer;
  readonly collector: SpanCollector;
  readonly ids: HintedIdGenerator;
  /** Present when this pipeline registered the global context manager (needed by the middy adapter). */
  readonly contextManager: AsyncLocalStorageContextManager | undefined;
}

/** The pipeline, if the first invocation has created it. */
export function existingTelemetry(): Telemetry | undefined {
  return processState().telemetry as Telemetry | undefined;
}

/** Force-flushes everything buffered to the writer (graceful shutdown, tests, users' own hooks). */
export async function flushTelemetry(): Promise<void> {
  await existingTelemetry()?.collector.forceFlush();
}

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
  const source = String(attributes[ATTR_SERVICE_NAME]);
  // The writers (HTTP clients, gzip, OTLP serializers) are a separate chunk, loaded at the first export,
  // after the first response: nothing of it is needed to start a span.
  const collector = new SpanCollector({
    maxQueuedSpans: config.maxQueuedSpans,
    loadWriter: () => import('../writers/select-writer.ts').then(({ selectWriter }) => selectWriter(config, source)),
  });
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
  };
  state.telemetry = telemetry;
  return telemetry;
}
