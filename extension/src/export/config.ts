/**
 * Where and how the extension exports, read once from the environment into a frozen object in three
 * pure steps: {@link readExporterEnv} (raw strings), {@link exporterDefaults}, {@link resolveExporterConfig}
 * (merge + validate). Every error is a ConfigError naming the variable.
 *
 * LAMBDA_OTEL_EXPORTER selects the backend:
 * - `otlp` (default): OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (+ `v1/traces`, `v1/logs`) or the
 *   signal-specific *_TRACES_ENDPOINT / *_LOGS_ENDPOINT (used as-is); *_HEADERS, *_PROTOCOL
 *   (http/protobuf | http/json; grpc is not supported), *_COMPRESSION (gzip | none), *_TIMEOUT (ms).
 * - `xray`: spans to the X-Ray OTLP endpoint (LAMBDA_OTEL_XRAY_ENDPOINT, default
 *   https://xray.<AWS_REGION>.amazonaws.com/v1/traces), logs to the CloudWatch Logs OTLP endpoint
 *   (LAMBDA_OTEL_LOGS_ENDPOINT, default https://logs.<AWS_REGION>.amazonaws.com/v1/logs), both signed
 *   with SigV4 using AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
 *   Logs go to LAMBDA_OTEL_LOG_GROUP, else AWS_LAMBDA_LOG_GROUP_NAME, else `/aws/lambda/<AWS_LAMBDA_FUNCTION_NAME>`
 *   (extensions do not see AWS_LAMBDA_LOG_GROUP_NAME in Lambda, hence the derivation), stream
 *   LAMBDA_OTEL_LOG_STREAM (default `lambda-otel`); both must already exist. When no group can be
 *   determined, or LAMBDA_OTEL_LOG_GROUP is `off`, logs are not exported in xray mode: the exporter
 *   reports each batch as a failure (so they are counted as dropped) and says why once.
 * - `stdout`: OTLP/JSON lines on stdout, at most LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES each.
 */
import { ConfigError } from '../errors.ts';

export type ExporterKind = 'otlp' | 'xray' | 'stdout';
export type OtlpWireFormat = 'protobuf' | 'json';
export type Compression = 'gzip' | 'none';

/** One signal's OTLP/HTTP destination. */
export interface OtlpSignalConfig {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly format: OtlpWireFormat;
  readonly compression: Compression;
  /** Bound of one HTTP attempt; 0 = only the export deadline bounds it. */
  readonly timeoutMs: number;
}

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface OtlpExporterConfig {
  readonly kind: 'otlp';
  readonly traces: OtlpSignalConfig;
  readonly logs: OtlpSignalConfig;
  /**
   * Signals written to stdout as OTLP/JSON lines instead of their endpoint (set by the extension
   * when that endpoint would be its own receiver); absent means none.
   */
  readonly stdoutSignals?: readonly ('traces' | 'logs')[];
  readonly stdoutMaxLineBytes?: number;
}

export interface XrayExporterConfig {
  readonly kind: 'xray';
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** X-Ray OTLP traces endpoint (headers from OTEL_EXPORTER_OTLP_TRACES_HEADERS are sent too). */
  readonly traces: OtlpSignalConfig;
  /** CloudWatch Logs OTLP endpoint; undefined when logs are not exported (see module doc). */
  readonly logs: (OtlpSignalConfig & { readonly logGroup: string; readonly logStream: string }) | undefined;
  /** Why logs are not exported, for the one warning; undefined when they are. */
  readonly logsDisabledReason: string | undefined;
}

export interface StdoutExporterConfig {
  readonly kind: 'stdout';
  readonly maxLineBytes: number;
}

export type ExporterConfig = OtlpExporterConfig | XrayExporterConfig | StdoutExporterConfig;

type Env = Readonly<Record<string, string | undefined>>;

/** Step 1: the raw values this module reads (trimmed; empty counts as unset). */
export type ExporterEnv = Partial<Record<(typeof exporterVariables)[number], string>>;

