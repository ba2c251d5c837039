// The programmatic face of the emulator: one function's execution environment, started on the first
// invoke, reset after a timeout or crash, shut down on request.
import { RECEIVER_PORT_VARIABLE, sandboxLoopbackPorts, type LoopbackPorts } from './loopback-port.ts';
import { resolveConfig, type EmulatorConfig } from './config.ts';
import { startApiServer, type ApiServer } from './http/server.ts';
import { runtimeRoutes } from './api/runtime/routes.ts';
import { extensionRoutes, whenExtensionsEnabled } from './api/extensions/routes.ts';
import { telemetryRoutes } from './api/telemetry/routes.ts';
import { TelemetryDispatcher } from './api/telemetry/dispatcher.ts';
import { InvokeQueue, KeepAlive } from './invoke/queue.ts';
import { Sandbox, type InitOutcome } from './sandbox/lifecycle.ts';
import { newTraceHeader } from './sandbox/variables.ts';
import { InvocationLogs, type LogEntry } from './logs/invocation-logs.ts';
import { apiErrors } from './errors.ts';
import { invokePayloadLimitBytes, newInvocation, payloadSize } from './invoke/invocation.ts';
import type {
  CapturedLine,
  EmulatorOptions,
  EmulatorReport,
  InvocationResult,
  InvokeOptions,
  Registration,
  SandboxProcessInfo,
  ShutdownReason,
  ShutdownResult,
  TelemetryEvent,
} from './types.ts';

/**
 * A local Lambda execution environment for one function.
 *
 * @example
 * const env = new LambdaEnvironment({ functionDir: 'examples/hello', handler: 'index.handler' });
 * const result = await env.invoke({ name: 'world' });
 * await env.shutdown();
 */
export class LambdaEnvironment {
  readonly config: EmulatorConfig;
  /** Every captured output line of the runtime and the extensions. */
  readonly logs: CapturedLine[] = [];
  readonly registrations: Registration[] = [];
  /** Every invocation's result, in completion order. */
  readonly invocations: InvocationResult[] = [];
  /** SHUTDOWN phases run to reset the environment after a timeout or a failure. */
  readonly resets: ShutdownResult[] = [];
  private readonly dispatcher: TelemetryDispatcher;
  private readonly invocationLogs: InvocationLogs;
  private readonly queue: InvokeQueue;
  private readonly keepAlive = new KeepAlive();
  private readonly onLog: ((line: CapturedLine) => void) | undefined;
  private readonly onResult: ((result: InvocationResult) => void) | undefined;
  private server: Promise<ApiServer> | undefined;
  private loopback: Promise<LoopbackPorts> | undefined;
  private sandbox: Sandbox | undefined;
  private initializing: Promise<InitOutcome> | undefined;
  private resetting: Promise<void> | undefined;
  private shutdownResult: Promise<ShutdownResult> | undefined;

  constructor(options: EmulatorOptions) {
    this.config = resolveConfig(options);
    this.onLog = options.onLog;
    this.onResult = options.onResult;
    this.invocationLogs = new InvocationLogs(options.onLogEntry);
    this.dispatcher = new TelemetryDispatcher((entry) => this.invocationLogs.platform(entry));
    this.queue = new InvokeQueue(this.config.maxConcurrency ?? 1);
  }

  /** Every platform.* Telemetry API record, as delivered to subscribers. */
  get events(): TelemetryEvent[] {
    return this.dispatcher.events;
  }

  /** The runtime API address (host:port), once the server runs. */
  async runtimeApi(): Promise<string> {
    return (await this.ensureServer()).address;
  }

  processes(): SandboxProcessInfo[] {
    return (this.sandbox?.processes.running() ?? []).map((proc) => ({ name: proc.name, pid: proc.pid, role: proc.role }));
  }

  /** Starts the environment (init) without invoking; returns the init outcome. */
  async init(): Promise<InitOutcome> {
    return this.keepAlive.during(async () => {
      await this.ensureServer();
      return this.ensureReady();
    });
  }

  /** One invocation's log as CloudWatch shows it: START, the lines written during it, END, REPORT. */
  invocationLog(requestId: string): LogEntry[] {
    return this.invocationLogs.linesOf(requestId);
  }

  /** The last 4 KB of an invocation's log (what `X-Amz-Log-Type: Tail` returns, before base64). */
  logTail(requestId: string): string {
    return this.invocationLogs.tail(requestId);
  }

  /** Rejects with 413 RequestEntityTooLargeException past Lambda's 6 MB payload limit. */
  invoke(event: unknown, options: InvokeOptions = {}): Promise<InvocationResult> {
    if (this.shutdownResult) return Promise.reject(new Error('The environment has been shut down'));
    const size = payloadSize(event);
    if (size > invokePayloadLimitBytes) return Promise.reject(apiErrors.requestTooLarge(size, invokePayloadLimitBytes));
    return this.keepAlive.during(() => this.queue.run(() => this.runInvoke(event, options)));
  }

