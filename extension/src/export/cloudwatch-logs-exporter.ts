// Log records to the CloudWatch Logs OTLP endpoint (https://logs.<region>.amazonaws.com/v1/logs):
// the target group and stream travel in x-aws-log-group / x-aws-log-stream (both must exist), the
// request is signed with SigV4 for service `logs`, and one request holds at most 1 MiB uncompressed.
import type { Logger } from '../logger.ts';
import type { LogItem } from '../otlp/types.ts';
import type { BatchLimits } from './batch-split.ts';
import type { AwsCredentials, OtlpSignalConfig } from './config.ts';
import type { ExportResult } from './exporter.ts';
import { createSignalClient } from './otlp-signal-client.ts';
import type { RetryPolicy } from './retrying-transport.ts';
import { createSigV4Signer } from './sigv4.ts';

export const cloudWatchLogsLimits: BatchLimits = Object.freeze({ maxItems: 10_000, maxBytes: 1_048_576 });

export interface CloudWatchLogsTarget {
  config: OtlpSignalConfig & { logGroup: string; logStream: string };
  region: string;
  credentials: AwsCredentials;
}

export interface CloudWatchLogsClient {
  exportLogs(items: LogItem[], deadlineMs: number): Promise<ExportResult>;
  close(): void;
}

/**
 * @example
 * const logs = createCloudWatchLogsClient({ config: xray.logs, region: xray.region, credentials: xray.credentials }, logger);
 */
export function createCloudWatchLogsClient(target: CloudWatchLogsTarget, logger: Logger, options: { retryPolicy?: RetryPolicy } = {}): CloudWatchLogsClient {
  const client = createSignalClient('logs', {
    config: target.config,
    logger,
    limits: cloudWatchLogsLimits,
    signer: createSigV4Signer({ service: 'logs', region: target.region, credentials: target.credentials }),
    extraHeaders: { 'x-aws-log-group': target.config.logGroup, 'x-aws-log-stream': target.config.logStream },
    ...options,
  });
  return { exportLogs: (items, deadlineMs) => client.export(items, deadlineMs), close: () => client.close() };
}
