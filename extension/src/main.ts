/**
 * Entry point of the external extension (started by /opt/extensions/lambda-otel). Wiring only:
 * register, read the configuration (errors go to /extension/init/error), start the Telemetry API
 * listener and the OTLP receiver, subscribe, then run the event loop. If the pipeline cannot
 * start, an idle loop keeps calling /event/next so the function never stalls.
 */
import { TelemetryBuffer } from './buffer/telemetry-buffer.ts';
import type { BufferedEntry } from './buffer/telemetry-buffer.ts';
import { MANAGED_INSTANCES_INIT_TYPE, readExtensionConfig } from './config.ts';
import type { ExtensionConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { Flusher } from './flush/flusher.ts';
import { InvocationTracker } from './invocations/invocation-tracker.ts';
import { resourceFrom } from './invocations/log-records.ts';
import { LazyExporter } from './lazy-exporter.ts';
import { ExtensionsClient } from './lifecycle/extensions-client.ts';
import { runEventLoop, runIdleLoop } from './lifecycle/loop.ts';
import { createLoopState } from './lifecycle/state.ts';
import { createLogger, errorMessage, isLogLevel } from './logger.ts';
import type { Logger } from './logger.ts';
import { estimateBytes } from './otlp/types.ts';
import { loadDecoder, startOtlpReceiver } from './receive/otlp-http-receiver.ts';
import { resolveSandboxAddress, startTelemetryListener } from './receive/telemetry-listener.ts';
import { drain } from './shutdown/drain.ts';

const TELEMETRY_SCHEMA = '2022-12-13';
const TELEMETRY_SCHEMA_MANAGED_INSTANCES = '2025-01-29';

async function main(): Promise<void> {
  const env = process.env;
  const earlyLevel = (env.LAMBDA_OTEL_LOG_LEVEL ?? 'info').toLowerCase();
  let logger: Logger = createLogger(isLogLevel(earlyLevel) ? earlyLevel : 'info');
  containUnexpectedErrors(() => logger);
  // The process ends only through process.exit: while exports wait on unref'd timers (backoff,
  // deadlines), an empty event loop must not end it silently mid-drain.
  setInterval(() => undefined, 60_000);
  if (!env.AWS_LAMBDA_RUNTIME_API) {
    logger.error('AWS_LAMBDA_RUNTIME_API is not set: not running inside Lambda');
    process.exit(1);
  }
  const client = new ExtensionsClient(env.AWS_LAMBDA_RUNTIME_API);
  const sandboxAddress = resolveSandboxAddress(30);
  const managedInstances = env.AWS_LAMBDA_INITIALIZATION_TYPE === MANAGED_INSTANCES_INIT_TYPE;
  // Managed Instances allow external extensions SHUTDOWN only.
  await client.register(env.LAMBDA_OTEL_EXTENSION_NAME?.trim() || 'lambda-otel', managedInstances ? ['SHUTDOWN'] : ['INVOKE', 'SHUTDOWN']);

  let config: ExtensionConfig;
  try {
    config = readExtensionConfig(env);
  } catch (error) {
    const message = errorMessage(error);
    logger.error(message);
    await client.initError(error instanceof ConfigError ? 'Extension.ConfigError' : 'Extension.InitError', message).catch(() => undefined);
    process.exit(1);
  }
  logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);

  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  try {
    pipeline = await startPipeline(config, client, logger, await sandboxAddress);
  } catch (error) {
    logger.error('telemetry pipeline failed to start; continuing without exporting', { error: errorMessage(error) });
    await runIdleLoop(client, logger);
    process.exit(0);
  }
  // performance.now() counts from process start: the time to the first /event/next.
  logger.debug('ready', { startupMs: Math.round(performance.now()), receiverPort: config.receiverPort, flush: config.flushPolicy.kind });
  await runEventLoop(pipeline.loopDeps);
  process.exit(0);
}

async function startPipeline(config: ExtensionConfig, client: ExtensionsClient, logger: Logger, sandboxAddress: string) {
  const buffer = new TelemetryBuffer({ maxItems: config.bufferMaxItems, maxBytes: config.bufferMaxBytes });
  const received = { spans: 0, logs: 0 };
  const push = (entry: BufferedEntry): void => {
    received[entry.kind === 'span' ? 'spans' : 'logs']++;
    buffer.push(entry);
  };
  const resource = resourceFrom(config.resourceAttributes);
  const tracker = new InvocationTracker({
    completionGraceMs: config.completionGraceMs,
    resource,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    emit: push,
    estimateBytes,
    logger,
  });
  const exporter = new LazyExporter(config.exporter);
  const flusher = new Flusher({ buffer, getExporter: () => exporter.get(), prepare: (entries) => tracker.prepareForExport(entries), logger });
  const [listener, receiver] = await Promise.all([
    startTelemetryListener((records) => tracker.onTelemetry(records), logger, sandboxAddress),
    startOtlpReceiver({
      port: config.receiverPort,
      maxRequestBytes: config.maxRequestBytes,
      logger,
      onSpans: (items) => {
        const atMs = Date.now();
        // Buffer first, then track: a root span must be in the buffer before its invocation completes.
        for (const item of items) push({ kind: 'span', item, bytes: estimateBytes(item), atMs });
        tracker.onSpans(items);
      },
      onLogs: (items) => {
        const atMs = Date.now();
        for (const item of items) push({ kind: 'log', item, bytes: estimateBytes(item), atMs });
      },
    }),
  ]);
  await client.subscribeTelemetry({
    schemaVersion: config.managedInstances ? TELEMETRY_SCHEMA_MANAGED_INSTANCES : TELEMETRY_SCHEMA,
    types: ['platform', 'function', 'extension'],
    uri: listener.uri,
    buffering: { maxItems: 1000, maxBytes: 262_144, timeoutMs: 25 },
  });
  // Load the decoder and the exporter while the first invocation runs, not before the first /event/next.
  setImmediate(() => {
    loadDecoder().catch((error: unknown) => logger.error('OTLP decoder failed to load', { error: errorMessage(error) }));
    exporter.warmUp();
  });
  const state = createLoopState();
  return {
    loopDeps: {
      client,
      config,
      state,
      buffer,
      tracker,
      flusher,
      logger,
      onShutdown: async (event: import('./lifecycle/extensions-client.ts').ShutdownEvent) => {
        await drain(event, { receiver, listener, tracker, flusher, buffer, exporter, logger, deadlineMarginMs: config.deadlineMarginMs, received: () => ({ ...received }) });
      },
    },
  };
}

/** No exception anywhere may take the extension (and with it the function's telemetry) down. */
function containUnexpectedErrors(logger: () => Logger): void {
  process.on('uncaughtException', (error) => logger().error('unexpected error contained', { error: errorMessage(error) }));
  process.on('unhandledRejection', (error) => logger().error('unexpected rejection contained', { error: errorMessage(error) }));
  // SHUTDOWN arrives as an event; a stray SIGTERM must not cut the drain short.
  process.on('SIGTERM', () => logger().debug('SIGTERM ignored; waiting for the SHUTDOWN event'));
}

main().catch((error: unknown) => {
  process.stdout.write(JSON.stringify({ level: 'ERROR', logger: 'lambda-otel', message: `extension stopped: ${errorMessage(error)}` }) + '\n');
  process.exit(1);
});
