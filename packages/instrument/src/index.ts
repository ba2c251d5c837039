/**
 * @lambda-otel/instrument: one OpenTelemetry root span per Lambda invocation.
 *
 * @example
 * import { wrap, logger } from '@lambda-otel/instrument';
 * export const handler = wrap(async (event) => {
 *   logger.info('working');
 *   return { statusCode: 200, body: 'ok' };
 * });
 */
export { wrap } from './adapters/wrap-handler.ts';
export { lambdaOtel } from './adapters/middy.ts';
export { flushTelemetry as flush } from './provider/telemetry.ts';
export { ready } from './ready.ts';
export { logger, correlateConsole } from './logger/logger.ts';
export type { Logger, LogFields } from './logger/logger.ts';
export { onShutdown } from './shutdown/graceful-shutdown.ts';
export { resolveInstrumentConfig, ConfigurationError } from './config.ts';
export type { InstrumentConfig } from './config.ts';
export type {
  AnyHandler,
  AsyncHandler,
  CallbackHandler,
  InstrumentOptions,
  LambdaContext,
  PropagatorName,
  SamplerName,
  SpanWriterFunction,
  StreamingHandler,
  WrappedHandler,
  WriterName,
} from './types.ts';
