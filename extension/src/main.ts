/**
 * Entry point of the external extension (started by /opt/extensions/lambda-otel). Wiring only:
 * register, and while Lambda answers read the configuration and start the Telemetry API listener
 * and the OTLP receiver; then subscribe and run the event loop. A bad configuration value never
 * fails init (config.ts falls back and says so); if the pipeline cannot start, an idle loop keeps
 * calling /event/next so the function never stalls.
 */
import { envelopeMemoryBytes, recordMemoryBytes } from './buffer/memory-size.ts';
import { TelemetryBuffer } from './buffer/telemetry-buffer.ts';
import type { BufferedEntry } from './buffer/telemetry-buffer.ts';
import { readExtensionConfig, readLambdaSetting } from './config.ts';
import type { ExtensionConfig, LambdaSetting } from './config.ts';
import { Flusher } from './flush/flusher.ts';
import { PressureRelief } from './flush/pressure-relief.ts';
import { InvocationTracker } from './invocations/invocation-tracker.ts';
import { resourceFrom } from './invocations/log-records.ts';
import { LazyExporter } from './lazy-exporter.ts';
import { createPipelineExtras } from './metrics/pipeline-extras.ts';
import { ExtensionsClient } from './lifecycle/extensions-client.ts';
import { runEventLoop, runIdleLoop } from './lifecycle/loop.ts';
import type { LoopDeps } from './lifecycle/loop.ts';
import { createLoopState } from './lifecycle/state.ts';
import { createLogger, errorMessage, isLogLevel } from './logger.ts';
import type { Logger } from './logger.ts';
import type { LogItem, SpanItem } from './otlp/types.ts';
import { loadDecoder, startOtlpReceiver } from './receive/otlp-http-receiver.ts';
import { hostsFileAddress } from './receive/hosts-file.ts';
import { resolveSandboxAddress, SANDBOX_HOST, startTelemetryListener } from './receive/telemetry-listener.ts';
import { drain } from './shutdown/drain.ts';

const TELEMETRY_SCHEMA = '2022-12-13';
const TELEMETRY_SCHEMA_MANAGED_INSTANCES = '2025-01-29';

async function main(): Promise<void> {
  // Start-up marks for the debug `ready` line, in ms since the process started. process.uptime()
  // rather than performance.now(): the `performance` global loads perf_hooks on first use.
  const sinceStartMs = (): number => Math.round(process.uptime() * 10_000) / 10;
  const marks: Record<string, number> = { loaded: sinceStartMs() };
  const env = process.env;
  const earlyLevel = (env.LAMBDA_OTEL_LOG_LEVEL ?? 'info').toLowerCase();
  let logger: Logger = createLogger(isLogLevel(earlyLevel) ? earlyLevel : 'info');
  containUnexpectedErrors(() => logger);
  // The process ends only through process.exit: while exports wait on unref'd timers (backoff,
  // deadlines), an empty event loop must not end it silently mid-drain.
  setInterval(() => undefined, 60_000);
  let lambda: LambdaSetting;
  try {
    lambda = readLambdaSetting(env);
  } catch {
    logger.error('AWS_LAMBDA_RUNTIME_API is not set: not running inside Lambda');
    process.exit(1);
  }
  const client = new ExtensionsClient(lambda.runtimeApi);
  const registered = registerOrAdopt(client, lambda, logger);
  registered.catch(() => undefined); // awaited below; no unhandled-rejection line meanwhile
  // Everything below until the registration answer overlaps with Lambda's work on it: one turn of
  // the event loop first, so the request is on the wire before the CPU-bound set-up starts (not
  // needed when the launcher registered).
  if (client.extensionId === undefined) await new Promise((resolve) => setImmediate(resolve));
  const configured = readConfig(env);
  if (configured.config) {
    logger = createLogger(configured.config.logLevel);
    for (const notice of configured.config.notices) logger.info(notice);
    for (const warning of configured.config.warnings) logger.warn(warning);
    for (const error of configured.config.errors) logger.error(error);
  }
  const started = configured.config ? startPipeline(configured.config, client, logger) : undefined;
  started?.catch(() => undefined);
  await registered;
  marks.registered = sinceStartMs();

  if (!configured.config) {
    // Bad values never get here (they fall back, see config.ts); whatever did must not fail the
    // function's init either: say it once and keep answering Lambda without exporting.
    logger.error('configuration could not be read; continuing without exporting', { error: errorMessage(configured.error) });
    await runIdleLoop(client, logger);
    process.exit(0);
  }
  const config = configured.config;
  let pipeline: Pipeline;
  try {
    pipeline = await started!;
    marks.listening = sinceStartMs();
    await client.subscribeTelemetry({
      schemaVersion: config.managedInstances ? TELEMETRY_SCHEMA_MANAGED_INSTANCES : TELEMETRY_SCHEMA,
      types: ['platform', 'function', 'extension'],
      uri: pipeline.listener.uri,
      buffering: { maxItems: 1000, maxBytes: 262_144, timeoutMs: 25 },
    });
    marks.subscribed = sinceStartMs();
  } catch (error) {
    logger.error('telemetry pipeline failed to start; continuing without exporting', { error: errorMessage(error) });
    await runIdleLoop(client, logger);
    process.exit(0);
  }
  // The decoder and the exporter load once the first event has arrived, beside the first handler:
  // loaded here they would compete with the runtime's init, which Lambda bills as Init Duration;
  // loaded only when the first span arrives, the span could miss its invocation's completion grace.
  client.onFirstEvent(() => {
    loadDecoder().catch((error: unknown) => logger.error('OTLP decoder failed to load', { error: errorMessage(error) }));
    pipeline.exporter.warmUp();
  });
  // startupMs: process start → the first /event/next, which the event loop sends right after this line.
  logger.debug('ready', {
    startupMs: sinceStartMs(),
    phasesMs: marks,
    fastStart: env.LAMBDA_OTEL_EXTENSION_ID !== undefined,
    receiverPort: config.receiverPort,
    flush: config.flushPolicy.kind,
  });
  await runEventLoop(pipeline.loopDeps);
  process.exit(0);
}

