// What an execution environment gets from the emulator around it: the configuration, the telemetry
// dispatcher, the Runtime API's address, its own variables, where output lines go and the
// registration log.
import type { TelemetryDispatcher } from '../api/telemetry/dispatcher.ts';
import type { EmulatorConfig } from '../config.ts';
import type { CapturedLine, Registration } from '../types.ts';

export interface SandboxDeps {
  config: EmulatorConfig;
  dispatcher: TelemetryDispatcher;
  runtimeApi: string;
  /** Variables this emulator sets per sandbox (the layer's receiver port), under the user's --env. */
  sandboxVariables: Readonly<Record<string, string>>;
  onLog: (line: CapturedLine) => void;
  registrations: Registration[];
}
