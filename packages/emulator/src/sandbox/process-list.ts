// The processes of one sandbox, as the phases see them.
import type { SandboxProcess } from './processes.ts';

/** The sandbox's processes: every one started (the exited stay, for the shutdown report), and the runtime. */
export class SandboxProcesses {
  readonly all: SandboxProcess[] = [];
  runtime: SandboxProcess | undefined;

  add(proc: SandboxProcess): void {
    this.all.push(proc);
    if (proc.role === 'runtime') this.runtime = proc;
  }

  running(): SandboxProcess[] {
    return this.all.filter((proc) => !proc.exit);
  }
}
