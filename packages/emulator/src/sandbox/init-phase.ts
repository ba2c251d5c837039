// The init phase: exec every external extension and wait until each has registered; start the
// runtime and wait for its first /next; close registration and wait until every extension waits on
// /event/next; close subscriptions. The whole phase is bounded by the init timeout (10 s).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runtimeClientEntry, type EmulatorConfig } from '../config.ts';
import { nowMs } from '../clock.ts';
import { roundMs, type RecordStatus } from '../api/telemetry/records.ts';
import { buildVariables, runtimeVersionOf } from './variables.ts';
import { watchExit } from './process-exits.ts';
import { freeze } from './freeze.ts';
import type { SandboxContext } from './context.ts';
import { captureFrame, captureLine } from './output.ts';
import { spawnSandboxProcess } from './processes.ts';
import { runtimeSpawnCommand } from './runtime-command.ts';
import type { ExternalExtensionFile } from './extension-registry.ts';

export interface InitOutcome {
  ok: boolean;
  durationMs: number;
  status: RecordStatus;
  errorType?: string;
  errorMessage?: string;
}

export async function runInit(sandbox: SandboxContext): Promise<InitOutcome> {
  const { config, dispatcher } = sandbox.deps;
  const state = sandbox.state;
  const startMs = nowMs();
  const deadlineMs = startMs + config.initTimeoutMs;
  dispatcher.beginInit();
  const base = { initializationType: config.initializationType, phase: 'init' as const };
  const runtimeVersion = runtimeVersionOf(config) ?? {};
  dispatcher.emit({ type: 'platform.initStart', record: { ...base, ...runtimeVersion, functionName: config.functionName, functionVersion: '$LATEST' } });
  const variables = buildVariables(config, sandbox.deps.runtimeApi, dirname(runtimeClientEntry()), sandbox.deps.sandboxVariables);

  let runtimeDoneSent = false;
  const fail = (status: RecordStatus, errorType: string, errorMessage: string, platformErrorType = errorType): InitOutcome => {
    const durationMs = roundMs(nowMs() - startMs);
    const record = { ...base, status, errorType: platformErrorType };
    if (!runtimeDoneSent) dispatcher.emit({ type: 'platform.initRuntimeDone', record });
    dispatcher.emit({ type: 'platform.initReport', record: { ...record, metrics: { durationMs } } });
    dispatcher.endInit();
    return { ok: false, durationMs, status, errorType, errorMessage };
  };

  // An init error posted by the runtime or an extension, or a process that died, ends init.
  const broken = (): InitOutcome | undefined => {
    const initError = state.initError;
    if (initError) return fail('error', initError.errorType, initError.errorMessage, initError.platformErrorType);
    const failure = state.failure;
    return failure ? fail('error', failure.errorType, failure.errorMessage) : undefined;
  };
  const stopped = () => state.initError !== undefined || state.failure !== undefined;

  // Init is bounded: what did not happen by the deadline is named in the error.
  const timedOut = (what: string) => fail('timeout', 'Sandbox.Timedout', `Init timed out after ${config.initTimeoutMs / 1000} s: ${what}`);

  // 1. Exec every external extension and wait until each has registered.
  launchExtensions(sandbox, variables.extension);
  const registered = await state.waitUntil(() => sandbox.extensions.allExternalsRegistered() || stopped(), deadlineMs - nowMs());
  const afterRegister = broken();
  if (afterRegister) return afterRegister;
  if (!registered) return timedOut(`extension ${sandbox.extensions.unregisteredExternals().join(', ')} did not register`);

  // 2. Start the runtime and wait for its first /next.
  launchRuntime(sandbox, variables.runtime);
  const runtimeReady = await state.waitUntil(() => sandbox.runtime.calledNext || stopped(), deadlineMs - nowMs());
  const afterRuntime = broken();
  if (afterRuntime) return afterRuntime;
  if (!runtimeReady) return timedOut(`the runtime did not call /runtime/invocation/next (handler ${config.handler} still loading)`);

  // 3. Registration closed with the runtime's first /next; wait until every registered extension
  // waits on /event/next.
  dispatcher.emit({ type: 'platform.initRuntimeDone', record: { ...base, status: 'success' } });
  runtimeDoneSent = true;
  const extensionsReady = await state.waitUntil(() => sandbox.extensions.allWaiting() || stopped(), deadlineMs - nowMs());
  const afterExtensions = broken();
  if (afterExtensions) return afterExtensions;
  if (!extensionsReady) return timedOut(`extension ${sandbox.extensions.notWaiting().join(', ')} did not call /extension/event/next`);

  // 4. Subscriptions close with init.
  const durationMs = roundMs(nowMs() - startMs);
  dispatcher.emit({ type: 'platform.initReport', record: { ...base, status: 'success', metrics: { durationMs } } });
  dispatcher.endInit();
  state.initSucceeded(durationMs);
  if (!sandbox.managedInstances) freeze(sandbox.processes.all);
  return { ok: true, durationMs, status: 'success' };
}

/** Every regular file directly in a layer's extensions/ folder; a later layer overrides an earlier one. */
function externalExtensionFiles(config: EmulatorConfig): ExternalExtensionFile[] {
  if (config.extensionsDisabled) return [];
  const byName = new Map<string, ExternalExtensionFile>();
  for (const layer of config.layers) {
    const dir = join(layer, 'extensions');
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isFile()) byName.set(name, { name, path, layer });
    }
  }
  return [...byName.values()];
}

function launchExtensions(sandbox: SandboxContext, variables: Record<string, string>): void {
  const files = externalExtensionFiles(sandbox.config);
  sandbox.extensions.externalFiles = files;
  for (const file of files) {
    const proc = spawnSandboxProcess({
      name: file.name,
      role: 'extension',
      command: file.path,
      args: [],
      env: variables,
      cwd: sandbox.config.functionDir,
      cpuLimit: sandbox.cpuLimit,
      onLine: (line) => captureLine(sandbox.deps, file.name, line),
    });
    watchExit(sandbox, proc);
    sandbox.processes.add(proc);
  }
}

function launchRuntime(sandbox: SandboxContext, variables: Record<string, string>): void {
  // An empty runtime command: the caller runs the runtime itself against AWS_LAMBDA_RUNTIME_API.
  if (sandbox.config.runtimeCommand.length === 0) return;
  const { command, args } = runtimeSpawnCommand(sandbox.config, variables);
  const proc = spawnSandboxProcess({
    name: 'runtime',
    role: 'runtime',
    command,
    args,
    env: variables,
    cwd: sandbox.config.functionDir,
    cpuLimit: sandbox.cpuLimit,
    onLine: (line) => captureLine(sandbox.deps, 'runtime', line),
    onFrame: sandbox.managedInstances ? undefined : (frame) => captureFrame(sandbox.deps, frame),
  });
  watchExit(sandbox, proc);
  sandbox.processes.add(proc);
}
