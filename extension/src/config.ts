/**
 * The extension's configuration, read once at start into a frozen object. Three steps: read the
 * environment into raw strings, parse each with its default, validate. A value the extension
 * cannot use never stops it: the variable falls back to its documented default (or, for where
 * telemetry goes, to stdout) and the problem is kept in `errors`, one line each, logged at start.
 */
import { ConfigError, shownValue } from './errors.ts';
import { readExporterConfig, readExporterEnv, stdoutMaxLineBytes as readStdoutMaxLineBytes } from './export/config.ts';
import type { ExporterConfig } from './export/config.ts';
import type { FlushPolicy } from './flush/flush-policy.ts';
import { isLogLevel } from './logger.ts';
import type { LogLevel } from './logger.ts';

const MANAGED_INSTANCES_INIT_TYPE = 'lambda-managed-instances';

/** What registration needs, read before anything else (a configuration error is reported after it). */
export interface LambdaSetting {
  /** Host:port of the Runtime/Extensions/Telemetry APIs (AWS_LAMBDA_RUNTIME_API). */
  readonly runtimeApi: string;
  /** Name the extension registers with: its file name in /opt/extensions (set by the launcher). */
  readonly extensionName: string;
  /** Lambda Managed Instances: SHUTDOWN-only registration, several invocations at once. */
  readonly managedInstances: boolean;
}

export interface ExtensionConfig extends LambdaSetting {
  readonly receiverPort: number;
  /** A single OTLP request body larger than this gets 413. */
  readonly maxRequestBytes: number;
  readonly bufferMaxItems: number;
  readonly bufferMaxBytes: number;
  readonly flushPolicy: FlushPolicy;
  /** How long after platform.runtimeDone an invocation without a root span is considered complete. */
  readonly completionGraceMs: number;
  /** Kept free before a deadline (SHUTDOWN and invocation), for the last writes and the exit. */
  readonly deadlineMarginMs: number;
  /** Bound of one export when no invocation deadline is tighter (background, Managed Instances). */
  readonly exportTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** service.name and friends for records the extension creates itself (logs, synthesized spans). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly exporter: ExporterConfig;
  /** Longest OTLP-JSON line the SHUTDOWN fallback writes to stdout. */
  readonly stdoutMaxLineBytes: number;
  /** What the extension chose for the user (e.g. stdout when no endpoint is set), logged once at start. */
  readonly notices: readonly string[];
  /** Problems that did not stop the extension, logged once at start. */
  readonly warnings: readonly string[];
  /**
   * Invalid values, one line each (variable, what is accepted, what the extension does instead),
   * logged at ERROR once at start. Never a value that may hold a secret.
   */
  readonly errors: readonly string[];
}

