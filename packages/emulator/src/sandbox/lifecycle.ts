// One execution environment, from init to shutdown, in Lambda's documented order:
//   init:     exec extensions → all registered → start runtime → its first /next → every extension's
//             /event/next → ready, frozen                                         (init-phase.ts)
//   invoke:   thaw → release runtime + INVOKE extensions together → response → runtime's /next
//             (runtimeDone) → every INVOKE extension's /event/next → report → freeze (invoke-phase.ts)
//   shutdown: SIGTERM runtime → SHUTDOWN to subscribed extensions → SIGKILL at the deadline; also the
//             reset after a timeout or failure                                    (shutdown-phase.ts)
// This class is the state the phases and the API routes share: the runtime's side of the Runtime API
// (runtime-channel.ts), the registered extensions (extension-registry.ts), the processes, and the
// failure that ends the environment. What a phase waits for is a predicate over this state.
import type { EmulatorConfig } from '../config.ts';
import type { TelemetryDispatcher } from '../api/telemetry/dispatcher.ts';
import type { InitializationType } from '../api/telemetry/records.ts';
import type { Invocation } from '../invoke/invocation.ts';
import type { CapturedLine, InvocationResult, InvocationStatus, Registration, ShutdownReason, ShutdownResult } from '../types.ts';
import { ExtensionRegistry } from './extension-registry.ts';
import { runInit, type InitOutcome } from './init-phase.ts';
import { runInvoke } from './invoke-phase.ts';
import type { SandboxProcess } from './processes.ts';
import { RuntimeChannel } from './runtime-channel.ts';
import { runShutdown } from './shutdown-phase.ts';
import { StateWaiters } from './state-waiters.ts';

export type { InitOutcome } from './init-phase.ts';
export type { ExtensionState } from './extension-registry.ts';

export type SandboxPhase = 'init' | 'ready' | 'invoking' | 'shutdown' | 'gone';

/** What ends the environment: a timeout or an unexpected exit. The next invoke resets it first. */
export interface Failure {
  status: InvocationStatus;
  errorType: string;
  errorMessage: string;
  reason: ShutdownReason;
}

/** An init error posted by the runtime or an extension: the reported type and the platform's. */
export interface InitError {
  errorType: string;
  errorMessage: string;
  platformErrorType: string;
}

export interface SandboxDeps {
  config: EmulatorConfig;
  dispatcher: TelemetryDispatcher;
  runtimeApi: string;
  /** Variables this emulator sets per sandbox (the layer's receiver port), under the user's --env. */
  sandboxEnv: Readonly<Record<string, string>>;
  onLog: (line: CapturedLine) => void;
  registrations: Registration[];
}

export class Sandbox {
  phase: SandboxPhase = 'init';
  readonly processes: SandboxProcess[] = [];
  failure: Failure | undefined;
  /** The first init error posted by the runtime or an extension; init ends with it. */
  initError: InitError | undefined;
  registrationOpen = true;
  subscriptionsOpen = true;
  runtimeProcess: SandboxProcess | undefined;
  /** The init's duration, until the invocation that paid for it (the cold start) claims it. */
  unclaimedInitDurationMs: number | undefined;
  /** Peak memory of processes that already ended still counts toward the report. */
  peakKb = 0;
  readonly deps: SandboxDeps;
  readonly managedInstances: boolean;
  readonly runtime: RuntimeChannel;
  readonly extensions: ExtensionRegistry;
  private readonly waiters = new StateWaiters();

  constructor(deps: SandboxDeps) {
    this.deps = deps;
    this.managedInstances = deps.config.maxConcurrency !== undefined;
    this.runtime = new RuntimeChannel(this);
    this.extensions = new ExtensionRegistry(this);
  }

  get config(): EmulatorConfig {
    return this.deps.config;
  }

  get initializationType(): InitializationType {
    return this.config.initializationType;
  }

  init(): Promise<InitOutcome> {
    return runInit(this);
  }

  invoke(invocation: Invocation): Promise<InvocationResult> {
    return runInvoke(this, invocation);
  }

  shutdown(reason: ShutdownReason): Promise<ShutdownResult> {
    return runShutdown(this, reason);
  }

  /** Resolves true once `check()` holds, false after `timeoutMs`. */
  waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
    return this.waiters.until(check, timeoutMs);
  }

  /** Every change to the shared state calls this, so that waiting phases re-check. */
  changed(): void {
    this.waiters.changed();
  }
}
