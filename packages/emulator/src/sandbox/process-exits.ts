// A sandbox process that exits before SHUTDOWN is a failure of the environment: the runtime's exit is
// Runtime.ExitError (status error, or failure when a signal such as SIGKILL ended it), an extension's
// is Extension.Crash (Extension.LaunchError if it never registered). The next invoke resets.
import type { Sandbox } from './lifecycle.ts';
import type { SandboxProcess } from './processes.ts';

export function watchExit(sandbox: Sandbox, proc: SandboxProcess): void {
  void proc.exited.then((exit) => {
    const extension = sandbox.extensions.forProcess(proc);
    // Parked requests of a dead process go nowhere.
    if (proc.role === 'runtime') sandbox.runtime.forgetParked();
    else if (extension) extension.parked = undefined;
    if (sandbox.phase !== 'shutdown' && sandbox.phase !== 'gone' && !sandbox.failure) {
      const how = exit.signal ? `signal: ${exit.signal === 'SIGKILL' ? 'killed' : exit.signal}` : `exit status ${exit.code}`;
      if (proc.role === 'runtime') {
        sandbox.failure = {
          status: exit.signal ? 'failure' : 'error',
          errorType: 'Runtime.ExitError',
          errorMessage: `Runtime exited with error: ${how}`,
          reason: 'failure',
        };
      } else {
        const launched = extension !== undefined;
        sandbox.failure = {
          status: 'failure',
          errorType: launched ? 'Extension.Crash' : 'Extension.LaunchError',
          errorMessage: `Extension ${proc.name} ${launched ? 'exited' : 'exited before registering'}: ${how}`,
          reason: 'failure',
        };
      }
    }
    sandbox.changed();
  });
}
