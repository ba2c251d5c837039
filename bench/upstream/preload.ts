// The upstream OpenTelemetry Lambda recipe, as the OpenTelemetry Lambda layer assembles it: a tracer
// provider with a BatchSpanProcessor and the OTLP/HTTP protobuf exporter, the aws-lambda and http
// instrumentations, and import-in-the-middle's ESM loader hook when the handler is an ES module (the
// runtime client loads handlers with import(), which require() hooks never see). The aws-lambda
// instrumentation force-flushes the provider before every invoke returns.
// Bundled with esbuild into one file loaded with `--import`; import-in-the-middle stays outside the
// bundle, as in the upstream layer, because its loader thread and the hooked modules must share one copy.
import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { basename, resolve } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsLambdaInstrumentation } from '@opentelemetry/instrumentation-aws-lambda';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const provider = new TracerProvider({
  resource: resourceFromAttributes({
    'service.name': process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown_service',
    'cloud.provider': 'aws',
    'cloud.region': process.env.AWS_REGION ?? '',
    'faas.name': process.env.AWS_LAMBDA_FUNCTION_NAME ?? '',
  }),
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
});
// What sdk-trace-node's NodeTracerProvider.register() did: context manager, propagators, global provider.
context.setGlobalContextManager(new AsyncLocalStorageContextManager());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
trace.setGlobalTracerProvider(provider);

registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [new AwsLambdaInstrumentation(), new HttpInstrumentation()],
});

// The upstream layer's loader step: register the ESM hook only for ES-module handlers.
function handlerIsEsm(): boolean {
  const handler = process.env._HANDLER ?? '';
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? '';
  const file = handler.slice(0, handler.length - basename(handler).length) + (basename(handler).split('.')[0] ?? '');
  const base = resolve(taskRoot, file);
  if (existsSync(`${base}.mjs`)) return true;
  if (existsSync(`${base}.cjs`)) return false;
  return existsSync(`${base}.js`) && isTypeModule(resolve(base, '..'));
}

function isTypeModule(dir: string): boolean {
  const manifest = resolve(dir, 'package.json');
  if (existsSync(manifest)) {
    try {
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module';
    } catch {
      return false;
    }
  }
  const parent = resolve(dir, '..');
  return parent !== dir && !dir.endsWith('/node_modules') && isTypeModule(parent);
}

// BENCH_UPSTREAM_ESM_HOOK=off is the benchmark's switch to measure the recipe without the hook.
if (process.env.BENCH_UPSTREAM_ESM_HOOK !== 'off' && handlerIsEsm()) register('import-in-the-middle/hook.mjs', import.meta.url);
