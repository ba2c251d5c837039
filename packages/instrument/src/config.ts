import { SpanKind } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import {
  PROPAGATOR_NAMES,
  SAMPLER_NAMES,
  WRITER_NAMES,
  type InstrumentOptions,
  type LambdaContext,
  type PropagatorName,
  type SamplerName,
  type SpanWriterFunction,
  type WriterName,
} from './types.ts';
import { invalid, lowerNames, nonEmpty, parseBoolean, parseInteger, parseKeyValueList, parseList, type Env } from './config-values.ts';

export { ConfigurationError } from './config-values.ts';

/** Headers that are never recorded, whatever the configuration says. */
export const ALWAYS_REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-amz-security-token'] as const;

/** Query parameters whose values are replaced in `url.query` unless configured otherwise (added to, never removed). */
export const DEFAULT_REDACTED_QUERY_PARAMS = [
  'access_token',
  'api_key',
  'apikey',
  'client_secret',
  'code',
  'key',
  'password',
  'secret',
  'sig',
  'signature',
  'token',
  'x-amz-credential',
  'x-amz-security-token',
  'x-amz-signature',
] as const;

export const DEFAULT_TIMEOUT_MARGIN_MS = 100;
export const DEFAULT_RECEIVER_PORT = 4318;
export const DEFAULT_EXTENSION_TIMEOUT_MS = 1000;
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_QUEUED_SPANS = 2048;

export interface SamplerConfig {
  readonly name: SamplerName;
  /** Ratio for the traceidratio samplers, 0..1. */
  readonly ratio: number;
}

/** The plugin's configuration: options > environment > defaults, validated once and frozen. */
export interface InstrumentConfig {
  readonly writer: WriterName | SpanWriterFunction;
  /** True when the writer came from an explicit option or LAMBDA_OTEL_WRITER. */
  readonly writerExplicit: boolean;
  readonly serviceName: string | undefined;
  readonly resourceAttributes: Readonly<Attributes>;
  readonly kind: SpanKind | ((event: unknown, context: LambdaContext) => SpanKind) | undefined;
  readonly name: string | ((event: unknown, context: LambdaContext) => string) | undefined;
  readonly attributes: ((event: unknown, context: LambdaContext) => Attributes | undefined) | undefined;
  readonly captureEvent: boolean;
  readonly captureHeaders: readonly string[];
  readonly redactHeaders: readonly string[];
  readonly redactQueryParams: readonly string[];
  readonly propagators: readonly PropagatorName[];
  readonly sampler: SamplerConfig;
  readonly timeoutMarginMs: number;
  /** Route console.* through the plugin's logger, so its lines carry requestId/trace_id/span_id. */
  readonly correlateConsole: boolean;
  readonly receiverPort: number;
  readonly extensionTimeoutMs: number;
  readonly otlpTracesUrl: string;
  readonly otlpHeaders: Readonly<Record<string, string>>;
  readonly otlpTimeoutMs: number;
  readonly otlpProtocol: 'http/protobuf' | 'http/json';
  readonly otlpCompression: 'gzip' | 'none';
  readonly maxQueuedSpans: number;
}

function parseWriter(value: string): WriterName {
  const lower = value.toLowerCase();
  if (!(WRITER_NAMES as readonly string[]).includes(lower)) {
    throw invalid('LAMBDA_OTEL_WRITER', `one of ${WRITER_NAMES.join(', ')}`, value);
  }
  return lower as WriterName;
}

function checkPropagators(what: string, names: readonly string[]): PropagatorName[] {
  for (const name of names) {
    if (!(PROPAGATOR_NAMES as readonly string[]).includes(name)) {
      throw invalid(what, `a comma-separated list of ${PROPAGATOR_NAMES.join(', ')}`, names.join(','));
    }
  }
  return names.includes('none') ? [] : ([...new Set(names)] as PropagatorName[]);
}

