// Options → one frozen, validated configuration. Nothing else in the emulator applies defaults.
import { resolveRuntimeNode } from './runtime-node.ts';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { EmulatorOptions } from './types.ts';
import { ConfigurationError } from './errors.ts';
import { checkCpus } from './sandbox/cpu-limit.ts';
import type { InitializationType } from './api/telemetry/records.ts';

export interface EmulatorConfig {
  readonly functionDir: string;
  readonly handler: string;
  readonly layers: readonly string[];
  readonly nodePath: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** Kill the runtime with Runtime.OutOfMemory when the sandbox grows past memoryMb (sandbox/memory-limit.ts). */
  readonly enforceMemoryLimit: boolean;
  readonly maxConcurrency: number | undefined;
  /** CPUs the sandbox's processes may use (a cgroup quota); undefined: no limit. */
  readonly cpus: number | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly runtimeCommand: readonly string[];
  readonly functionName: string;
  readonly region: string;
  readonly accountId: string;
  readonly functionArn: string;
  readonly initTimeoutMs: number;
  /** A layer holds disable-extensions-jwigqn8j (/opt/disable-extensions-jwigqn8j): no extension runs. */
  readonly extensionsDisabled: boolean;
  /** on-demand, provisioned-concurrency, or lambda-managed-instances (set by maxConcurrency). */
  readonly initializationType: InitializationType;
}

const require = createRequire(import.meta.url);
const extensionsDisabledFile = 'disable-extensions-jwigqn8j';

/** The Node that runs the runtime and the extensions: Lambda's Node for this platform when installed. */
export function defaultNodePath(): string {
  return resolveRuntimeNode().path;
}

export function runtimeClientEntry(): string {
  return join(dirname(require.resolve('aws-lambda-ric/package.json')), 'index.mjs');
}

function invalid(name: string, expected: string, actual: unknown): never {
  throw new ConfigurationError(`Configuration: ${name} is invalid, expected ${expected}, actual ${JSON.stringify(actual)}`);
}

function positiveInt(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    invalid(name, `an integer from 1 to ${max}`, value);
  }
  return value;
}

export function resolveConfig(options: EmulatorOptions): EmulatorConfig {
  if (typeof options.functionDir !== 'string' || !isDirectory(options.functionDir)) {
    invalid('functionDir', 'an existing directory', options.functionDir);
  }
  const functionDir = resolve(options.functionDir);
  // A handler without a dot goes to the runtime as it is: it answers Runtime.MalformedHandlerName.
  if (typeof options.handler !== 'string' || options.handler.trim() === '') invalid('handler', 'FILE.EXPORT (e.g. index.handler)', options.handler);
  const layers = (options.layers ?? []).map((dir) => {
    if (!isDirectory(dir)) invalid('layer', 'an existing directory', dir);
    return resolve(dir);
  });
  const nodePath = options.nodePath ?? defaultNodePath();
  if (!existsSync(nodePath)) invalid('nodePath', 'an existing Node binary', nodePath);
  const timeoutSec = options.timeoutSec ?? 3;
  if (typeof timeoutSec !== 'number' || !(timeoutSec > 0) || timeoutSec > 900) {
    invalid('timeoutSec', 'a number of seconds from 0 to 900', timeoutSec);
  }
  const initTimeoutSec = options.initTimeoutSec ?? 10;
  if (typeof initTimeoutSec !== 'number' || !(initTimeoutSec > 0) || initTimeoutSec > 900) {
    invalid('initTimeoutSec', 'a number of seconds from 0 to 900', initTimeoutSec);
  }
  const memoryMb = positiveInt('memoryMb', options.memoryMb, 128, 10240);
  const maxConcurrency = options.maxConcurrency === undefined ? undefined : positiveInt('maxConcurrency', options.maxConcurrency, 1, 64);
  const cpus = options.cpus === undefined ? undefined : checkCpus(options.cpus);
  const env = { ...(options.env ?? {}) };
  for (const [key, value] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || typeof value !== 'string') invalid(`env ${key}`, 'NAME=string', value);
  }
  const runtimeCommand = options.runtimeCommand ?? [nodePath, runtimeClientEntry()];
  if (!Array.isArray(runtimeCommand) || runtimeCommand.some((part) => typeof part !== 'string')) {
    invalid('runtimeCommand', 'an array of strings ([] = a runtime started by the caller)', runtimeCommand);
  }
  const chosenType = options.initializationType ?? 'on-demand';
  if (chosenType !== 'on-demand' && chosenType !== 'provisioned-concurrency') {
    invalid('initializationType', 'on-demand or provisioned-concurrency', chosenType);
  }
  if (chosenType === 'provisioned-concurrency' && maxConcurrency !== undefined) {
    invalid('initializationType', 'on-demand with maxConcurrency (Managed Instances has its own type)', chosenType);
  }
  const functionName = options.functionName ?? basename(functionDir);
  const region = options.region ?? env.AWS_REGION ?? 'us-east-1';
  const accountId = '000000000000';
  return Object.freeze({
    functionDir,
    handler: options.handler,
    layers: Object.freeze(layers),
    nodePath,
    timeoutMs: Math.round(timeoutSec * 1000),
    memoryMb,
    enforceMemoryLimit: options.enforceMemoryLimit === true,
    maxConcurrency,
    cpus,
    env: Object.freeze(env),
    runtimeCommand: Object.freeze([...runtimeCommand]),
    functionName,
    region,
    accountId,
    functionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    initTimeoutMs: Math.round(initTimeoutSec * 1000),
    extensionsDisabled: layers.some((layer) => existsSync(join(layer, extensionsDisabledFile))),
    initializationType: maxConcurrency !== undefined ? 'lambda-managed-instances' : chosenType,
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
