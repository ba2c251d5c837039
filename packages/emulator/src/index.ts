// Public API of the local Lambda execution environment.
export { LambdaEnvironment } from './lambda-environment.ts';
export { runEmulator } from './run.ts';
export { ConfigurationError, ApiError } from './errors.ts';
export { defaultNodePath, runtimeClientEntry } from './config.ts';
export type { EmulatorConfig } from './config.ts';
export type { InitOutcome } from './sandbox/lifecycle.ts';
export type { ExtensionEvent, ExtensionEventType } from './api/extensions/events.ts';
export type { TelemetryRecord, ReportMetrics, Tracing, Span } from './api/telemetry/records.ts';
export type { Subscription, Buffering, Destination } from './api/telemetry/subscribe.ts';
export type * from './types.ts';