  shutdown(): Promise<ShutdownResult> {
    this.shutdownResult ??= this.keepAlive.during(async () => {
      await this.queue.idle();
      await this.resetting;
      const sandbox = this.sandbox;
      let result: ShutdownResult = { reason: 'spindown', durationMs: 0, processes: [] };
      if (sandbox && sandbox.state.phase !== 'gone') result = await sandbox.shutdown('spindown');
      this.dispatcher.close();
      if (this.server) await (await this.server).close();
      return result;
    });
    return this.shutdownResult;
  }

  /** The same JSON the CLI writes with --report. */
  async report(): Promise<EmulatorReport> {
    const shutdown = this.shutdownResult ? await this.shutdownResult : null;
    return { invocations: [...this.invocations], shutdown, events: [...this.events], logs: [...this.logs] };
  }

  private async runInvoke(event: unknown, options: InvokeOptions): Promise<InvocationResult> {
    await this.ensureServer();
    const traceHeader = options.traceHeader === null ? undefined : (options.traceHeader ?? newTraceHeader());
    const invocation = newInvocation(event, options, traceHeader);
    const broken = this.sandbox?.state.failure;
    if (broken && this.sandbox?.state.phase !== 'gone') await this.reset(broken.reason);
    const init = await this.ensureReady();
    let result: InvocationResult;
    if (!init.ok) {
      const status = init.status === 'timeout' ? 'timeout' : 'error';
      result = {
        requestId: invocation.requestId,
        status,
        response: { errorType: init.errorType, errorMessage: init.errorMessage },
        errorType: init.errorType ?? 'Runtime.Unknown',
        errorMessage: init.errorMessage ?? '',
        initDurationMs: init.durationMs,
        durationMs: 0,
        responseLatencyMs: 0,
        postRuntimeMs: 0,
      };
      await this.reset('failure');
    } else {
      result = await this.sandbox!.invoke(invocation);
      const failure = this.sandbox!.state.failure;
      if (failure) await this.reset(failure.reason);
    }
    this.invocations.push(result);
    this.onResult?.(result);
    return result;
  }

  /** The current environment, initialised (shared by concurrent invokes under Managed Instances). */
  private async ensureReady(): Promise<InitOutcome> {
    if (this.sandbox && this.sandbox.state.phase !== 'gone' && this.sandbox.state.phase !== 'init') {
      return { ok: true, durationMs: 0, status: 'success' };
    }
    // Set synchronously, so that concurrent invokes share one init.
    this.initializing ??= (async () => {
      const server = await this.ensureServer();
      const loopback = await this.loopbackPorts();
      this.sandbox = new Sandbox({
        config: this.config,
        sandboxVariables: { [RECEIVER_PORT_VARIABLE]: String(loopback.receiverPort) },
        dispatcher: this.dispatcher,
        runtimeApi: server.address,
        registrations: this.registrations,
        onLog: (captured) => {
          const entry = this.invocationLogs.output(captured);
          const line: CapturedLine = { ...captured, atMs: entry.atMs, ...(entry.requestId ? { requestId: entry.requestId } : {}) };
          this.logs.push(line);
          this.onLog?.(line);
        },
      });
      return this.sandbox.init();
    })().finally(() => (this.initializing = undefined));
    return this.initializing;
  }

  private reset(reason: ShutdownReason): Promise<void> {
    const sandbox = this.sandbox;
    if (!sandbox || sandbox.state.phase === 'gone') return Promise.resolve();
    this.resetting ??= sandbox
      .shutdown(reason)
      .then((result) => {
        this.resets.push(result);
      })
      .finally(() => (this.resetting = undefined));
    return this.resetting;
  }

  /**
   * The sandbox's loopback ports, fixed for the environment's life (re-inits keep them). Two
   * environments on one machine get different ones; `--env LAMBDA_OTEL_RECEIVER_PORT=N` wins.
   */
  loopbackPorts(): Promise<LoopbackPorts> {
    this.loopback ??= sandboxLoopbackPorts(this.config.env);
    return this.loopback;
  }

  private ensureServer(): Promise<ApiServer> {
    this.server ??= startApiServer([
      ...runtimeRoutes(() => this.sandbox),
      ...whenExtensionsEnabled(this.config, [...extensionRoutes(() => this.sandbox), ...telemetryRoutes(() => this.sandbox)]),
    ]).then((server) => {
      server.server.unref();
      return server;
    });
    return this.server;
  }
}