const exporterVariables = [
  'LAMBDA_OTEL_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL',
  'OTEL_EXPORTER_OTLP_COMPRESSION',
  'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
  'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION',
  'OTEL_EXPORTER_OTLP_TIMEOUT',
  'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
  'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT',
  // Metrics (read by metrics/metrics-config.ts through otlpSignalFromEnv).
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
  'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
  'OTEL_EXPORTER_OTLP_METRICS_COMPRESSION',
  'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_OTEL_XRAY_ENDPOINT',
  'LAMBDA_OTEL_LOGS_ENDPOINT',
  'LAMBDA_OTEL_LOG_GROUP',
  'LAMBDA_OTEL_LOG_STREAM',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_FUNCTION_NAME',
  'LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES',
] as const;

export function readExporterEnv(env: Env): ExporterEnv {
  const raw: ExporterEnv = {};
  for (const name of exporterVariables) {
    const value = env[name]?.trim();
    if (value) raw[name] = value;
  }
  return raw;
}

/** Step 2: defaults. CloudWatch Logs keeps events up to 256 KiB; lines stay well under it. */
export const exporterDefaults = {
  exporter: 'otlp',
  endpoint: 'http://localhost:4318',
  protocol: 'http/protobuf',
  compression: 'gzip',
  timeoutMs: 10_000,
  logStream: 'lambda-otel',
  stdoutMaxLineBytes: 200 * 1024,
} as const;

type Signal = 'traces' | 'logs' | 'metrics';
const signalUpper = { traces: 'TRACES', logs: 'LOGS', metrics: 'METRICS' } as const;

/** The signal-specific variable if set, else the general one; returns the name used for errors. */
function pick(raw: ExporterEnv, suffix: string, signal: Signal): { name: string; value: string | undefined } {
  const specific = `OTEL_EXPORTER_OTLP_${signalUpper[signal]}_${suffix}` as keyof ExporterEnv;
  if (raw[specific] !== undefined) return { name: specific, value: raw[specific] };
  const general = `OTEL_EXPORTER_OTLP_${suffix}` as keyof ExporterEnv;
  return { name: general, value: raw[general] };
}

function parseUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'an http:// or https:// URL', value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'an http:// or https:// URL', value);
  return url.href;
}

function signalUrl(raw: ExporterEnv, signal: Signal): string {
  const specific = `OTEL_EXPORTER_OTLP_${signalUpper[signal]}_ENDPOINT` as const;
  const given = raw[specific];
  if (given !== undefined) return parseUrl(specific, given); // as-is (an empty path becomes '/')
  const base = raw.OTEL_EXPORTER_OTLP_ENDPOINT ?? exporterDefaults.endpoint;
  parseUrl('OTEL_EXPORTER_OTLP_ENDPOINT', base);
  return parseUrl('OTEL_EXPORTER_OTLP_ENDPOINT', `${base.endsWith('/') ? base : `${base}/`}v1/${signal}`);
}

/** `key1=value1,key2=value2`, keys and values percent-decoded (W3C Baggage style). */
export function parseHeaders(name: string, value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!value) return headers;
  const expected = 'comma-separated key=value pairs (percent-encoded)';
  for (const entry of value.split(',')) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    if (at <= 0) throw new ConfigError(name, expected, value);
    let key: string;
    let headerValue: string;
    try {
      key = decodeURIComponent(entry.slice(0, at).trim()).toLowerCase();
      headerValue = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      throw new ConfigError(name, expected, value);
    }
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key) || /[\r\n\0]/.test(headerValue)) throw new ConfigError(name, expected, value);
    headers[key] = headerValue;
  }
  return headers;
}

