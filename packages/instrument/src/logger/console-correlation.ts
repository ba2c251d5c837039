/**
 * Routes console.* through the plugin's logger so that lines written by the handler carry the
 * same requestId / trace_id / span_id as the plugin's own lines.
 */
import { format } from 'node:util';
import type { LogLevel } from './log-level.ts';

type ConsoleLike = Record<string | symbol, unknown>;
type WriteAtLevel = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

const CONSOLE_LEVELS: ReadonlyArray<readonly [method: string, level: LogLevel]> = [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
];

/** Marks a console object already patched, so patching twice is a no-op. */
const PATCHED = Symbol.for('lambda-otel.console-correlated');

/**
 * Replaces console.log/info/warn/error/debug on `target` with functions that format their
 * arguments like console does (util.format) and hand one message to `write`. Returns false when
 * `target` was already patched.
 */
export function patchConsole(target: ConsoleLike, write: WriteAtLevel): boolean {
  if (target[PATCHED] === true) return false;
  for (const [method, level] of CONSOLE_LEVELS) {
    target[method] = function correlatedConsole(...args: unknown[]): void {
      // An Error among the arguments also fills errorType/errorMessage/stackTrace, as the runtime does.
      const error = args.find((arg) => arg instanceof Error);
      write(level, format(...args), error === undefined ? undefined : { error });
    };
  }
  Object.defineProperty(target, PATCHED, { value: true, enumerable: false });
  return true;
}
