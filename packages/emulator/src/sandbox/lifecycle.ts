// One execution environment, from init to shutdown, in Lambda's documented order:
//   init:     exec extensions → all registered → start runtime → its first /next → every extension's
//             /event/next → ready, frozen                                         (init-phase.ts)
//   invoke:   thaw → release runtime + INVOKE extensions together → response → runtime's /next
//             (runtimeDone) → every INVOKE extension's /event/next → report → freeze (invoke-phase.ts)
//   shutdown: SIGTERM runtime → SHUTDOWN to subscribed extensions → SIGKILL at the deadline; also the
//             reset after a timeout or failure                                    (shutdown-phase.ts)
// The Sandbox puts the parts together: the state and its transitions (state.ts), the runtime's side of
// the Runtime API (runtime-channel.ts), the registered extensions (extension-registry.ts) and the
// processes. What a phase waits for is a predicate over them.
import type { EmulatorConfig } from '../config.ts';
import type { Invocation } from '../invoke/invocation.ts';
import type { InvocationResult, ShutdownReason, ShutdownResult } from '../types.ts';
import type { SandboxContext } from './context.ts';
import type { SandboxDeps } from './deps.ts';
import { createCpuLimit, type CpuLimit } from './cpu-limit.ts';
import { ExtensionRegistry } from './extension-registry.ts';
import { runInit, type InitOutcome } from './init-phase.ts';
import { runInvoke } from './invoke-phase.ts';
import { SandboxProcesses } from './process-list.ts';
import { RuntimeChannel } from './runtime-channel.ts';
import { runShutdown } from './shutdown-phase.ts';
import { SandboxState } from './state.ts';

export type { InitOutcome } from './init-phase.ts';
export type { ExtensionState } from './extension-registry.ts';
export type { SandboxDeps } from './deps.ts';
export type { Failure, InitError, SandboxPhase } from './state.ts';

export class Sandbox implements SandboxContext {
  readonly deps: SandboxDeps;
  readonly managedInstances: boolean;
  readonly state = new SandboxState();
  readonly processes = new SandboxProcesses();
  readonly runtime: RuntimeChannel;
  readonly extensions: ExtensionRegistry;
  /** --cpus: the cgroup every process of this sandbox joins before it execs. */
  readonly cpuLimit: CpuLimit | undefined;

  constructor(deps: SandboxDeps) {
    this.deps = deps;
    this.managedInstances = deps.config.maxConcurrency !== undefined;
    this.runtime = new RuntimeChannel(deps, this.state, this.managedInstances);
    this.extensions = new ExtensionRegistry(deps, this.state, this.processes, this.managedInstances);
    this.cpuLimit = deps.config.cpus === undefined ? undefined : createCpuLimit(deps.config.cpus);
  }

  get config(): EmulatorConfig {
    return this.deps.config;
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
}
