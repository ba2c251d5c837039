import { resolveInstrumentConfig, type InstrumentConfig } from '../config.ts';
import { correlateConsole, logger } from '../logger/logger.ts';
import { errorOnce } from '../diagnostics.ts';
import { installProcessHooks } from '../provider/process-hooks.ts';
import { describeError } from '../secrets.ts';
import type { InstrumentOptions } from '../types.ts';

/**
 * What wrap() and the middy middleware do once, when they are created: install the process hooks
 * (this is where registering the no-op extension starts, as early as the function's code allows),
 * parse the configuration, and route console.* through the logger when asked. Each unusable setting is
 * one ERROR line naming the variable (never its value) and takes its default; the function's init and
 * invocations go on. Only an unexpected failure leaves the handler uninstrumented.
 */
export function prepareInstrumentation(options: InstrumentOptions): InstrumentConfig | undefined {
  void installProcessHooks();
  let config: InstrumentConfig;
  try {
    config = resolveInstrumentConfig(options, process.env, (problem) => errorOnce(`config:${problem.message}`, problem.message, { errorType: problem.name }));
  } catch (error) {
    logger.error('lambda-otel: the configuration could not be read; the handler runs without instrumentation', { errorType: describeError(error) });
    return undefined;
  }
  if (config.correlateConsole) correlateConsole();
  return config;
}
