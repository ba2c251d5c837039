/**
 * LAMBDA_OTEL_TAIL_SAMPLING: which invocations the extension exports, decided once each one is
 * complete. Comma-separated terms, case and spaces ignored:
 *   errors         keep every invocation that failed, timed out or crashed
 *   slow>DURATION  keep those that ran longer than DURATION (`500ms`, `1.5s`, `2000` = ms)
 *   coldstart      keep the first invocation of each execution environment
 *   ratio=R        keep this share of the rest, by trace id: R from 0 to 1, or a percentage (`10%`)
 * Without `ratio` the rest is dropped. Unset, empty or `all`: keep everything (no tail sampling).
 * LAMBDA_OTEL_TAIL_SAMPLING_LOGS: `keep` (default) or `drop` the logs of dropped invocations.
 */
import { ConfigError } from '../errors.ts';

export interface SamplingRules {
  readonly errors: boolean;
  /** Keep invocations slower than this; undefined: no slow rule. */
  readonly slowerThanMs: number | undefined;
  readonly coldStart: boolean;
  /** Share of the remaining invocations kept, 0..1. */
  readonly ratio: number;
  /** Drop the log records of dropped invocations too (kept by default: logs are the record of last resort). */
  readonly dropLogs: boolean;
}

export const TAIL_SAMPLING_VARIABLE = 'LAMBDA_OTEL_TAIL_SAMPLING';
export const TAIL_SAMPLING_LOGS_VARIABLE = 'LAMBDA_OTEL_TAIL_SAMPLING_LOGS';

const EXPECTED = 'comma-separated errors, slow>DURATION (e.g. 500ms or 1.5s), coldstart, ratio=R (0..1 or N%), or all';

/**
 * Parses the grammar above; undefined means keep everything.
 * @throws ConfigError naming LAMBDA_OTEL_TAIL_SAMPLING and the term it could not read.
 * @example parseSamplingRules('errors,slow>500ms,coldstart,ratio=0.1') // { errors: true, slowerThanMs: 500, coldStart: true, ratio: 0.1, dropLogs: false }
 */
export function parseSamplingRules(raw: string | undefined, logsRaw?: string): SamplingRules | undefined {
  const value = (raw ?? '').trim().toLowerCase();
  const dropLogs = parseLogsOption(logsRaw);
  if (value === '' || value === 'all') return undefined;
  let errors = false;
  let slowerThanMs: number | undefined;
  let coldStart = false;
  let ratio = 0;
  for (const term of value.split(',').map((part) => part.replace(/\s+/g, ''))) {
    if (term === '') continue;
    const fail = (): never => {
      throw new ConfigError(TAIL_SAMPLING_VARIABLE, `${EXPECTED} (cannot read ${JSON.stringify(term)})`, raw);
    };
    if (term === 'errors' || term === 'error') errors = true;
    else if (term === 'coldstart' || term === 'coldstarts') coldStart = true;
    else if (term.startsWith('slow>')) slowerThanMs = parseDurationMs(term.slice(5)) ?? fail();
    else if (term.startsWith('ratio=')) ratio = parseRatio(term.slice(6)) ?? fail();
    else fail();
  }
  return { errors, slowerThanMs, coldStart, ratio, dropLogs };
}

function parseLogsOption(raw: string | undefined): boolean {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '' || value === 'keep') return false;
  if (value === 'drop') return true;
  throw new ConfigError(TAIL_SAMPLING_LOGS_VARIABLE, 'keep or drop', raw);
}

function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (!match) return undefined;
  return match[2] === 's' ? Number(match[1]) * 1000 : Number(match[1]);
}

function parseRatio(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(%)?$/.exec(text);
  if (!match) return undefined;
  const ratio = match[2] ? Number(match[1]) / 100 : Number(match[1]);
  return ratio <= 1 ? ratio : undefined;
}

/**
 * Reads both variables. Never throws: an invalid value is one ERROR line naming the variable, and
 * then everything is kept (the safe side: nothing is lost because of a typo).
 */
export function readSamplingRules(env: Readonly<Record<string, string | undefined>>): { rules: SamplingRules | undefined; error?: string } {
  try {
    return { rules: parseSamplingRules(env[TAIL_SAMPLING_VARIABLE], env[TAIL_SAMPLING_LOGS_VARIABLE]) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { rules: undefined, error: `${error.message}; tail sampling is off (every invocation is kept)` };
  }
}
