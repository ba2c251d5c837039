/**
 * Whether and where the extension exports metrics, and in which temporality. Metrics go to an OTLP
 * endpoint in every exporter mode (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, else
 * OTEL_EXPORTER_OTLP_ENDPOINT + `v1/metrics`, with the same headers, protocol, compression and
 * timeout variables as traces and logs); without one they are off, said once. Nothing here fails
 * init: a bad value is one ERROR line naming the variable, then the documented default.
 */
import { ConfigError } from '../errors.ts';
import { otlpSignalFromEnv } from '../export/config.ts';
import type { OtlpSignalConfig } from '../export/config.ts';
import type { Temporality } from './aggregator.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface MetricsConfig {
  /** Where metrics go; undefined when they are off. */
  readonly destination: OtlpSignalConfig | undefined;
  readonly temporality: Temporality;
  /** Lines for the log at init, by level. */
  readonly errors: readonly string[];
  readonly notices: readonly string[];
}

const TEMPORALITY_VARIABLE = 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE';

/**
 * OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: `delta` (default: environments are short-lived),
 * `cumulative`, or `lowmemory` (delta for counters and histograms, which is all the extension makes).
 */
export function parseTemporality(raw: string | undefined): { temporality: Temporality; error?: string } {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '' || value === 'delta' || value === 'lowmemory') return { temporality: 'delta' };
  if (value === 'cumulative') return { temporality: 'cumulative' };
  return { temporality: 'delta', error: `${new ConfigError(TEMPORALITY_VARIABLE, 'delta, cumulative or lowmemory', raw).message}; using delta` };
}

/**
 * @example
 * const metrics = readMetricsConfig(process.env, 4318);
 * for (const line of metrics.errors) logger.error(line);
 */
export function readMetricsConfig(env: Env, receiverPort: number): MetricsConfig {
  const errors: string[] = [];
  const notices: string[] = [];
  const { temporality, error } = parseTemporality(env[TEMPORALITY_VARIABLE]);
  if (error) errors.push(error);
  const off = (why: string): MetricsConfig => {
    notices.push(`Metrics are off: ${why}.`);
    return { destination: undefined, temporality, errors, notices };
  };

  const exporter = (env.OTEL_METRICS_EXPORTER ?? '').trim().toLowerCase();
  if (exporter === 'none') return off('OTEL_METRICS_EXPORTER is none');
  if (exporter !== '' && exporter !== 'otlp') {
    errors.push(`${new ConfigError('OTEL_METRICS_EXPORTER', 'otlp or none', env.OTEL_METRICS_EXPORTER).message}; using otlp`);
  }
  const set = (name: string): boolean => (env[name]?.trim() ?? '') !== '';
  const variable = set('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT')
    ? 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'
    : set('OTEL_EXPORTER_OTLP_ENDPOINT')
      ? 'OTEL_EXPORTER_OTLP_ENDPOINT'
      : undefined;
  if (!variable) {
    const mode = (env.LAMBDA_OTEL_EXPORTER ?? 'otlp').trim().toLowerCase();
    return off(
      `no OTLP endpoint is set${mode === 'xray' ? ' (in xray mode metrics go only to an OTLP endpoint)' : ''}; set OTEL_EXPORTER_OTLP_METRICS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT`,
    );
  }
  let destination: OtlpSignalConfig;
  try {
    destination = otlpSignalFromEnv(env, 'metrics');
  } catch (thrown) {
    if (!(thrown instanceof ConfigError)) throw thrown;
    // A variable shared with traces and logs has had its ERROR line already: say once why metrics are off.
    if (thrown.variable.includes('_METRICS_')) errors.push(`${thrown.message}; metrics are off`);
    else notices.push(`Metrics are off: ${thrown.variable} is invalid (its ERROR line is above).`);
    return { destination: undefined, temporality, errors, notices };
  }
  if (pointsAtReceiver(destination.url, receiverPort)) {
    errors.push(
      `${new ConfigError(variable, "the URL of an OTLP backend (not the extension's own receiver)", env[variable]?.trim()).message}; metrics are off`,
    );
    return { destination: undefined, temporality, errors, notices };
  }
  return { destination, temporality, errors, notices };
}

function pointsAtReceiver(url: string, receiverPort: number): boolean {
  const parsed = new URL(url);
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  return ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(parsed.hostname) && port === receiverPort;
}
