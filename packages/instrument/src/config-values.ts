/**
 * Reading configuration values from the environment: each parser names the variable and what it
 * accepts when a value is unusable, in one format ("Configuration: X is invalid, expected …, actual …").
 */

/** The one error type for bad configuration (options or environment variables). */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export function invalid(what: string, expected: string, actual: unknown): ConfigurationError {
  return new ConfigurationError(`Configuration: ${what} is invalid, expected ${expected}, actual ${JSON.stringify(actual)}`);
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
  throw invalid(name, 'true or false', value);
}

/** A whole number written as digits only (no sign, exponent, hex or unit), within [min, max]. */
export function parseInteger(env: Env, name: string, min: number, max: number): number | undefined {
  const value = nonEmpty(env, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw invalid(name, `an integer from ${min} to ${max}`, value);
  }
  return parsed;
}

/** `key1=value1,key2=value2` with percent-encoded values (W3C baggage style, as the OTel spec says). */
export function parseKeyValueList(name: string, value: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of parseList(value)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw invalid(name, 'key=value pairs separated by commas', value);
    try {
      result[decodeURIComponent(entry.slice(0, eq).trim())] = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      throw invalid(name, 'percent-encoded key=value pairs', value);
    }
  }
  return result;
}

export function lowerNames(list: readonly string[]): string[] {
  return list.map((item) => item.toLowerCase());
}
