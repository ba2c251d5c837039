// Freeze and thaw: between invokes Lambda stops every sandbox process, so their timers and background
// work do not run. SIGSTOP goes to each process group, which reaches whatever a process started.
import { signalGroup, type SandboxProcess } from './processes.ts';

export function freeze(processes: readonly SandboxProcess[]): void {
  for (const proc of processes) if (!proc.exit) signalGroup(proc.pid, 'SIGSTOP');
}

export function thaw(processes: readonly SandboxProcess[]): void {
  for (const proc of processes) if (!proc.exit) signalGroup(proc.pid, 'SIGCONT');
}
