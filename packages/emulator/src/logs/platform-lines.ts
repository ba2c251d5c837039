// Lambda's own lines in a function's log stream, as CloudWatch shows them, from the platform records:
//   START RequestId: <id> Version: $LATEST
//   END RequestId: <id>
//   REPORT RequestId: <id>	Duration: 12.34 ms	Billed Duration: 13 ms	Memory Size: 128 MB	Max Memory Used: 70 MB	Init Duration: 151.20 ms
import type { TelemetryEvent } from '../types.ts';

interface PlatformRecord {
  requestId?: string;
  version?: string;
  status?: string;
  errorType?: string;
  metrics?: { durationMs?: number; billedDurationMs?: number; memorySizeMB?: number; maxMemoryUsedMB?: number; initDurationMs?: number };
}

export interface PlatformLine {
  requestId: string;
  lines: string[];
}

/** The log-stream lines a platform record stands for (START; END and REPORT), if any. */
export function platformLines(event: TelemetryEvent): PlatformLine | undefined {
  const record = event.record as PlatformRecord;
  const requestId = record?.requestId;
  if (typeof requestId !== 'string') return undefined;
  if (event.type === 'platform.start') return { requestId, lines: [`START RequestId: ${requestId} Version: ${record.version ?? '$LATEST'}`] };
  if (event.type !== 'platform.report') return undefined;
  const metrics = record.metrics ?? {};
  const fields = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${(metrics.durationMs ?? 0).toFixed(2)} ms`,
    `Billed Duration: ${metrics.billedDurationMs ?? 0} ms`,
    `Memory Size: ${metrics.memorySizeMB ?? 0} MB`,
    `Max Memory Used: ${metrics.maxMemoryUsedMB ?? 0} MB`,
  ];
  if (metrics.initDurationMs !== undefined) fields.push(`Init Duration: ${metrics.initDurationMs.toFixed(2)} ms`);
  // Lambda adds these for a timeout or a crash, not for an error the handler threw (Runtime.Unknown).
  if (record.status && record.status !== 'success' && record.errorType !== 'Runtime.Unknown') {
    fields.push(`Status: ${record.status}`);
    if (record.errorType) fields.push(`Error Type: ${record.errorType}`);
  }
  return { requestId, lines: [`END RequestId: ${requestId}`, fields.join('\t')] };
}
