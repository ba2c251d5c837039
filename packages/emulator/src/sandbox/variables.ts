// The environment variables Lambda gives the runtime, and the smaller set it gives extensions.
// (`env` in the options and the config is the user's overrides; here they are applied last.)
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EmulatorConfig } from '../config.ts';

/** Names Lambda does not pass to extensions (besides every `_`-prefixed name). */
const runtimeOnly = new Set([
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_XRAY_CONTEXT_MISSING',
  'AWS_XRAY_DAEMON_ADDRESS',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
  'AWS_LAMBDA_MAX_CONCURRENCY',
  'AWS_LAMBDA_NODEJS_WORKER_COUNT',
]);

const nodeVersions = new Map<string, string>();

/** `vMAJOR.MINOR.PATCH` of a Node binary ('' when it cannot be run). */
export function nodeVersion(nodePath: string): string {
  let version = nodeVersions.get(nodePath);
  if (version === undefined) {
    try {
      version = execFileSync(nodePath, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    } catch {
      version = '';
    }
    nodeVersions.set(nodePath, version);
  }
  return version;
}

export function nodeMajor(nodePath: string): number {
  return Number(/^v(\d+)/.exec(nodeVersion(nodePath))?.[1] ?? 0);
}

/**
 * platform.initStart's runtimeVersion and runtimeVersionArn, in Lambda's shapes (`nodejs:24.v12`,
 * `arn:aws:lambda:REGION::runtime:<64 hex>`), derived from the Node that runs the runtime.
 */
export function runtimeVersionOf(config: EmulatorConfig): { runtimeVersion: string; runtimeVersionArn: string } | undefined {
  const match = /^v(\d+)\.(\d+)\.(\d+)/.exec(nodeVersion(config.nodePath));
  if (!match) return undefined;
  const hash = createHash('sha256').update(match[0]).digest('hex');
  return { runtimeVersion: `nodejs:${match[1]}.v${match[2]}`, runtimeVersionArn: `arn:aws:lambda:${config.region}::runtime:${hash}` };
}

export interface SandboxVariables {
  runtime: Record<string, string>;
  extension: Record<string, string>;
}

export function buildVariables(
  config: EmulatorConfig,
  runtimeApi: string,
  runtimeDir: string,
  sandboxVariables: Readonly<Record<string, string>> = {},
): SandboxVariables {
  const major = nodeMajor(config.nodePath);
  const managedInstances = config.maxConcurrency !== undefined;
  const layerPaths = (sub: string) => config.layers.map((layer) => join(layer, sub)).filter((path) => existsSync(path));
  const path = [dirname(config.nodePath), ...layerPaths('bin'), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  // As Lambda's nodejs runtimes set it: /opt/nodejs/node<major>/node_modules:/opt/nodejs/node_modules:
  // /var/runtime/node_modules:/var/runtime:/var/task (the layers standing for /opt, the runtime client's
  // folder for /var/runtime).
  const nodeModules = [
    ...layerPaths(`nodejs/node${major}/node_modules`),
    ...layerPaths('nodejs/node_modules'),
    join(runtimeDir, 'node_modules'),
    runtimeDir,
    config.functionDir,
  ].join(':');
  const date = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const runtime: Record<string, string> = {
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    AWS_LAMBDA_FUNCTION_NAME: config.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${date}/[$LATEST]${randomBytes(16).toString('hex')}`,
    AWS_LAMBDA_LOG_FORMAT: managedInstances ? 'JSON' : 'Text',
    AWS_LAMBDA_INITIALIZATION_TYPE: config.initializationType,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEmulatorSessionToken',
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    _AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1',
    _AWS_XRAY_DAEMON_PORT: '2000',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    _HANDLER: config.handler,
    LAMBDA_TASK_ROOT: config.functionDir,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    PATH: path,
    LD_LIBRARY_PATH: [...layerPaths('lib'), config.functionDir, join(config.functionDir, 'lib')].join(':'),
    NODE_PATH: nodeModules,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
  };
  if (major > 0) runtime.AWS_EXECUTION_ENV = `AWS_Lambda_nodejs${major}.x`;
  if (managedInstances) {
    runtime.AWS_LAMBDA_MAX_CONCURRENCY = String(config.maxConcurrency);
    // The runtime client starts 8 worker threads per CPU by default; two show the same behaviour here.
    runtime.AWS_LAMBDA_NODEJS_WORKER_COUNT = String(Math.min(config.maxConcurrency ?? 1, 2));
  } else {
    runtime._LAMBDA_TELEMETRY_LOG_FD = '3';
  }
  const extension: Record<string, string> = {};
  for (const [key, value] of Object.entries(runtime)) {
    if (!runtimeOnly.has(key) && !key.startsWith('_')) extension[key] = value;
  }
  return { runtime: { ...runtime, ...sandboxVariables, ...config.env }, extension: { ...extension, ...sandboxVariables, ...config.env } };
}

/** X-Ray trace header as Lambda generates it: Root=1-<epoch s hex>-<96 bit>;Parent=<64 bit>;Sampled=1. */
export function newTraceHeader(nowMs = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${seconds}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
}
