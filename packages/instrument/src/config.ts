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
import {
  ConfigurationError,
  invalid,
  isHttpUrl,
  lowerNames,
  nonEmpty,
  parseBoolean,
  parseInteger,
  parseKeyValueList,
  parseList,
  type Env,
} from './config-values.ts';

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
  // The semantic conventions' list for url.query (presigned URLs of S3, CloudFront, Azure, GCS).
  'awsaccesskeyid',
  'x-goog-signature',
] as const;

export const DEFAULT_TIMEOUT_MARGIN_MS = 100;
export const DEFAULT_RECEIVER_PORT = 4318;
export const DEFAULT_EXTENSION_TIMEOUT_MS = 1000;
/** The OTLP exporter's own default endpoint, used when the configured one is unusable. */
export const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';
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
  /** OTLP protocol of the `otlp` writer; endpoint, headers, timeout and compression are read by the exporter. */
  readonly otlpProtocol: 'http/protobuf' | 'http/json';
  /** Set only when the configured OTLP endpoint is unusable: the exporter then sends to the default. */
  readonly otlpUrlOverride: string | undefined;
  readonly maxQueuedSpans: number;
}

/**
 * Receives each configuration problem; the setting it concerns then takes its documented default.
 * The default reporter throws (strict validation for callers of resolveInstrumentConfig); wrap() and
 * the middy middleware log one ERROR line per problem instead and carry on.
 */
export type ProblemReporter = (problem: ConfigurationError) => void;

const throwProblem: ProblemReporter = (problem) => {
  throw problem;
};

function describeDefault(value: unknown): string {
  return Array.isArray(value) ? value.join(',') || 'none' : String(value);
}

function parseWriter(value: string): WriterName {
  const lower = value.toLowerCase();
  if (!(WRITER_NAMES as readonly string[]).includes(lower)) throw invalid('LAMBDA_OTEL_WRITER', `one of ${WRITER_NAMES.join(', ')}`);
  return lower as WriterName;
}

function checkPropagators(what: string, names: readonly string[]): PropagatorName[] {
  for (const name of names) {
    if (!(PROPAGATOR_NAMES as readonly string[]).includes(name)) throw invalid(what, `a comma-separated list of ${PROPAGATOR_NAMES.join(', ')}`);
  }
  return names.includes('none') ? [] : ([...new Set(names)] as PropagatorName[]);
}

