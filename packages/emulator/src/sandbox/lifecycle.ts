// One execution environment, from init to shutdown, in Lambda's documented order:
//   init:    exec extensions → all registered → start runtime → its first /next → every extension's
//            /event/next → ready (frozen)
//   invoke:  thaw → release runtime + INVOKE extensions together → response → runtime's /next
//            (runtimeDone) → every INVOKE extension's /event/next → report → freeze
//   shutdown: SIGTERM runtime → SHUTDOWN to subscribed extensions → SIGKILL at the deadline
// The API routes call into this class; everything it waits for is a predicate over its own state,
// re-checked whenever that state changes.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { runtimeClientEntry, type EmulatorConfig } from '../config.ts';
import { nowMs, waitAtMost } from '../clock.ts';
import { apiErrors } from '../errors.ts';
import type { Invocation } from '../invoke/invocation.ts';
import { toResult } from '../invoke/invocation.ts';
import type { ExtensionEvent, ExtensionEventType } from '../api/extensions/events.ts';
import type { TelemetryDispatcher } from '../api/telemetry/dispatcher.ts';
import { isoTime, roundMs, type InitializationType, type RecordStatus, type Tracing } from '../api/telemetry/records.ts';
import type { Subscription } from '../api/telemetry/subscribe.ts';
import type { CapturedLine, InvocationResult, InvocationStatus, ProcessOutcome, Registration, ShutdownReason, ShutdownResult } from '../types.ts';
import { buildEnvironments, type SandboxEnvironments } from './environment.ts';
import { freeze, groupMemory, kill, signalGroup, spawnSandboxProcess, thaw, type SandboxProcess } from './processes.ts';
import type { LogFrame } from './log-frames.ts';
import { runtimeSpawnCommand } from './runtime-command.ts';

export interface ExtensionState {
  id: string;
  name: string;
  kind: 'external' | 'internal';
  events: ExtensionEventType[];
  registeredAtMs: number;
  /** The extension's pending /event/next, when it is waiting for an event. */
  parked: ServerResponse | undefined;
  queue: ExtensionEvent[];
  process: SandboxProcess | undefined;
}

export interface InitOutcome {
  ok: boolean;
  durationMs: number;
  status: RecordStatus;
  errorType?: string;
  errorMessage?: string;
}

interface Failure {
  status: InvocationStatus;
  errorType: string;
  errorMessage: string;
  reason: ShutdownReason;
}

export interface SandboxDeps {
  config: EmulatorConfig;
  dispatcher: TelemetryDispatcher;
  runtimeApi: string;
  onLog: (line: CapturedLine) => void;
  registrations: Registration[];
}

const maxExtensions = 10;
const bufferedResponseLimitBytes = 6 * 1024 * 1024 + 100;
export { bufferedResponseLimitBytes };

export class Sandbox {
  phase: 'init' | 'ready' | 'invoking' | 'shutdown' | 'gone' = 'init';
  readonly processes: SandboxProcess[] = [];
  readonly extensions = new Map<string, ExtensionState>();
  registrationOpen = true;
  subscriptionsOpen = true;
  failure: Failure | undefined;
  private runtime: SandboxProcess | undefined;
  private externalFiles: { name: string; path: string; layer: string }[] = [];
  private runtimeParked: ServerResponse[] = [];
  private runtimeCalledNext = false;
  private initError: { errorType: string; errorMessage: string } | undefined;
  private readonly running = new Map<string, Invocation>();
  private readonly finished = new Set<string>();
  private queued: Invocation[] = [];
  private waiters: { check: () => boolean; wake: () => void }[] = [];
  private readonly deps: SandboxDeps;
  readonly managedInstances: boolean;
  private environments: SandboxEnvironments | undefined;
  private initDurationMs: number | undefined;

  constructor(deps: SandboxDeps) {
    this.deps = deps;
    this.managedInstances = deps.config.maxConcurrency !== undefined;
  }

  get config(): EmulatorConfig {
    return this.deps.config;
  }

  get initializationType(): InitializationType {
    return this.managedInstances ? 'lambda-managed-instances' : 'on-demand';
  }

