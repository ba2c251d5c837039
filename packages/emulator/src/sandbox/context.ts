// What the phases work with: the configuration and the emulator's services (deps), the state (read,
// and changed through its transitions), the processes, and the two API channels. The Sandbox
// (lifecycle.ts) is one; the phases import only this shape, never the Sandbox, so there is no circle.
import type { EmulatorConfig } from '../config.ts';
import type { SandboxDeps } from './deps.ts';
import type { ExtensionRegistry } from './extension-registry.ts';
import type { SandboxProcesses } from './process-list.ts';
import type { RuntimeChannel } from './runtime-channel.ts';
import type { SandboxState } from './state.ts';
import type { CpuLimit } from './cpu-limit.ts';

export interface SandboxContext {
  readonly deps: SandboxDeps;
  readonly config: EmulatorConfig;
  readonly managedInstances: boolean;
  readonly state: SandboxState;
  readonly processes: SandboxProcesses;
  readonly runtime: RuntimeChannel;
  readonly extensions: ExtensionRegistry;
  /** --cpus: the cgroup every process of this sandbox joins before it execs. */
  readonly cpuLimit: CpuLimit | undefined;
}