function parseSamplerName(env: Env): SamplerName {
  const raw = nonEmpty(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  if (!(SAMPLER_NAMES as readonly string[]).includes(raw)) throw invalid('OTEL_TRACES_SAMPLER', `one of ${SAMPLER_NAMES.join(', ')}`);
  return raw as SamplerName;
}

function parseSamplerRatio(env: Env, name: SamplerName): number {
  const arg = nonEmpty(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (!name.endsWith('traceidratio') || arg === undefined) return 1;
  const ratio = Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw invalid('OTEL_TRACES_SAMPLER_ARG', 'a number from 0 to 1');
  return ratio;
}

/** The signal-specific variable if set, else the generic one (the OTLP exporter's order). */
function otlpVariable(env: Env, suffix: string): string {
  const specific = `OTEL_EXPORTER_OTLP_TRACES_${suffix}`;
  return nonEmpty(env, specific) !== undefined ? specific : `OTEL_EXPORTER_OTLP_${suffix}`;
}

function otlpProtocol(env: Env): 'http/protobuf' | 'http/json' {
  const name = otlpVariable(env, 'PROTOCOL');
  const value = nonEmpty(env, name) ?? 'http/protobuf';
  if (value !== 'http/protobuf' && value !== 'http/json') throw invalid(name, 'http/protobuf or http/json');
  return value;
}

/** Checks the endpoint the exporter will read; an unusable one means the default URL is passed explicitly. */
function otlpUrlOverride(env: Env): string | undefined {
  const name = otlpVariable(env, 'ENDPOINT');
  const value = nonEmpty(env, name);
  if (value !== undefined && !isHttpUrl(value)) throw invalid(name, 'an http:// or https:// URL');
  return undefined;
}

/**
 * The OTLP settings the exporter reads itself (headers, timeout, compression) are only checked here,
 * so a bad one is reported like any other; the exporter then ignores it and uses its default.
 */
function checkOtlpExporterVariables(env: Env, report: ProblemReporter): void {
  for (const suffix of ['HEADERS', 'TRACES_HEADERS']) {
    const name = `OTEL_EXPORTER_OTLP_${suffix}`;
    const value = nonEmpty(env, name);
    const problem = value === undefined ? undefined : parseKeyValueList(name, value).problem;
    if (problem) report(problem);
  }
  for (const suffix of ['TIMEOUT', 'TRACES_TIMEOUT']) {
    const name = `OTEL_EXPORTER_OTLP_${suffix}`;
    const value = nonEmpty(env, name);
    if (value !== undefined && !(Number(value) > 0)) report(invalid(name, 'a number of milliseconds greater than 0; the exporter default 10000 is used'));
  }
  for (const suffix of ['COMPRESSION', 'TRACES_COMPRESSION']) {
    const name = `OTEL_EXPORTER_OTLP_${suffix}`;
    const value = nonEmpty(env, name);
    if (value !== undefined && value !== 'gzip' && value !== 'none') report(invalid(name, 'gzip or none; the exporter default none is used'));
  }
}

/**
 * Parses the plugin configuration once: explicit options win over environment variables, which win over
 * defaults. Each unusable value goes to `report` (default: thrown as a ConfigurationError naming the
 * variable, without its value) and its setting takes the documented default.
 *
 * @example
 * const config = resolveInstrumentConfig({ writer: 'stdout' }, process.env);
 */
export function resolveInstrumentConfig(options: InstrumentOptions = {}, env: Env = process.env, report: ProblemReporter = throwProblem): InstrumentConfig {
  /** One setting: its value, or on a problem the report and the default. */
  function setting<T>(fallback: T, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      report(new ConfigurationError(`${error.message}; the default (${describeDefault(fallback)}) is used`));
      return fallback;
    }
  }

  const envWriter = nonEmpty(env, 'LAMBDA_OTEL_WRITER');
  const writer = setting<WriterName | SpanWriterFunction>('extension', () => {
    if (options.writer !== undefined) {
      if (typeof options.writer !== 'function' && !(WRITER_NAMES as readonly string[]).includes(options.writer)) {
        throw invalid('option writer', `one of ${WRITER_NAMES.join(', ')} or a function`);
      }
      return options.writer;
    }
    return envWriter === undefined ? 'extension' : parseWriter(envWriter);
  });

  // When the layer's extension exports to X-Ray, Lambda's X-Ray parent exists in the backend, so the
  // trace continues it by default (README "Propagation choice").
  const defaultPropagators: PropagatorName[] =
    env.LAMBDA_OTEL_EXPORTER?.trim().toLowerCase() === 'xray' ? ['tracecontext', 'baggage', 'xray-lambda'] : ['tracecontext', 'baggage'];
  const propagators = setting(defaultPropagators, () => {
    if (options.propagators !== undefined) return checkPropagators('option propagators', options.propagators);
    const envPropagators = nonEmpty(env, 'OTEL_PROPAGATORS');
    return checkPropagators('OTEL_PROPAGATORS', envPropagators === undefined ? defaultPropagators : parseList(envPropagators.toLowerCase()));
  });

  const resourceAttributesValue = nonEmpty(env, 'OTEL_RESOURCE_ATTRIBUTES');
  const resourceAttributes = resourceAttributesValue ? parseKeyValueList('OTEL_RESOURCE_ATTRIBUTES', resourceAttributesValue) : undefined;
  if (resourceAttributes?.problem) report(resourceAttributes.problem);

  const envRedactHeaders = nonEmpty(env, 'LAMBDA_OTEL_REDACT_HEADERS');
  const envRedactQuery = nonEmpty(env, 'LAMBDA_OTEL_REDACT_QUERY_PARAMS');
  const envCaptureHeaders = nonEmpty(env, 'LAMBDA_OTEL_CAPTURE_HEADERS');
  const redactHeaders = [
    ...new Set([...ALWAYS_REDACTED_HEADERS, ...lowerNames(options.redactHeaders ?? (envRedactHeaders ? parseList(envRedactHeaders) : []))]),
  ];
  const samplerName = setting<SamplerName>('parentbased_always_on', () => parseSamplerName(env));
  // The OTLP variables are the plugin's business only with the otlp writer; with the layer they
  // configure its extension, which checks them itself.
  const usesOtlp = writer === 'otlp';
  if (usesOtlp) checkOtlpExporterVariables(env, report);

  const config: InstrumentConfig = {
    writer,
    writerExplicit: options.writer !== undefined || envWriter !== undefined,
    serviceName: options.serviceName ?? nonEmpty(env, 'OTEL_SERVICE_NAME'),
    resourceAttributes: Object.freeze(resourceAttributes?.record ?? {}),
    kind: setting(undefined, () => {
      if (options.kind !== undefined && typeof options.kind !== 'function' && !Object.values(SpanKind).includes(options.kind)) {
        throw invalid('option kind', 'a SpanKind (0..4) or a function');
      }
      return options.kind;
    }),
    name: options.name,
    attributes: options.attributes,
    captureEvent: options.captureEvent ?? setting(false, () => parseBoolean(env, 'LAMBDA_OTEL_CAPTURE_EVENT') ?? false),
    captureHeaders: Object.freeze(
      lowerNames(options.captureHeaders ?? (envCaptureHeaders ? parseList(envCaptureHeaders) : [])).filter((h) => !redactHeaders.includes(h)),
    ),
    redactHeaders: Object.freeze(redactHeaders),
    redactQueryParams: Object.freeze([
      ...new Set([...DEFAULT_REDACTED_QUERY_PARAMS, ...lowerNames(options.redactQueryParams ?? (envRedactQuery ? parseList(envRedactQuery) : []))]),
    ]),
    propagators: Object.freeze(propagators),
    sampler: Object.freeze({ name: samplerName, ratio: setting(1, () => parseSamplerRatio(env, samplerName)) }),
    timeoutMarginMs: setting(DEFAULT_TIMEOUT_MARGIN_MS, () => {
      if (options.timeoutMarginMs === undefined) return parseInteger(env, 'LAMBDA_OTEL_TIMEOUT_MARGIN_MS', 0, 60_000) ?? DEFAULT_TIMEOUT_MARGIN_MS;
      if (!Number.isInteger(options.timeoutMarginMs) || options.timeoutMarginMs < 0) throw invalid('option timeoutMarginMs', 'a non-negative integer');
      return options.timeoutMarginMs;
    }),
    correlateConsole: options.correlateConsole ?? setting(false, () => parseBoolean(env, 'LAMBDA_OTEL_CORRELATE_CONSOLE') ?? false),
    receiverPort: setting(DEFAULT_RECEIVER_PORT, () => parseInteger(env, 'LAMBDA_OTEL_RECEIVER_PORT', 1, 65_535) ?? DEFAULT_RECEIVER_PORT),
    extensionTimeoutMs: setting(
      DEFAULT_EXTENSION_TIMEOUT_MS,
      () => parseInteger(env, 'LAMBDA_OTEL_EXTENSION_TIMEOUT_MS', 1, 60_000) ?? DEFAULT_EXTENSION_TIMEOUT_MS,
    ),
    otlpProtocol: usesOtlp ? setting<'http/protobuf' | 'http/json'>('http/protobuf', () => otlpProtocol(env)) : 'http/protobuf',
    otlpUrlOverride: usesOtlp ? setting<string | undefined>(DEFAULT_OTLP_TRACES_URL, () => otlpUrlOverride(env)) : undefined,
    maxQueuedSpans: setting(DEFAULT_MAX_QUEUED_SPANS, () => parseInteger(env, 'LAMBDA_OTEL_MAX_QUEUED_SPANS', 1, 1_000_000) ?? DEFAULT_MAX_QUEUED_SPANS),
  };
  return Object.freeze(config);
}