  runtimeProcess(): SandboxProcess | undefined {
    return this.runtime;
  }

  // ---- init ---------------------------------------------------------------------------------

  async init(): Promise<InitOutcome> {
    const { config, dispatcher } = this.deps;
    const startMs = nowMs();
    const deadlineMs = startMs + config.initTimeoutMs;
    dispatcher.beginInit();
    const base = { initializationType: this.initializationType, phase: 'init' as const };
    dispatcher.emit({ type: 'platform.initStart', record: { ...base, functionName: config.functionName, functionVersion: '$LATEST' } });
    this.environments = buildEnvironments(config, this.deps.runtimeApi, dirname(runtimeClientEntry()));

    let runtimeDoneSent = false;
    const fail = (status: RecordStatus, errorType: string, errorMessage: string): InitOutcome => {
      const durationMs = roundMs(nowMs() - startMs);
      if (!runtimeDoneSent) dispatcher.emit({ type: 'platform.initRuntimeDone', record: { ...base, status, errorType } });
      dispatcher.emit({ type: 'platform.initReport', record: { ...base, status, errorType, metrics: { durationMs } } });
      dispatcher.endInit();
      return { ok: false, durationMs, status, errorType, errorMessage };
    };

    // An init error posted by the runtime or an extension, or a process that died, ends init.
    const broken = (): InitOutcome | undefined => {
      const cause = this.initErrorPostedBy() ?? this.brokenBy();
      return cause ? fail('error', cause.errorType, cause.errorMessage) : undefined;
    };
    const stopped = () => this.initErrorPostedBy() !== undefined || this.brokenBy() !== undefined;

    // 1. Exec every external extension and wait until each has registered.
    this.launchExtensions();
    const registered = await this.waitUntil(() => this.externalsRegistered() || stopped(), deadlineMs - nowMs());
    const afterRegister = broken();
    if (afterRegister) return afterRegister;
    if (!registered) return fail('timeout', 'Extension.InitTimeout', 'Extensions did not register within the init timeout');

    // 2. Start the runtime and wait for its first /next.
    this.launchRuntime();
    const runtimeReady = await this.waitUntil(() => this.runtimeCalledNext || stopped(), deadlineMs - nowMs());
    const afterRuntime = broken();
    if (afterRuntime) return afterRuntime;
    if (!runtimeReady) return fail('timeout', 'Sandbox.Timedout', `Init timed out after ${config.initTimeoutMs / 1000} seconds`);

    // 3. Registration closes; wait until every registered extension waits on /event/next.
    this.registrationOpen = false;
    dispatcher.emit({ type: 'platform.initRuntimeDone', record: { ...base, status: 'success' } });
    runtimeDoneSent = true;
    const extensionsReady = await this.waitUntil(() => this.allExtensionsWaiting() || stopped(), deadlineMs - nowMs());
    const afterExtensions = broken();
    if (afterExtensions) return afterExtensions;
    if (!extensionsReady) return fail('timeout', 'Sandbox.Timedout', 'Extensions were not ready within the init timeout');

    // 4. Subscriptions close with init.
    this.subscriptionsOpen = false;
    const durationMs = roundMs(nowMs() - startMs);
    dispatcher.emit({ type: 'platform.initReport', record: { ...base, status: 'success', metrics: { durationMs } } });
    dispatcher.endInit();
    this.initDurationMs = durationMs;
    this.phase = 'ready';
    if (!this.managedInstances) freeze(this.processes);
    return { ok: true, durationMs, status: 'success' };
  }

  private brokenBy(): Failure | undefined {
    return this.failure;
  }

  private initErrorPostedBy(): { errorType: string; errorMessage: string } | undefined {
    return this.initError;
  }

