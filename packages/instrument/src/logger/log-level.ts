/**
 * Log levels of the plugin's logger and how they are read from the environment.
 * Lambda's own names (TRACE … FATAL) are accepted and folded onto the four levels the logger has.
 */
export const LOG_LEVELS = { DEBUG: 'DEBUG', INFO: 'INFO', WARN: 'WARN', ERROR: 'ERROR' } as const;
export type LogLevel = (typeof LOG_LEVELS)[keyof typeof LOG_LEVELS];

/** Higher is more severe; a record is written when its severity is ≥ the configured one. */
export const LEVEL_SEVERITY: Readonly<Record<LogLevel, number>> = Object.freeze({
  DEBUG: 10,
  INFO: 20,
  WARN: 30,
  ERROR: 40,
});

const ACCEPTED_NAMES: Readonly<Record<string, LogLevel>> = Object.freeze({
  TRACE: 'DEBUG',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARN',
  ERROR: 'ERROR',
  FATAL: 'ERROR',
});

export const ACCEPTED_LEVEL_NAMES = Object.keys(ACCEPTED_NAMES).join(', ');

/** Variables read, first set (non-empty) one wins. */
export const LOG_LEVEL_VARIABLES = ['AWS_LAMBDA_LOG_LEVEL', 'LOG_LEVEL'] as const;

export type ResolvedLogLevel = {
  level: LogLevel;
  /** Set when the variable that decided the level held an unusable value; the level is then INFO. */
  invalid?: { variable: string; actual: string };
};

/**
 * Reads the level from AWS_LAMBDA_LOG_LEVEL, then LOG_LEVEL, else INFO (case-insensitive).
 *
 * @example
 * resolveLogLevel({ AWS_LAMBDA_LOG_LEVEL: 'trace' }); // { level: 'DEBUG' }
 */
export function resolveLogLevel(env: Readonly<Record<string, string | undefined>>): ResolvedLogLevel {
  for (const variable of LOG_LEVEL_VARIABLES) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const level = ACCEPTED_NAMES[raw.trim().toUpperCase()];
    if (level !== undefined) return { level };
    return { level: LOG_LEVELS.INFO, invalid: { variable, actual: raw } };
  }
  return { level: LOG_LEVELS.INFO };
}

/** The one line written when a level variable cannot be used. */
/** Names the variable and what it accepts; the value itself is never repeated (it could be anything). */
export function invalidLevelMessage(invalid: { variable: string; actual: string }): string {
  return `Configuration: ${invalid.variable} is invalid, expected one of ${ACCEPTED_LEVEL_NAMES} (any case); using INFO`;
}
