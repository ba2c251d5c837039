// A sandbox process that exits before SHUTDOWN is a failure of the environment: the runtime's exit is
// Runtime.ExitError (status error, or failure when a signal such as SIGKILL ended it), an extension's
// is Extension.Crash, Extension.ExitError after it called exit/error, or Extension.LaunchError if it
// never registered. The next invoke resets.
import type { SandboxContext } from './context.ts';
import type { ExtensionState } from './extension-registry.ts';
import type { SandboxProcess } from './processes.ts';

export function watchExit(sandbox: SandboxContext, proc: SandboxProcess): void {
  void proc.exited.then((exit) => {
    const extension = sandbox.extensions.forProcess(proc);
    // Parked requests of a dead process go nowhere.
    if (proc.role === 'runtime') sandbox.runtime.forgetParked();
    else if (extension) sandbox.extensions.forgetParked(extension);
    const how = exit.signal ? `signal: ${exit.signal === 'SIGKILL' ? 'killed' : exit.signal}` : `exit status ${exit.code}`;
    // During SHUTDOWN, exits are expected; the state ignores a failure then.
    if (proc.role === 'runtime') {
      sandbox.state.failed({
        status: exit.signal ? 'failure' : 'error',
        errorType: 'Runtime.ExitError',
        errorMessage: `Runtime exited with error: ${how}`,
        reason: 'failure',
      });
    } else {
      sandbox.state.failed({ status: 'failure', reason: 'failure', ...extensionExit(proc.name, extension, how) });
    }
    sandbox.state.changed();
  });
}

function extensionExit(name: string, extension: ExtensionState | undefined, how: string): { errorType: string; errorMessage: string } {
  if (!extension) return { errorType: 'Extension.LaunchError', errorMessage: `Extension ${name} exited before registering: ${how}` };
  const reported = extension.reportedError;
  if (reported?.kind === 'exit') {
    return { errorType: 'Extension.ExitError', errorMessage: `Extension ${name} exited after exit/error ${reported.errorType}: ${reported.errorMessage}` };
  }
  return { errorType: 'Extension.Crash', errorMessage: `Extension ${name} exited: ${how}` };
}