  private launchExtensions(): void {
    const byName = new Map<string, { name: string; path: string; layer: string }>();
    for (const layer of this.deps.config.layers) {
      const dir = join(layer, 'extensions');
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir).sort()) {
        const path = join(dir, name);
        // Only regular files directly in extensions/ are exec'd; a later layer overrides an earlier one.
        if (statSync(path).isFile()) byName.set(name, { name, path, layer });
      }
    }
    if (this.deps.config.layers.some((layer) => existsSync(join(layer, 'disable-extensions-jwigqn8j')))) byName.clear();
    this.externalFiles = [...byName.values()];
    for (const file of this.externalFiles) {
      const proc = spawnSandboxProcess({
        name: file.name,
        role: 'extension',
        command: file.path,
        args: [],
        env: this.environments!.extension,
        cwd: this.deps.config.functionDir,
        onLine: (line) => this.captured(file.name, line),
      });
      this.watchExit(proc);
      this.processes.push(proc);
    }
  }

  private launchRuntime(): void {
    // An empty runtime command: the caller runs the runtime itself against AWS_LAMBDA_RUNTIME_API.
    if (this.deps.config.runtimeCommand.length === 0) return;
    const env = this.environments!.runtime;
    const { command, args } = runtimeSpawnCommand(this.deps.config, env);
    const proc = spawnSandboxProcess({
      name: 'runtime',
      role: 'runtime',
      command,
      args,
      env,
      cwd: this.deps.config.functionDir,
      onLine: (line) => this.captured('runtime', line),
      onFrame: this.managedInstances ? undefined : (frame) => this.capturedFrame(frame),
    });
    this.runtime = proc;
    this.watchExit(proc);
    this.processes.push(proc);
  }

  private externalsRegistered(): boolean {
    return this.externalFiles.every((file) => [...this.extensions.values()].some((ext) => ext.kind === 'external' && ext.name === file.name));
  }

  private allExtensionsWaiting(): boolean {
    return [...this.extensions.values()].every((ext) => ext.parked !== undefined);
  }

  private watchExit(proc: SandboxProcess): void {
    void proc.exited.then((exit) => {
      const extension = [...this.extensions.values()].find((ext) => ext.process === proc);
      // Parked requests of a dead process go nowhere.
      if (proc.role === 'runtime') this.runtimeParked = [];
      else if (extension) extension.parked = undefined;
      if (this.phase !== 'shutdown' && this.phase !== 'gone' && !this.failure) {
        const how = exit.signal ? `signal: ${exit.signal === 'SIGKILL' ? 'killed' : exit.signal}` : `exit status ${exit.code}`;
        if (proc.role === 'runtime') {
          this.failure = {
            status: exit.signal ? 'failure' : 'error',
            errorType: 'Runtime.ExitError',
            errorMessage: `Runtime exited with error: ${how}`,
            reason: 'failure',
          };
        } else {
          const launched = extension !== undefined;
          this.failure = {
            status: 'failure',
            errorType: launched ? 'Extension.Crash' : 'Extension.LaunchError',
            errorMessage: `Extension ${proc.name} ${launched ? 'exited' : 'exited before registering'}: ${how}`,
            reason: 'failure',
          };
        }
      }
      this.changed();
    });
  }

  // ---- output ------------------------------------------------------------------------------

  private captured(source: string, line: string): void {
    this.deps.onLog({ source, line });
    this.deps.dispatcher.emit({ type: source === 'runtime' ? 'function' : 'extension', record: line });
  }

  private capturedFrame(frame: LogFrame): void {
    const message = frame.message.replace(/\n$/, '');
    this.deps.onLog({ source: 'runtime', line: message });
    let record: string | Record<string, unknown> = message;
    if (frame.format === 'json') {
      try {
        record = JSON.parse(message) as Record<string, unknown>;
      } catch {
        // keep the text
      }
    }
    this.deps.dispatcher.emit({ type: 'function', record }, Number(frame.timestampUs / 1000n));
  }

  // ---- invoke ------------------------------------------------------------------------------

  async invoke(invocation: Invocation): Promise<InvocationResult> {
    const { config, dispatcher } = this.deps;
    if (!this.managedInstances) {
      this.phase = 'invoking';
      thaw(this.processes);
    }
    invocation.startMs = nowMs();
    invocation.deadlineMs = Math.floor(Date.now() + config.timeoutMs);
    if (this.initDurationMs !== undefined) {
      invocation.initDurationMs = this.initDurationMs;
      this.initDurationMs = undefined;
    }
    this.running.set(invocation.requestId, invocation);
    const tracing = this.tracing(invocation);
    dispatcher.emit({ type: 'platform.start', record: { requestId: invocation.requestId, version: '$LATEST', ...(tracing ? { tracing } : {}) } });
    // Runtime and INVOKE extensions are released together.
    const invokeEvent: ExtensionEvent = {
      eventType: 'INVOKE',
      deadlineMs: invocation.deadlineMs,
      requestId: invocation.requestId,
      invokedFunctionArn: config.functionArn,
      ...(invocation.traceHeader ? { tracing: { type: 'X-Amzn-Trace-Id' as const, value: invocation.traceHeader } } : {}),
    };
    for (const ext of this.extensions.values()) if (ext.events.includes('INVOKE')) this.deliver(ext, invokeEvent);
    this.queued.push(invocation);
    this.dispatchQueued();

    const settled = await this.waitUntil(() => this.invokeSettled(invocation), invocation.startMs + config.timeoutMs - nowMs());
    if (!settled && !this.failure) {
      this.failure = { status: 'timeout', errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(config.timeoutMs / 1000).toFixed(2)} seconds`, reason: 'timeout' };
    }
    // An extension that dies fails the invoke even after the runtime answered (Lambda reports it so).
    if (this.failure && (invocation.state !== 'responded' || this.failure.errorType.startsWith('Extension.'))) {
      invocation.status = this.failure.status;
      invocation.errorType = this.failure.errorType;
      invocation.errorMessage = this.failure.errorMessage;
      invocation.response = { errorType: this.failure.errorType, errorMessage: this.failure.errorMessage };
    }
    const endMs = nowMs();
    if (invocation.runtimeDoneAtMs === undefined) this.emitRuntimeDone(invocation, endMs);
    this.running.delete(invocation.requestId);
    this.finished.add(invocation.requestId);
    this.queued = this.queued.filter((queued) => queued !== invocation);
    const result = toResult(invocation, endMs);
    this.emitReport(invocation, result);
    if (!this.managedInstances && !this.failure) {
      this.phase = 'ready';
      freeze(this.processes);
    }
    return result;
  }

  private tracing(invocation: Invocation): Tracing | undefined {
    if (!invocation.traceHeader) return undefined;
    return { type: 'X-Amzn-Trace-Id', value: invocation.traceHeader };
  }

  private invokeSettled(invocation: Invocation): boolean {
    if (this.failure) return true;
    if (invocation.state !== 'responded') return false;
    if (this.managedInstances) return true;
    if (invocation.runtimeDoneAtMs === undefined) return false;
    return [...this.extensions.values()].every((ext) => !ext.events.includes('INVOKE') || (ext.parked !== undefined && ext.queue.length === 0));
  }

  private dispatchQueued(): void {
    while (this.queued.length > 0 && this.runtimeParked.length > 0) {
      const res = this.runtimeParked.shift()!;
      if (res.destroyed) continue;
      const invocation = this.queued.shift()!;
      invocation.state = 'running';
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': invocation.requestId,
        'Lambda-Runtime-Deadline-Ms': String(invocation.deadlineMs),
        'Lambda-Runtime-Invoked-Function-Arn': this.deps.config.functionArn,
      };
      if (invocation.traceHeader) headers['Lambda-Runtime-Trace-Id'] = invocation.traceHeader;
      const { clientContext, cognitoIdentity, tenantId } = invocation.options;
      if (clientContext !== undefined) headers['Lambda-Runtime-Client-Context'] = JSON.stringify(clientContext);
      if (cognitoIdentity !== undefined) headers['Lambda-Runtime-Cognito-Identity'] = JSON.stringify(cognitoIdentity);
      if (tenantId !== undefined) headers['Lambda-Runtime-Aws-Tenant-Id'] = tenantId;
      headers['Content-Length'] = String(invocation.payload.length);
      res.writeHead(200, headers);
      res.end(invocation.payload);
    }
  }

  private emitRuntimeDone(invocation: Invocation, atMs: number): void {
    invocation.runtimeDoneAtMs = atMs;
    const status = invocation.status ?? this.failure?.status ?? 'failure';
    const responseAtMs = invocation.responseAtMs ?? atMs;
    const responseStartMs = invocation.responseStartMs ?? responseAtMs;
    const tracing = this.tracing(invocation);
    this.deps.dispatcher.emit({
      type: 'platform.runtimeDone',
      record: {
        requestId: invocation.requestId,
        status,
        ...(invocation.errorType && status !== 'success' ? { errorType: invocation.errorType } : {}),
        metrics: { durationMs: roundMs(atMs - invocation.startMs), producedBytes: invocation.producedBytes },
        spans: [
          { name: 'responseLatency', start: isoTime(invocation.startMs), durationMs: roundMs(responseStartMs - invocation.startMs) },
          { name: 'responseDuration', start: isoTime(responseStartMs), durationMs: roundMs(responseAtMs - responseStartMs) },
        ],
        ...(tracing ? { tracing } : {}),
      },
    });
  }

  private emitReport(invocation: Invocation, result: InvocationResult): void {
    const memory = groupMemory(this.processes.filter((proc) => !proc.exit).map((proc) => proc.pid));
    const tracing = this.tracing(invocation);
    this.deps.dispatcher.emit({
      type: 'platform.report',
      record: {
        requestId: invocation.requestId,
        status: result.status,
        ...(result.errorType && result.status !== 'success' ? { errorType: result.errorType } : {}),
        metrics: {
          durationMs: result.durationMs,
          billedDurationMs: Math.max(1, Math.ceil(result.durationMs)),
          memorySizeMB: this.deps.config.memoryMb,
          maxMemoryUsedMB: Math.max(1, Math.round(Math.max(memory.peakKb, this.peakKb) / 1024)),
          ...(result.initDurationMs !== undefined ? { initDurationMs: result.initDurationMs } : {}),
        },
        ...(tracing ? { tracing } : {}),
      },
    });
  }

  /** Peak memory of processes that already ended still counts toward the report. */
  private peakKb = 0;

  // ---- Runtime API -------------------------------------------------------------------------

  runtimeNext(res: ServerResponse): void {
    if (this.phase === 'shutdown' || this.phase === 'gone') {
      // The runtime is on its way out; its request stays open until it is gone.
      this.runtimeParked.push(res);
      return;
    }
    if (!this.managedInstances) {
      if (this.runtimeParked.length > 0) throw apiErrors.invalidStateTransition('the runtime is already waiting on /next');
      const unanswered = [...this.running.values()].find((inv) => inv.state === 'running');
      if (unanswered) throw apiErrors.invalidStateTransition(`invocation ${unanswered.requestId} has no response yet`);
    }
    this.runtimeParked.push(res);
    res.on('close', () => {
      this.runtimeParked = this.runtimeParked.filter((parked) => parked !== res);
    });
    if (this.phase === 'init') {
      this.runtimeCalledNext = true;
      this.registrationOpen = false;
    }
    if (!this.managedInstances) {
      for (const invocation of this.running.values()) {
        if (invocation.state === 'responded' && invocation.runtimeDoneAtMs === undefined) this.emitRuntimeDone(invocation, nowMs());
      }
    }
    this.dispatchQueued();
    this.changed();
  }

  /** The invocation a /response or /error names, if it may still be answered. */
  answerable(requestId: string, allowLateError = false): Invocation {
    const invocation = this.running.get(requestId);
    if (!invocation) {
      if (this.finished.has(requestId)) throw apiErrors.invalidStateTransition(`invocation ${requestId} is already complete`);
      throw apiErrors.invalidRequestId();
    }
    if (invocation.state === 'queued') throw apiErrors.invalidRequestId();
    if (invocation.state === 'responded' && !(allowLateError && invocation.allowLateError)) {
      throw apiErrors.invalidStateTransition(`invocation ${requestId} already has a response`);
    }
    return invocation;
  }

  markResponseStarted(invocation: Invocation): void {
    invocation.responseStartMs ??= nowMs();
  }

  /** Records the outcome of an invocation (response, error or a rejected response). */
  respond(invocation: Invocation, outcome: Pick<Invocation, 'status' | 'response' | 'errorType' | 'errorMessage' | 'streamed'> & { producedBytes: number; allowLateError?: boolean }): void {
    if (invocation.state === 'responded' && invocation.allowLateError) {
      // A late /error after a rejected response: the rejection stands.
      invocation.allowLateError = false;
      return;
    }
    invocation.state = 'responded';
    invocation.responseAtMs = nowMs();
    invocation.responseStartMs ??= invocation.responseAtMs;
    invocation.status = outcome.status;
    invocation.response = outcome.response;
    invocation.errorType = outcome.errorType;
    invocation.errorMessage = outcome.errorMessage;
    invocation.streamed = outcome.streamed;
    invocation.producedBytes = outcome.producedBytes;
    invocation.allowLateError = outcome.allowLateError ?? false;
    if (this.managedInstances) this.emitRuntimeDone(invocation, invocation.responseAtMs);
    this.changed();
  }

  initErrorPosted(errorType: string, errorMessage: string): void {
    if (this.phase !== 'init' || this.runtimeCalledNext) throw apiErrors.invalidStateTransition('init/error is only accepted during init');
    this.initError ??= { errorType, errorMessage };
    this.changed();
  }

  // ---- Extensions API ----------------------------------------------------------------------

  register(name: string, events: ExtensionEventType[]): ExtensionState {
    if (!this.registrationOpen || this.phase !== 'init') throw apiErrors.registrationClosed();
    const registered = [...this.extensions.values()];
    const file = this.externalFiles.find((candidate) => candidate.name === name);
    const kind = file ? 'external' : 'internal';
    if (registered.some((ext) => ext.name === name)) throw apiErrors.invalidExtensionState(`extension ${name} is already registered`);
    if (kind === 'internal' && events.includes('SHUTDOWN')) {
      throw apiErrors.invalidEventType('Internal extensions cannot register for SHUTDOWN');
    }
    if (kind === 'external' && this.managedInstances && events.includes('INVOKE')) {
      throw apiErrors.invalidEventType('Under Managed Instances external extensions may register for SHUTDOWN only');
    }
    if (registered.length >= maxExtensions) throw apiErrors.tooManyExtensions();
    const ext: ExtensionState = {
      id: randomUUID(),
      name,
      kind,
      events,
      registeredAtMs: Date.now(),
      parked: undefined,
      queue: [],
      process: kind === 'external' ? this.processes.find((proc) => proc.role === 'extension' && proc.name === name) : undefined,
    };
    this.extensions.set(ext.id, ext);
    this.deps.registrations.push({ name, kind, events: [...events], atMs: ext.registeredAtMs });
    this.deps.dispatcher.emit({ type: 'platform.extension', record: { name, state: 'Ready', events: [...events] } });
    this.changed();
    return ext;
  }

  extension(id: string | undefined): ExtensionState {
    if (id === undefined || id === '') throw apiErrors.missingIdentifier();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw apiErrors.invalidIdentifier();
    const ext = this.extensions.get(id);
    if (!ext) throw apiErrors.unknownIdentifier();
    return ext;
  }

  extensionNext(ext: ExtensionState, res: ServerResponse): void {
    const next = ext.queue.shift();
    if (next) {
      sendEvent(res, next);
    } else {
      ext.parked?.destroy();
      ext.parked = res;
      res.on('close', () => {
        if (ext.parked === res) {
          ext.parked = undefined;
          this.changed();
        }
      });
    }
    this.changed();
  }

  extensionError(ext: ExtensionState, kind: 'init' | 'exit', errorType: string, errorMessage: string): void {
    this.deps.onLog({ source: ext.name, line: `${kind}/error ${errorType}: ${errorMessage}` });
    if (kind === 'init' && this.phase === 'init') {
      this.initError ??= { errorType: 'Extension.InitError', errorMessage: `${ext.name}: ${errorType}: ${errorMessage}` };
      this.changed();
    }
  }

  subscribe(ext: ExtensionState, subscription: Subscription): void {
    if (!this.subscriptionsOpen || this.phase !== 'init') throw apiErrors.subscriptionClosed();
    this.deps.dispatcher.subscribe(ext.name, subscription);
    this.deps.dispatcher.emit({ type: 'platform.telemetrySubscription', record: { name: ext.name, state: 'Subscribed', types: [...subscription.types] } });
  }

  private deliver(ext: ExtensionState, event: ExtensionEvent): void {
    const parked = ext.parked;
    if (parked && !parked.destroyed) {
      ext.parked = undefined;
      sendEvent(parked, event);
    } else {
      ext.queue.push(event);
    }
  }

  // ---- shutdown ----------------------------------------------------------------------------

  budgetMs(): number {
    const extensions = [...this.extensions.values()];
    if (this.processes.some((proc) => proc.role === 'extension') || extensions.some((ext) => ext.kind === 'external')) return 2000;
    if (extensions.some((ext) => ext.kind === 'internal')) return 500;
    return 0;
  }

  async shutdown(reason: ShutdownReason): Promise<ShutdownResult> {
    const { dispatcher } = this.deps;
    const startMs = nowMs();
    this.phase = 'shutdown';
    this.recordPeakMemory();
    thaw(this.processes);
    const budgetMs = this.budgetMs();
    const deadlineMs = Date.now() + budgetMs;
    // Whatever telemetry is buffered goes out now; extensions drain it before their deadline.
    dispatcher.setShutdownMode(true);
    const extensions = [...this.extensions.values()];
    const internalOnly = extensions.every((ext) => ext.kind === 'internal') && budgetMs > 0;
    const runtime = this.runtime;
    if (runtime && !runtime.exit) {
      if (budgetMs === 0) kill(runtime);
      else {
        signalGroup(runtime.pid, 'SIGTERM');
        const runtimeBudgetMs = Math.min(internalOnly || extensions.some((ext) => ext.kind === 'internal') ? 500 : 300, budgetMs);
        await waitAtMost(runtime.exited, runtimeBudgetMs);
        kill(runtime);
      }
    }
    for (const proc of this.processes) {
      if (proc.role !== 'extension' || proc.exit) continue;
      const ext = extensions.find((candidate) => candidate.process === proc);
      if (ext?.events.includes('SHUTDOWN')) this.deliver(ext, { eventType: 'SHUTDOWN', deadlineMs, shutdownReason: reason });
      else kill(proc);
    }
    const remaining = this.processes.filter((proc) => !proc.exit);
    await waitAtMost(Promise.all(remaining.map((proc) => proc.exited)), deadlineMs - Date.now());
    for (const proc of this.processes) kill(proc);
    await Promise.all(this.processes.map((proc) => proc.exited));
    dispatcher.setShutdownMode(false);
    dispatcher.clearSubscribers();
    this.phase = 'gone';
    for (const res of this.runtimeParked) res.destroy();
    this.runtimeParked = [];
    this.changed();
    const processes: ProcessOutcome[] = this.processes.map((proc) => ({
      name: proc.name,
      pid: proc.pid,
      exitedOnItsOwn: !proc.killedByEmulator,
      exitCode: proc.exit?.code ?? null,
      killed: proc.killedByEmulator,
    }));
    return { reason, durationMs: roundMs(nowMs() - startMs), processes };
  }

  private recordPeakMemory(): void {
    const memory = groupMemory(this.processes.filter((proc) => !proc.exit).map((proc) => proc.pid));
    this.peakKb = Math.max(this.peakKb, memory.peakKb);
  }

  // ---- waiting -----------------------------------------------------------------------------

  /** Resolves true once `check()` holds, false after `timeoutMs`. */
  waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolveWait) => {
      const waiter = {
        check,
        wake: () => {
          clearTimeout(timer);
          resolveWait(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
        resolveWait(check());
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
        waiter.wake();
      }
    }
  }
}

function sendEvent(res: ServerResponse, event: ExtensionEvent): void {
  const body = JSON.stringify(event);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Lambda-Extension-Event-Identifier': randomUUID(),
  });
  res.end(body);
}