function signalHeaders(raw: ExporterEnv, signal: Signal): Record<string, string> {
  const specific = `OTEL_EXPORTER_OTLP_${signalUpper[signal]}_HEADERS` as const;
  return {
    ...parseHeaders('OTEL_EXPORTER_OTLP_HEADERS', raw.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseHeaders(specific, raw[specific]),
  };
}

function signalFormat(raw: ExporterEnv, signal: Signal): OtlpWireFormat {
  const { name, value } = pick(raw, 'PROTOCOL', signal);
  switch ((value ?? exporterDefaults.protocol).toLowerCase()) {
    case 'http/protobuf':
      return 'protobuf';
    case 'http/json':
      return 'json';
    case 'grpc':
      throw new ConfigError(name, 'http/protobuf or http/json (grpc is not supported by this extension)', value);
    default:
      throw new ConfigError(name, 'http/protobuf or http/json', value);
  }
}

function signalCompression(raw: ExporterEnv, signal: Signal): Compression {
  const { name, value } = pick(raw, 'COMPRESSION', signal);
  const compression = (value ?? exporterDefaults.compression).toLowerCase();
  if (compression === 'gzip' || compression === 'none') return compression;
  throw new ConfigError(name, 'gzip or none', value);
}

function signalTimeoutMs(raw: ExporterEnv, signal: Signal): number {
  const { name, value } = pick(raw, 'TIMEOUT', signal);
  if (value === undefined) return exporterDefaults.timeoutMs;
  if (!/^\d+$/.test(value) || Number(value) > 3_600_000) throw new ConfigError(name, 'an integer number of milliseconds from 0 to 3600000', value);
  return Number(value);
}

function otlpSignal(raw: ExporterEnv, signal: Signal, url: string): OtlpSignalConfig {
  return Object.freeze({
    url,
    headers: Object.freeze(signalHeaders(raw, signal)),
    format: signalFormat(raw, signal),
    compression: signalCompression(raw, signal),
    timeoutMs: signalTimeoutMs(raw, signal),
  });
}

/**
 * One signal's OTLP destination from OTEL_EXPORTER_OTLP_* (the signal-specific variables first),
 * whatever LAMBDA_OTEL_EXPORTER says: used for metrics, which go to an OTLP endpoint in every mode.
 * @throws ConfigError naming the first invalid variable.
 */
export function otlpSignalFromEnv(env: Env, signal: Signal): OtlpSignalConfig {
  const raw = readExporterEnv(env);
  return otlpSignal(raw, signal, signalUrl(raw, signal));
}

const regionPattern = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;

function awsRegion(raw: ExporterEnv): string {
  const region = raw.AWS_REGION;
  if (region !== undefined && regionPattern.test(region)) return region;
  // Without AWS_REGION, take it from an explicit endpoint such as https://xray.eu-west-1.amazonaws.com/…
  if (region === undefined) {
    const fromHost = /^https:\/\/(?:xray|logs)\.([a-z0-9-]+)\.amazonaws\.com/.exec(raw.LAMBDA_OTEL_XRAY_ENDPOINT ?? '')?.[1];
    if (fromHost) return fromHost;
  }
  throw new ConfigError('AWS_REGION', 'an AWS region such as us-east-1 (required when LAMBDA_OTEL_EXPORTER=xray)', region);
}

function awsCredentials(raw: ExporterEnv): AwsCredentials {
  const required = 'set (the function role credentials Lambda provides; required when LAMBDA_OTEL_EXPORTER=xray)';
  if (!raw.AWS_ACCESS_KEY_ID) throw new ConfigError('AWS_ACCESS_KEY_ID', required, raw.AWS_ACCESS_KEY_ID);
  if (!raw.AWS_SECRET_ACCESS_KEY) throw new ConfigError('AWS_SECRET_ACCESS_KEY', required, undefined);
  return Object.freeze({
    accessKeyId: raw.AWS_ACCESS_KEY_ID,
    secretAccessKey: raw.AWS_SECRET_ACCESS_KEY,
    ...(raw.AWS_SESSION_TOKEN ? { sessionToken: raw.AWS_SESSION_TOKEN } : {}),
  });
}

function xrayConfig(raw: ExporterEnv): XrayExporterConfig {
  const region = awsRegion(raw);
  const credentials = awsCredentials(raw);
  const tracesUrl = parseUrl('LAMBDA_OTEL_XRAY_ENDPOINT', raw.LAMBDA_OTEL_XRAY_ENDPOINT ?? `https://xray.${region}.amazonaws.com/v1/traces`);
  const logsUrl = parseUrl('LAMBDA_OTEL_LOGS_ENDPOINT', raw.LAMBDA_OTEL_LOGS_ENDPOINT ?? `https://logs.${region}.amazonaws.com/v1/logs`);
  const traces = otlpSignal(raw, 'traces', tracesUrl);

  const explicitGroup = raw.LAMBDA_OTEL_LOG_GROUP;
  let logGroup: string | undefined;
  let logsDisabledReason: string | undefined;
  if (explicitGroup?.toLowerCase() === 'off') {
    logsDisabledReason = 'LAMBDA_OTEL_LOG_GROUP is off';
  } else {
    logGroup = explicitGroup ?? raw.AWS_LAMBDA_LOG_GROUP_NAME ?? (raw.AWS_LAMBDA_FUNCTION_NAME ? `/aws/lambda/${raw.AWS_LAMBDA_FUNCTION_NAME}` : undefined);
    if (logGroup === undefined) logsDisabledReason = 'no log group: set LAMBDA_OTEL_LOG_GROUP (AWS_LAMBDA_FUNCTION_NAME is not set either)';
    else if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(logGroup))
      throw new ConfigError('LAMBDA_OTEL_LOG_GROUP', 'a CloudWatch Logs group name ([.-_/#A-Za-z0-9], 1-512 chars) or off', logGroup);
  }
  const logStream = raw.LAMBDA_OTEL_LOG_STREAM ?? exporterDefaults.logStream;
  if (logStream.includes(':') || logStream.includes('*') || logStream.length > 512) {
    throw new ConfigError('LAMBDA_OTEL_LOG_STREAM', 'a CloudWatch Logs stream name (no ":" or "*", at most 512 chars)', logStream);
  }
  const logs = logGroup === undefined ? undefined : Object.freeze({ ...otlpSignal(raw, 'logs', logsUrl), logGroup, logStream });
  return { kind: 'xray', region, credentials, traces, logs, logsDisabledReason };
}

/** LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES: the stdout exporter's and the SHUTDOWN fallback's longest line. */
export function stdoutMaxLineBytes(raw: ExporterEnv): number {
  const value = raw.LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES;
  if (value === undefined) return exporterDefaults.stdoutMaxLineBytes;
  if (!/^\d+$/.test(value) || Number(value) < 4096 || Number(value) > 1024 * 1024) {
    throw new ConfigError('LAMBDA_OTEL_STDOUT_MAX_LINE_BYTES', 'an integer from 4096 to 1048576', value);
  }
  return Number(value);
}

/** Step 3: merge the raw values with the defaults and validate. */
export function resolveExporterConfig(raw: ExporterEnv): ExporterConfig {
  const kind = (raw.LAMBDA_OTEL_EXPORTER ?? exporterDefaults.exporter).toLowerCase();
  switch (kind) {
    case 'otlp':
      return { kind: 'otlp', traces: otlpSignal(raw, 'traces', signalUrl(raw, 'traces')), logs: otlpSignal(raw, 'logs', signalUrl(raw, 'logs')) };
    case 'xray':
      return xrayConfig(raw);
    case 'stdout':
      return { kind: 'stdout', maxLineBytes: stdoutMaxLineBytes(raw) };
    default:
      throw new ConfigError('LAMBDA_OTEL_EXPORTER', 'otlp, xray or stdout', raw.LAMBDA_OTEL_EXPORTER);
  }
}

/**
 * Reads the exporter configuration from the environment.
 * @throws ConfigError naming the first invalid variable.
 * @example
 * const config = readExporterConfig({ LAMBDA_OTEL_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318' });
 * config.kind === 'otlp' && config.traces.url; // 'https://collector:4318/v1/traces'
 */
export function readExporterConfig(env: Env): ExporterConfig {
  return Object.freeze(resolveExporterConfig(readExporterEnv(env)));
}
