// How the runtime is started: `[node, <runtime client>]`, or, with AWS_LAMBDA_EXEC_WRAPPER set,
// `$WRAPPER node <runtime client>` the way a managed runtime's bootstrap execs it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorConfig } from '../config.ts';
import { ConfigurationError } from '../errors.ts';

/** `/opt/<rest>` is looked up in each layer in turn, as if the layers were mounted at /opt. */
export function resolveOptPath(path: string, layers: readonly string[]): string {
  if (!path.startsWith('/opt/')) return path;
  const rest = path.slice('/opt/'.length);
  const found = layers.map((layer) => join(layer, rest)).find((candidate) => existsSync(candidate));
  if (!found) {
    throw new ConfigurationError(`Configuration: AWS_LAMBDA_EXEC_WRAPPER is invalid, expected a file in a layer, actual ${JSON.stringify(path)}`);
  }
  return found;
}

export function runtimeSpawnCommand(config: EmulatorConfig, env: Record<string, string>): { command: string; args: string[] } {
  const [first, ...rest] = config.runtimeCommand;
  const wrapper = env.AWS_LAMBDA_EXEC_WRAPPER;
  if (wrapper) return { command: resolveOptPath(wrapper, config.layers), args: [first!, ...rest] };
  return { command: first!, args: rest };
}