const DEFAULTS = {
  extensionName: 'lambda-otel',
  receiverPort: 4318,
  maxRequestBytes: 4 * 1024 * 1024,
  bufferMaxItems: 10_000,
  bufferMaxBytes: 8 * 1024 * 1024,
  completionGraceMs: 100,
  deadlineMarginMs: 200,
  exportTimeoutMs: 5000,
  periodicIntervalMs: 10_000,
  continuousIntervalMs: 1000,
  adaptiveMaxAgeMs: 5000,
  adaptiveSparseGapMs: 2000,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where telemetry goes cannot fall back to a default: an unusable endpoint, header, credential or
 * exporter setting sends telemetry to stdout instead (CloudWatch Logs keeps it).
 */
const DESTINATION_VARIABLES =
  /^(OTEL_EXPORTER_OTLP_(TRACES_|LOGS_)?(ENDPOINT|HEADERS)|AWS_REGION|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|LAMBDA_OTEL_(XRAY|LOGS)_ENDPOINT|LAMBDA_OTEL_LOG_GROUP)$/;

/**
 * Reads the configuration from `env` (process.env in production). Never throws for a bad value of
 * one of the extension's variables: each one is reported in `errors` and replaced (see module doc).
 * @throws ConfigError only when AWS_LAMBDA_RUNTIME_API is not set (not running inside Lambda).
 * @example readExtensionConfig({ AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001', LAMBDA_OTEL_FLUSH: 'end' })
 */
export function readExtensionConfig(env: Env): ExtensionConfig {
  readLambdaSetting(env);
  const working: Record<string, string | undefined> = { ...env };
  const errors: string[] = [];
  let toStdout = false;
  // Each round replaces one invalid variable and reads again, so that every invalid value is
  // reported, not only the first; there are far fewer variables than rounds.
  for (let round = 0; round < 64; round++) {
    try {
      const config = readStrictConfig(working);
      if (!toStdout) return Object.freeze({ ...config, errors });
      // What was said about the endpoints no longer applies: everything goes to stdout.
      const exporter: ExporterConfig = { kind: 'stdout', maxLineBytes: config.stdoutMaxLineBytes };
      return Object.freeze({ ...config, exporter, notices: [], warnings: [], errors });
    } catch (error) {
      if (!(error instanceof ConfigError) || error.variable === 'AWS_LAMBDA_RUNTIME_API') throw error;
      if (DESTINATION_VARIABLES.test(error.variable)) {
        errors.push(`${error.message}; telemetry goes to stdout as OTLP-JSON lines instead`);
        toStdout = true;
        // Without it the other export settings are still checked; a required one that is missing
        // leaves nothing more to check for this exporter.
        if (working[error.variable] === undefined) working.LAMBDA_OTEL_EXPORTER = 'stdout';
        else delete working[error.variable];
      } else {
        errors.push(`${error.message}; using the default instead`);
        delete working[error.variable];
      }
    }
  }
  throw new Error('configuration could not be read');
}

/**
 * Reads the configuration from `env`, stopping at the first invalid value.
 * @throws ConfigError naming the first invalid variable.
 */
function readStrictConfig(env: Env): Omit<ExtensionConfig, 'errors'> {
  const lambda = readLambdaSetting(env);
  const { managedInstances } = lambda;
  const logLevel = (env.LAMBDA_OTEL_LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!isLogLevel(logLevel)) throw new ConfigError('LAMBDA_OTEL_LOG_LEVEL', 'one of debug, info, warn, error', env.LAMBDA_OTEL_LOG_LEVEL);
  const flushPolicy = parseFlushPolicy(env.LAMBDA_OTEL_FLUSH, managedInstances);
  const receiverPort = readInteger(env, 'LAMBDA_OTEL_RECEIVER_PORT', DEFAULTS.receiverPort, 1, 65_535);
  const warnings: string[] = [];
  const notices: string[] = [];
  const stdoutMaxLineBytes = readStdoutMaxLineBytes(readExporterEnv(env));
  const exporter = resolveOtlpDestinations(readExporterConfig(env), env, receiverPort, stdoutMaxLineBytes, { notices, warnings });
  const config: Omit<ExtensionConfig, 'errors'> = {
    ...lambda,
    receiverPort,
    maxRequestBytes: readInteger(env, 'LAMBDA_OTEL_MAX_REQUEST_BYTES', DEFAULTS.maxRequestBytes, 1024, 64 * 1024 * 1024),
    bufferMaxItems: readInteger(env, 'LAMBDA_OTEL_BUFFER_MAX_ITEMS', DEFAULTS.bufferMaxItems, 1, 1_000_000),
    bufferMaxBytes: readInteger(env, 'LAMBDA_OTEL_BUFFER_MAX_BYTES', DEFAULTS.bufferMaxBytes, 1024, 256 * 1024 * 1024),
    flushPolicy,
    completionGraceMs: readInteger(env, 'LAMBDA_OTEL_COMPLETION_GRACE_MS', DEFAULTS.completionGraceMs, 0, 10_000),
    deadlineMarginMs: readInteger(env, 'LAMBDA_OTEL_DEADLINE_MARGIN_MS', DEFAULTS.deadlineMarginMs, 0, 10_000),
    exportTimeoutMs: readInteger(env, 'LAMBDA_OTEL_EXPORT_TIMEOUT_MS', DEFAULTS.exportTimeoutMs, 10, 300_000),
    logLevel,
    resourceAttributes: readResourceAttributes(env),
    exporter,
    stdoutMaxLineBytes,
    notices,
    warnings,
  };
  return config;
}

/**
 * @throws ConfigError when AWS_LAMBDA_RUNTIME_API is not set (not running inside Lambda).
 * @example readLambdaSetting(process.env).runtimeApi // '127.0.0.1:9001'
 */
export function readLambdaSetting(env: Env): LambdaSetting {
  const runtimeApi = env.AWS_LAMBDA_RUNTIME_API?.trim();
  if (!runtimeApi) throw new ConfigError('AWS_LAMBDA_RUNTIME_API', 'host:port of the Lambda Runtime API', runtimeApi);
  return {
    runtimeApi,
    extensionName: env.LAMBDA_OTEL_EXTENSION_NAME?.trim() || DEFAULTS.extensionName,
    managedInstances: env.AWS_LAMBDA_INITIALIZATION_TYPE === MANAGED_INSTANCES_INIT_TYPE,
  };
}

/**
 * `end` | `periodic,<ms>` | `continuous,<ms>` | `adaptive[,<maxAgeMs>]`. Managed Instances have no
 * invocation boundary the extension sees, so they always flush continuously.
 */
export function parseFlushPolicy(raw: string | undefined, managedInstances: boolean): FlushPolicy {
  const expected = 'end, periodic,<ms>, continuous,<ms> or adaptive[,<maxAgeMs>]';
  const value = (raw ?? '').trim().toLowerCase();
  const [kind, arg, extra] = value === '' ? ['adaptive'] : value.split(',').map((part) => part.trim());
  if (extra !== undefined) throw new ConfigError('LAMBDA_OTEL_FLUSH', expected, raw);
  const ms = (fallback: number): number => {
    if (arg === undefined || arg === '') return fallback;
    if (!/^\d+$/.test(arg) || Number(arg) < 1 || Number(arg) > 3_600_000) {
      throw new ConfigError('LAMBDA_OTEL_FLUSH', `${expected} (ms an integer 1..3600000)`, raw);
    }
    return Number(arg);
  };
  let policy: FlushPolicy;
  switch (kind) {
    case 'end':
      if (arg !== undefined) throw new ConfigError('LAMBDA_OTEL_FLUSH', expected, raw);
      policy = { kind: 'end' };
      break;
    case 'periodic':
      policy = { kind: 'periodic', intervalMs: ms(DEFAULTS.periodicIntervalMs) };
      break;
    case 'continuous':
      policy = { kind: 'continuous', intervalMs: ms(DEFAULTS.continuousIntervalMs) };
      break;
    case 'adaptive':
      policy = { kind: 'adaptive', maxAgeMs: ms(DEFAULTS.adaptiveMaxAgeMs), sparseGapMs: DEFAULTS.adaptiveSparseGapMs };
      break;
    default:
      throw new ConfigError('LAMBDA_OTEL_FLUSH', expected, raw);
  }
  if (managedInstances && policy.kind !== 'continuous') {
    return { kind: 'continuous', intervalMs: policy.kind === 'periodic' ? policy.intervalMs : DEFAULTS.continuousIntervalMs };
  }
  return policy;
}

const signals = [
  { signal: 'traces', variable: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' },
  { signal: 'logs', variable: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT' },
] as const;

/**
 * Where each OTLP signal really goes. No endpoint set at all: stdout as OTLP-JSON lines, with a
 * notice (the OTLP default, http://localhost:4318, is nothing in Lambda but this extension). An
 * endpoint set for one signal only: the other goes to stdout, with a notice. An endpoint that is the
 * extension's own receiver would send everything round in a circle: that signal goes to stdout,
 * with a configuration warning naming the variable.
 */
function resolveOtlpDestinations(
  exporter: ExporterConfig,
  env: Env,
  receiverPort: number,
  stdoutMaxLineBytes: number,
  said: { notices: string[]; warnings: string[] },
): ExporterConfig {
  if (exporter.kind !== 'otlp') return exporter;
  const set = (name: string): boolean => (env[name]?.trim() ?? '') !== '';
  const general = set('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (!general && !signals.some(({ variable }) => set(variable))) {
    said.notices.push(
      'No OTLP endpoint is configured: telemetry goes to stdout as OTLP-JSON lines. Set OTEL_EXPORTER_OTLP_ENDPOINT to send it to an OTLP backend, or LAMBDA_OTEL_EXPORTER=xray for X-Ray and CloudWatch Logs.',
    );
    return { kind: 'stdout', maxLineBytes: stdoutMaxLineBytes };
  }
  const toStdout: ('traces' | 'logs')[] = [];
  // One warning per variable that names the receiver (the general one may cover both signals).
  const looping = new Map<string, string[]>();
  for (const { signal, variable } of signals) {
    const named = set(variable) ? variable : general ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : undefined;
    if (!named) {
      said.notices.push(`Neither ${variable} nor OTEL_EXPORTER_OTLP_ENDPOINT is set: ${signal} go to stdout as OTLP-JSON lines.`);
      toStdout.push(signal);
    } else if (pointsAtReceiver(exporter[signal].url, receiverPort)) {
      looping.set(named, [...(looping.get(named) ?? []), signal]);
      toStdout.push(signal);
    }
  }
  for (const [named, covered] of looping) {
    const what = covered.length === signals.length ? 'telemetry goes' : `${covered.join(' and ')} go`;
    said.warnings.push(
      `Configuration: ${named} is invalid, expected the URL of an OTLP backend, actual ${shownValue(named, env[named]?.trim())} (the extension's own receiver); ${what} to stdout as OTLP-JSON lines`,
    );
  }
  if (toStdout.length === signals.length) return { kind: 'stdout', maxLineBytes: stdoutMaxLineBytes };
  return toStdout.length === 0 ? exporter : { ...exporter, stdoutSignals: toStdout, stdoutMaxLineBytes };
}

/** True when `url` is this extension's own OTLP receiver (loopback, same port). */
function pointsAtReceiver(url: string, receiverPort: number): boolean {
  try {
    const parsed = new URL(url);
    const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
    return ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(parsed.hostname) && port === receiverPort;
  } catch {
    return false;
  }
}

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const text = raw.trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return value;
}

/** OTEL_RESOURCE_ATTRIBUTES (key=value, percent-encoded) under the Lambda defaults; OTEL_SERVICE_NAME wins. */
function readResourceAttributes(env: Env): Record<string, string> {
  const attributes: Record<string, string> = { 'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda' };
  if (env.AWS_REGION) attributes['cloud.region'] = env.AWS_REGION;
  if (env.AWS_LAMBDA_FUNCTION_NAME) attributes['faas.name'] = env.AWS_LAMBDA_FUNCTION_NAME;
  if (env.AWS_LAMBDA_FUNCTION_VERSION) attributes['faas.version'] = env.AWS_LAMBDA_FUNCTION_VERSION;
  if (env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) attributes['faas.max_memory'] = String(Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) * 1024 * 1024);
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      attributes[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      throw new ConfigError('OTEL_RESOURCE_ATTRIBUTES', 'comma-separated key=value pairs, percent-encoded', env.OTEL_RESOURCE_ATTRIBUTES);
    }
  }
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || attributes['service.name'] || env.AWS_LAMBDA_FUNCTION_NAME || 'unknown_service';
  attributes['service.name'] = serviceName;
  return attributes;
}
