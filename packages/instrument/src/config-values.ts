/**
 * Reading configuration values from the environment. Each parser names the variable and what it
 * accepts when a value is unusable ("Configuration: X is invalid, expected …"), and never repeats the
 * value itself: a misplaced token, a header value or a URL with credentials must not reach a log line.
 */
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';

/** The one error type for bad configuration (options or environment variables). */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export function invalid(what: string, expected: string): ConfigurationError {
  return new ConfigurationError(`Configuration: ${what} is invalid, expected ${expected}`);
}

export type Env = Readonly<Record<string, string | undefined>>;

export function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function parseBoolean(env: Env, name: string): boolean | undefined {
  const value = nonEmpty(env, name);
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw invalid(name, 'true or false');
}

/** A whole number written as digits only (no sign, exponent, hex or unit), within [min, max]. */
export function parseInteger(env: Env, name: string, min: number, max: number): number | undefined {
  const value = nonEmpty(env, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) throw invalid(name, `an integer from ${min} to ${max}`);
  return parsed;
}

/**
 * `key1=value1,key2=value2` with percent-encoded values (W3C baggage style, as the OTel spec says),
 * parsed by OpenTelemetry core as the SDK and the exporters parse it. Entries that are not
 * `key=value` are dropped there; this counts them, so the problem can be reported without the value.
 */
export function parseKeyValueList(name: string, value: string): { record: Record<string, string>; problem: ConfigurationError | undefined } {
  const record = parseKeyPairsIntoRecord(value);
  const entries = parseList(value);
  const malformed = entries.filter((entry) => Object.keys(parseKeyPairsIntoRecord(entry)).length === 0).length;
  const problem =
    malformed > 0
      ? invalid(
          name,
          `comma-separated percent-encoded key=value pairs (${malformed} of ${entries.length} entries are not, and are ignored; a value containing a comma must be written %2C)`,
        )
      : undefined;
  return { record, problem };
}

/** True when the value is an absolute http:// or https:// URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export function lowerNames(list: readonly string[]): string[] {
  return list.map((item) => item.toLowerCase());
}