/**
 * Fast start: the launcher registered already (extension README, "Start-up technique") and handed
 * over the identifier; otherwise register now, and say once why the launcher did not.
 */
async function registerOrAdopt(client: ExtensionsClient, lambda: LambdaSetting, logger: Logger): Promise<void> {
  const env = process.env;
  const id = env.LAMBDA_OTEL_EXTENSION_ID;
  if (id) {
    client.adopt(id);
    return;
  }
  if (env.LAMBDA_OTEL_FAST_START_SKIPPED) logger.info(`fast start skipped (${env.LAMBDA_OTEL_FAST_START_SKIPPED}): the extension registers itself`);
  // Managed Instances allow external extensions SHUTDOWN only.
  await client.register(lambda.extensionName, lambda.managedInstances ? ['SHUTDOWN'] : ['INVOKE', 'SHUTDOWN']);
}

function readConfig(env: NodeJS.ProcessEnv): { config: ExtensionConfig; error?: undefined } | { config?: undefined; error: unknown } {
  try {
    return { config: readExtensionConfig(env) };
  } catch (error) {
    return { error };
  }
}

type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

/** Buffer, tracker, flusher, and both listeners; closes what did start when one of them fails. */
async function startPipeline(config: ExtensionConfig, client: ExtensionsClient, logger: Logger) {
  const buffer = new TelemetryBuffer({ maxItems: config.bufferMaxItems, maxBytes: config.bufferMaxBytes });
  const received = { spans: 0, logs: 0, metrics: 0 };
  const push = (entry: BufferedEntry): void => {
    received[entry.kind === 'span' ? 'spans' : entry.kind === 'log' ? 'logs' : 'metrics']++;
    buffer.push(entry);
  };
  // FaaS metrics and tail sampling: one hook at each place below marked "extras".
  const extras = createPipelineExtras({ env: process.env, receiverPort: config.receiverPort, resource: resourceFrom(config.resourceAttributes), logger, push });
  const tracker = new InvocationTracker({
    completionGraceMs: config.completionGraceMs,
    resource: resourceFrom(config.resourceAttributes),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    attributeUnnamedLines: !config.managedInstances,
    emit: (entry) => {
      push(entry);
      if (entry.kind === 'span') extras.onSpans([entry.item]); // extras
    },
    // Records the tracker makes share the extension's long-lived resource objects.
    memoryBytesOf: recordMemoryBytes,
    logger,
  });
  const exporter = new LazyExporter(config.exporter, logger);
  const flusher: Flusher = new Flusher({
    buffer,
    getExporter: () => exporter.get(),
    prepare: (entries) => tracker.prepareForExport(entries),
    logger,
    onSettled: () => relief.settled(),
    select: extras.select, // extras
    exportMetrics: extras.exportMetrics, // extras
  });
  const state = createLoopState();
  const relief = new PressureRelief({ buffer, flusher, state, config, logger });
  const [listener, receiver] = await Promise.allSettled([
    // /etc/hosts answers at once where it lists the name; DNS (bounded to 30 ms) only where it does not.
    (async () => hostsFileAddress(SANDBOX_HOST) ?? (await resolveSandboxAddress(30)))().then((address) =>
      startTelemetryListener(
        (records) => {
          tracker.onTelemetry(records);
          extras.onTelemetry(records); // extras
          relief.check();
        },
        logger,
        address,
      ),
    ),
    startOtlpReceiver({
      port: config.receiverPort,
      maxRequestBytes: config.maxRequestBytes,
      logger,
      admission: { admit: () => relief.admit(), done: () => relief.requestDone() },
      onSpans: (received) => {
        const atMs = Date.now();
        // Track, then buffer what the tracker hands back, in this same turn: whoever waits for the
        // invocation to complete runs only after the root span is in the buffer.
        const items = tracker.onSpans(received);
        const bytes = memoryBytesOf(items);
        for (let index = 0; index < items.length; index++) push({ kind: 'span', item: items[index]!, bytes: bytes[index]!, atMs });
        extras.onSpans(items); // extras
        relief.noteBuffered(items.length, sum(bytes));
        relief.check();
      },
      onLogs: (items) => {
        const atMs = Date.now();
        const bytes = memoryBytesOf(items);
        for (let index = 0; index < items.length; index++) push({ kind: 'log', item: items[index]!, bytes: bytes[index]!, atMs });
        relief.noteBuffered(items.length, sum(bytes));
        relief.check();
      },
      onMetrics: (items) => {
        extras.onMetrics(items); // extras
        relief.check();
      },
    }),
  ]);
  if (listener.status === 'rejected' || receiver.status === 'rejected') {
    if (listener.status === 'fulfilled') await listener.value.close();
    if (receiver.status === 'fulfilled') await receiver.value.close();
    throw listener.status === 'rejected' ? listener.reason : (receiver as PromiseRejectedResult).reason;
  }
  return {
    listener: listener.value,
    exporter,
    loopDeps: {
      client,
      config,
      state,
      buffer,
      tracker,
      flusher,
      relief,
      logger,
      onInvoke: (event) => extras.onInvoke(event), // extras
      lastTelemetryAtMs: () => listener.value.lastDeliveryAtMs(),
      onShutdown: async (event) => {
        await drain(event, {
          receiver: receiver.value,
          listener: listener.value,
          tracker,
          flusher,
          buffer,
          exporter,
          logger,
          deadlineMarginMs: config.deadlineMarginMs,
          stdoutMaxLineBytes: config.stdoutMaxLineBytes,
          received: () => ({ ...received }),
          collectMetrics: () => extras.collectMetrics(), // extras
          select: extras.select, // extras
          sampling: extras.samplingCounts, // extras
        });
        await extras.shutdown();
      },
    } satisfies LoopDeps,
  };
}

/**
 * What each item of one OTLP request holds in memory: its own record, plus (on the first item
 * that uses them) the resource and scope the request's items share.
 */
function memoryBytesOf(items: readonly (SpanItem | LogItem)[]): number[] {
  const counted = new Set<object>();
  return items.map((item) => {
    let bytes = recordMemoryBytes(item);
    if (!counted.has(item.resource) || !counted.has(item.scope)) {
      counted.add(item.resource).add(item.scope);
      bytes += envelopeMemoryBytes(item);
    }
    return bytes;
  });
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
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
