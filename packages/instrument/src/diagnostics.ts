import { logger } from './logger/logger.ts';
import { processState } from './provider/process-state.ts';

/** Logs one WARN line per key for the whole process: repeated telemetry problems are said once. */
export function warnOnce(key: string, message: string, fields?: Record<string, unknown>): void {
  const { warned } = processState();
  if (warned.has(key)) return;
  warned.add(key);
  logger.warn(message, fields);
}

/** Logs one ERROR line per key for the whole process (a configuration problem, seen by every wrap()). */
export function errorOnce(key: string, message: string, fields?: Record<string, unknown>): void {
  const { warned } = processState();
  if (warned.has(key)) return;
  warned.add(key);
  logger.error(message, fields);
}
