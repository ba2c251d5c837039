import { installProcessHooks } from './provider/process-hooks.ts';

/**
 * Resolves once the process hooks are installed: without an external extension that includes
 * registering the no-op internal extension that makes Lambda send SIGTERM (so the last spans are
 * flushed at shutdown). Lambda closes registration when the runtime asks for its first event, and
 * wrap() cannot wait at import time, so a layerless ES module should await this at its top level.
 * Never rejects.
 *
 * @example
 * import { ready, wrap } from '@lambda-otel/instrument';
 * await ready();
 * export const handler = wrap(async () => 'ok', { writer: 'otlp' });
 */
export function ready(): Promise<void> {
  return installProcessHooks();
}