function parseSampler(env: Env): SamplerConfig {
  const raw = nonEmpty(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  if (!(SAMPLER_NAMES as readonly string[]).includes(raw)) {
    throw invalid('OTEL_TRACES_SAMPLER', `one of ${SAMPLER_NAMES.join(', ')}`, raw);
  }
  const name = raw as SamplerName;
  let ratio = 1;
  const arg = nonEmpty(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (name.endsWith('traceidratio') && arg !== undefined) {
    ratio = Number(arg);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
      throw invalid('OTEL_TRACES_SAMPLER_ARG', 'a number from 0 to 1', arg);
    }
  }
  return { name, ratio };
}

/** Resolves the traces URL: the signal-specific variable is used as is, the generic one gets `/v1/traces`. */
function otlpTracesUrl(env: Env): string {
  const specific = nonEmpty(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const url = specific ?? `${(nonEmpty(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? DEFAULT_OTLP_ENDPOINT).replace(/\/+$/, '')}/v1/traces`;
  const name = specific !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(name, 'an http:// or https:// URL', url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid(name, 'an http:// or https:// URL', url);
  return parsed.href;
}

function otlpProtocol(env: Env): 'http/protobuf' | 'http/json' {
  const name = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const value = nonEmpty(env, name) ?? 'http/protobuf';
  if (value !== 'http/protobuf' && value !== 'http/json') throw invalid(name, 'http/protobuf or http/json', value);
  return value;
}

function otlpCompression(env: Env): 'gzip' | 'none' {
  const name = env.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION?.trim() ? 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION' : 'OTEL_EXPORTER_OTLP_COMPRESSION';
  const value = nonEmpty(env, name) ?? 'gzip';
  if (value !== 'gzip' && value !== 'none') throw invalid(name, 'gzip or none', value);
  return value;
}

/**
 * Parses the plugin configuration once: explicit options win over environment variables, which win over
 * defaults. Throws a ConfigurationError naming the variable on bad input.
 *
 * @example
 * const config = resolveInstrumentConfig({ writer: 'stdout' }, process.env);
 */
export function resolveInstrumentConfig(options: InstrumentOptions = {}, env: Env = process.env): InstrumentConfig {
  const envWriter = nonEmpty(env, 'LAMBDA_OTEL_WRITER');
  let writer: WriterName | SpanWriterFunction = 'extension';
  if (options.writer !== undefined) {
    if (typeof options.writer !== 'function' && !(WRITER_NAMES as readonly string[]).includes(options.writer)) {
      throw invalid('option writer', `one of ${WRITER_NAMES.join(', ')} or a function`, options.writer);
    }
    writer = options.writer;
  } else if (envWriter !== undefined) {
    writer = parseWriter(envWriter);
  }

  const envPropagators = nonEmpty(env, 'OTEL_PROPAGATORS');
  // When the layer's extension exports to X-Ray, Lambda's X-Ray parent exists in the backend, so the
  // trace continues it by default (README "Propagation choice").
  const defaultPropagators: PropagatorName[] =
    env.LAMBDA_OTEL_EXPORTER?.trim().toLowerCase() === 'xray' ? ['tracecontext', 'baggage', 'xray-lambda'] : ['tracecontext', 'baggage'];
  const propagators =
    options.propagators !== undefined
      ? checkPropagators('option propagators', options.propagators)
      : checkPropagators('OTEL_PROPAGATORS', envPropagators === undefined ? defaultPropagators : parseList(envPropagators.toLowerCase()));

  const resourceAttributes = nonEmpty(env, 'OTEL_RESOURCE_ATTRIBUTES');
  const headersVar = nonEmpty(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS') !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_HEADERS' : 'OTEL_EXPORTER_OTLP_HEADERS';
  const headersValue = nonEmpty(env, headersVar);
  const timeoutVar = nonEmpty(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT' : 'OTEL_EXPORTER_OTLP_TIMEOUT';

  if (options.timeoutMarginMs !== undefined && (!Number.isInteger(options.timeoutMarginMs) || options.timeoutMarginMs < 0)) {
    throw invalid('option timeoutMarginMs', 'a non-negative integer', options.timeoutMarginMs);
  }
  const envRedactHeaders = nonEmpty(env, 'LAMBDA_OTEL_REDACT_HEADERS');
  const envRedactQuery = nonEmpty(env, 'LAMBDA_OTEL_REDACT_QUERY_PARAMS');
  const envCaptureHeaders = nonEmpty(env, 'LAMBDA_OTEL_CAPTURE_HEADERS');
  const redactHeaders = [
    ...new Set([...ALWAYS_REDACTED_HEADERS, ...lowerNames(options.redactHeaders ?? (envRedactHeaders ? parseList(envRedactHeaders) : []))]),
  ];

  const config: InstrumentConfig = {
    writer,
    writerExplicit: options.writer !== undefined || envWriter !== undefined,
    serviceName: options.serviceName ?? nonEmpty(env, 'OTEL_SERVICE_NAME'),
    resourceAttributes: Object.freeze(resourceAttributes ? parseKeyValueList('OTEL_RESOURCE_ATTRIBUTES', resourceAttributes) : {}),
    kind: options.kind,
    name: options.name,
    attributes: options.attributes,
    captureEvent: options.captureEvent ?? parseBoolean(env, 'LAMBDA_OTEL_CAPTURE_EVENT') ?? false,
    captureHeaders: Object.freeze(
      lowerNames(options.captureHeaders ?? (envCaptureHeaders ? parseList(envCaptureHeaders) : [])).filter((h) => !redactHeaders.includes(h)),
    ),
    redactHeaders: Object.freeze(redactHeaders),
    redactQueryParams: Object.freeze([
      ...new Set([...DEFAULT_REDACTED_QUERY_PARAMS, ...lowerNames(options.redactQueryParams ?? (envRedactQuery ? parseList(envRedactQuery) : []))]),
    ]),
    propagators: Object.freeze(propagators),
    sampler: Object.freeze(parseSampler(env)),
    timeoutMarginMs: options.timeoutMarginMs ?? parseInteger(env, 'LAMBDA_OTEL_TIMEOUT_MARGIN_MS', 0, 60_000) ?? DEFAULT_TIMEOUT_MARGIN_MS,
    correlateConsole: options.correlateConsole ?? parseBoolean(env, 'LAMBDA_OTEL_CORRELATE_CONSOLE') ?? false,
    receiverPort: parseInteger(env, 'LAMBDA_OTEL_RECEIVER_PORT', 1, 65_535) ?? DEFAULT_RECEIVER_PORT,
    extensionTimeoutMs: parseInteger(env, 'LAMBDA_OTEL_EXTENSION_TIMEOUT_MS', 1, 60_000) ?? DEFAULT_EXTENSION_TIMEOUT_MS,
    otlpTracesUrl: otlpTracesUrl(env),
    otlpHeaders: Object.freeze(headersValue ? parseKeyValueList(headersVar, headersValue) : {}),
    otlpTimeoutMs: parseInteger(env, timeoutVar, 0, 600_000) ?? DEFAULT_OTLP_TIMEOUT_MS,
    otlpProtocol: otlpProtocol(env),
    otlpCompression: otlpCompression(env),
    maxQueuedSpans: parseInteger(env, 'LAMBDA_OTEL_MAX_QUEUED_SPANS', 1, 1_000_000) ?? DEFAULT_MAX_QUEUED_SPANS,
  };
  if (options.kind !== undefined && typeof options.kind !== 'function' && !Object.values(SpanKind).includes(options.kind)) {
    throw invalid('option kind', 'a SpanKind (0..4) or a function', options.kind);
  }
  return Object.freeze(config);
}
