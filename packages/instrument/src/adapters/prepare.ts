import { resolveInstrumentConfig, type InstrumentConfig } from '../config.ts';
import { correlateConsole, logger } from '../logger/logger.ts';
import { installProcessHooks } from '../provider/process-hooks.ts';
import type { InstrumentOptions } from '../types.ts';

/**
 * What wrap() and the middy middleware do once, when they are created: install the process hooks
 * (this is where registering the no-op extension starts, as early as the function's code allows),
 * parse the configuration, and route console.* through the logger when asked. A bad configuration is
 * one ERROR line naming the variable; the handler then runs without instrumentation.
 */
export function prepareInstrumentation(options: InstrumentOptions): InstrumentConfig | undefined {
  void installProcessHooks();
  let config: InstrumentConfig;
  try {
    config = resolveInstrumentConfig(options);
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error), { error });
    return undefined;
  }
  if (config.correlateConsole) correlateConsole();
  return config;
}
