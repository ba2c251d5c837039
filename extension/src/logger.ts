/**
 * The extension's own log lines: one JSON object per line on stdout, so Lambda hands them to
 * CloudWatch (and to Telemetry API subscribers as `extension` records). Every line carries
 * `logger: "lambda-otel"`, which is how the extension recognises its own lines in the telemetry
 * stream and keeps them out of the export (no feedback loop).
 */
export const OWN_LOGGER_NAME = 'lambda-otel';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(LEVELS, value);
}

/** Creates a logger writing to `write` (stdout by default); lines below `minLevel` are skipped. */
export function createLogger(minLevel: LogLevel = 'info', write: (line: string) => void = writeStdout): Logger {
  const threshold = LEVELS[minLevel];
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < threshold) return;
    try {
      write(JSON.stringify({ timestamp: new Date().toISOString(), level: level.toUpperCase(), logger: OWN_LOGGER_NAME, message, ...fields }));
    } catch {
      // A log line must never take the extension down (e.g. a closed stdout).
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

function writeStdout(line: string): void {
  process.stdout.write(line + '\n');
}

/** Message of anything thrown, for log fields. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
