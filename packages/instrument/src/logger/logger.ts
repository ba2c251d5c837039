/**
 * The plugin's logger: one JSON line per call, correlated with the current invocation.
 *
 * Where lines go: process.stdout, never console. The runtime client (aws-lambda-ric) replaces
 * console.* at startup; with `_LAMBDA_TELEMETRY_LOG_FD` set it frames every console call itself,
 * prefixing text-format records with `timestamp\trequestId\tLEVEL\t` and wrapping JSON-format ones
 * in its own `{timestamp,level,requestId,message}` object, so a JSON line logged through console
 * would reach Lambda mangled. It leaves process.stdout alone; Lambda captures each stdout line as
 * one record. JSON.stringify escapes newlines, so a record (stack traces included) stays one line.
 */
import { processSingleton } from '../process-singleton.ts';
import { patchConsole } from './console-correlation.ts';
import { formatLogLine, type Correlation, type LogFields } from './log-record.ts';
import { LEVEL_SEVERITY, invalidLevelMessage, resolveLogLevel, type LogLevel } from './log-level.ts';

export type { Correlation, LogFields } from './log-record.ts';
export type { LogLevel } from './log-level.ts';

export type Logger = {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
};

export type CorrelationSource = () => Correlation | undefined;

export type LoggerOptions = {
  /** Minimum level written; a function is read on every call (lets the default logger resolve lazily). */
  level: LogLevel | (() => LogLevel);
  /** Receives one complete line, newline included. May throw: the failure is counted, not rethrown. */
  write: (line: string) => void;
  correlation?: CorrelationSource;
  now?: () => Date;
};

export type LoggerStats = { writeFailures: number };

/** A logger with an explicit destination, level and correlation (no environment read). */
export function createLogger(options: LoggerOptions): Logger & { stats(): LoggerStats } {
  const stats: LoggerStats = { writeFailures: 0 };
  const levelOf = typeof options.level === 'function' ? options.level : constant(options.level);
  const now = options.now ?? (() => new Date());
  const correlationOf = options.correlation;
  const emit = (level: LogLevel, message: string, fields: LogFields | undefined): void => {
    try {
      if (LEVEL_SEVERITY[level] < LEVEL_SEVERITY[levelOf()]) return;
      const line = formatLogLine({ timestamp: now(), level, message, correlation: readCorrelation(correlationOf), fields });
      options.write(`${line}\n`);
    } catch {
      // Logging never throws into the caller.
      stats.writeFailures += 1;
    }
  };
  return {
    debug: (message, fields) => emit('DEBUG', message, fields),
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARN', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
    stats: () => ({ ...stats }),
  };
}

function constant(level: LogLevel): () => LogLevel {
  return () => level;
}

function readCorrelation(source: CorrelationSource | undefined): Correlation | undefined {
  if (source === undefined) return undefined;
  try {
    return source();
  } catch {
    return undefined;
  }
}

// ---- the process-wide logger ---------------------------------------------------------------

/**
 * Process-wide: when the plugin is both bundled into the function and loaded by the layer (or its
 * writers bundle logs), the copy the lifecycle configures and the copy a line goes through must agree
 * on the correlation source and the level (read once, so an unusable level is reported once).
 */
type LoggerState = { source: CorrelationSource | undefined; level: LogLevel | undefined };
const loggerState = (): LoggerState => processSingleton<LoggerState>('lambda-otel.logger', () => ({ source: undefined, level: undefined }));

let stdoutGuarded = false;

function writeStdout(line: string): void {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    // A closed stdout (EPIPE) is reported asynchronously as an 'error' event, which would crash
    // the process without a listener: there is nowhere left to say it, so it is ignored.
    process.stdout.on('error', () => {});
  }
  process.stdout.write(line);
}

/** Reads the level once, at the first line logged; an unusable value is reported in one WARN line. */
function levelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  const resolved = resolveLogLevel(env);
  loggerState().level = resolved.level;
  if (resolved.invalid) defaultLogger.warn(invalidLevelMessage(resolved.invalid), { variable: resolved.invalid.variable });
  return resolved.level;
}

const defaultLogger = createLogger({
  // Resolved from process.env on first use, so importing the logger does no work.
  level: () => loggerState().level ?? levelFromEnv(process.env),
  write: writeStdout,
  correlation: () => loggerState().source?.(),
});

/**
 * The process-wide logger. Writes one JSON line per call to stdout with `timestamp`, `level`,
 * `message`, `requestId`, `trace_id`, `span_id` (when the correlation source knows them) and the
 * extra fields. Never throws.
 *
 * @example
 * logger.info('order stored', { orderId: 'o-1' });
 * logger.error('handler failed', { error }); // adds errorType, errorMessage, stackTrace
 */
export const logger: Logger = {
  debug: defaultLogger.debug,
  info: defaultLogger.info,
  warn: defaultLogger.warn,
  error: defaultLogger.error,
};

/**
 * Tells the logger where the current invocation's ids come from (called by the invocation
 * lifecycle). Until then only the fields given to each call appear.
 *
 * @example
 * setCorrelationSource(() => ({ requestId: store.getStore()?.requestId }));
 */
export function setCorrelationSource(fn: CorrelationSource): void {
  loggerState().source = typeof fn === 'function' ? fn : undefined;
}

/**
 * Makes console.log/info/warn/error/debug write one JSON line each through `logger`, at the
 * matching level (log → INFO), with the same correlation fields. Idempotent.
 *
 * @example
 * correlateConsole();
 * console.log('user %s', id); // {"timestamp":…,"level":"INFO","message":"user 42","requestId":…}
 */
export function correlateConsole(): void {
  try {
    patchConsole(console as unknown as Record<string | symbol, unknown>, (level, message, fields) => {
      switch (level) {
        case 'DEBUG':
          return logger.debug(message, fields);
        case 'WARN':
          return logger.warn(message, fields);
        case 'ERROR':
          return logger.error(message, fields);
        default:
          return logger.info(message, fields);
      }
    });
  } catch {
    // A frozen console stays as it is.
  }
}
