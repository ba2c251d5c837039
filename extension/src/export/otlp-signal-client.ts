// Sends one signal (traces or logs) to one OTLP/HTTP endpoint: split into acceptable requests,
// encode, compress, optionally sign (SigV4), post with retries inside the deadline, read partial
// success. The OTLP, X-Ray and CloudWatch Logs exporters are this client with different settings.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from '../logger.ts';
import { decodeExportResponse } from '../otlp/decode.ts';
import { contentTypeOf, encodeLogsRequest, encodeMetricsRequest, encodeTraceRequest } from '../otlp/encode.ts';
import { estimateMetricBytes, groupMetrics, type MetricItem } from '../otlp/metrics-model.ts';
import { estimateWireBytes, groupLogs, groupSpans, type LogItem, type SpanItem } from '../otlp/types.ts';
import { requestsOf, type BatchLimits } from './batch-split.ts';
import type { OtlpSignalConfig } from './config.ts';
import type { ExportResult } from './exporter.ts';
import { createHttpSender, responseExcerpt } from './http-sender.ts';
import { classifyOutcome, withRetries, type RetryPolicy } from './retrying-transport.ts';
import type { RequestSigner } from './sigv4.ts';

const gzipAsync = promisify(gzip);

export type Signal = 'traces' | 'logs' | 'metrics';
type ItemOf<S extends Signal> = S extends 'traces' ? SpanItem : S extends 'logs' ? LogItem : MetricItem;

export interface SignalClientOptions {
  config: OtlpSignalConfig;
  logger: Logger;
  /** Request limits of the backend (defaults: 20 MiB, the OTLP recommended maximum). */
  limits?: BatchLimits;
  /** Signs each attempt after compression (X-Ray, CloudWatch Logs). */
  signer?: RequestSigner;
  /** Headers the backend needs besides the configured ones (e.g. x-aws-log-group). */
  extraHeaders?: Readonly<Record<string, string>>;
  retryPolicy?: RetryPolicy;
  now?: () => number;
}

export interface SignalClient<S extends Signal> {
  export(items: ItemOf<S>[], deadlineMs: number): Promise<ExportResult>;
  close(): void;
}

const defaultLimits: BatchLimits = { maxItems: 100_000, maxBytes: 20 * 1024 * 1024 };
const recordNoun = { traces: 'spans', logs: 'log records', metrics: 'metrics' } as const;

/**
 * @example
 * const traces = createSignalClient('traces', { config: exporterConfig.traces, logger });
 * const result = await traces.export(items, Date.now() + 2000);
 */
export function createSignalClient<S extends Signal>(signal: S, options: SignalClientOptions): SignalClient<S> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const limits = options.limits ?? defaultLimits;
  const sender = createHttpSender(config.url);
  const host = sender.url.host;
  const noun = recordNoun[signal];
  const encode = (chunk: ItemOf<S>[]): Buffer => {
    if (signal === 'traces') return encodeTraceRequest(groupSpans(chunk as SpanItem[]), config.format);
    if (signal === 'metrics') return encodeMetricsRequest(groupMetrics(chunk as MetricItem[]), config.format);
    return encodeLogsRequest(groupLogs(chunk as LogItem[]), config.format);
  };
  const estimate = (item: ItemOf<S>): number =>
    signal === 'metrics' ? estimateMetricBytes(item as MetricItem) : estimateWireBytes(item as SpanItem | LogItem);
  const describe = (status: number, body: Buffer): string => {
    const excerpt = responseExcerpt(body);
    return `HTTP ${status} from ${host}${sender.url.pathname}${excerpt ? `: ${excerpt}` : ''}`;
  };
  // Protocol headers last: a configured header must not change how the body is read.
  const baseHeaders = (): Record<string, string> => ({
    ...config.headers,
    ...options.extraHeaders,
    'content-type': contentTypeOf[config.format],
    ...(config.compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
  });
  let closed = false;

  /** Sends one request body (compressed as configured); a success carries the number the backend rejected (partial success). */
  async function sendOne(body: Buffer, count: number, deadlineMs: number): Promise<ExportResult> {
    const headers = baseHeaders();
    const verdict = await withRetries(
      async (timeoutMs) => {
        // Shut down while retrying: stop instead of opening new sockets.
        if (closed) return { kind: 'failure', error: `${signal} exporter was shut down during the export` };
        const sent = options.signer ? await options.signer.sign(sender.url, headers, body) : headers;
        return classifyOutcome(await sender.post(sent, body, timeoutMs), now(), describe);
      },
      { deadlineMs, attemptTimeoutMs: config.timeoutMs, now, ...(options.retryPolicy ? { policy: options.retryPolicy } : {}) },
    );
    if (verdict.kind !== 'success') return verdict.kind === 'failure' ? { kind: 'failure', error: verdict.error } : stripAttempts(verdict);
    // Partial success is final: the backend kept the rest, retrying would duplicate it.
    // A backend that names no content type answers in the format it was sent.
    const partial = decodeExportResponse(signal, verdict.body, verdict.contentType ?? contentTypeOf[config.format], verdict.contentEncoding);
    if (partial.rejected > 0 || partial.errorMessage) {
      logger.warn(`${host} accepted the request but rejected ${partial.rejected} of ${count} ${noun}`, {
        rejected: partial.rejected,
        backendMessage: partial.errorMessage,
      });
    }
    return partial.rejected > 0 ? { kind: 'success', dropped: Math.min(partial.rejected, count) } : { kind: 'success' };
  }

  return {
    async export(items, deadlineMs) {
      if (closed) return { kind: 'failure', error: `${signal} exporter is shut down` };
      if (items.length === 0) return { kind: 'success' };
      try {
        let dropped = 0;
        let oversized = 0;
        let index = 0;
        const failures: string[] = [];
        // One request is encoded, compressed and sent before the next is encoded: an export cut
        // short by its deadline has not spent its time encoding what it never sent.
        for (const step of requestsOf(items, limits, encode, estimate)) {
          if (step.kind === 'oversized') {
            oversized++;
            dropped++;
            continue;
          }
          index++;
          const count = step.items.length;
          const body = config.compression === 'gzip' ? await gzipAsync(step.body) : step.body;
          const result = await sendOne(body, count, deadlineMs);
          const prefix = `request ${index}: `;
          if (result.kind === 'retryable') {
            // The requests before this one are delivered: only this one and the rest are retried.
            const pending = [...step.items, ...items.slice(step.restFrom)];
            return pending.length === items.length ? result : { ...result, error: prefix + result.error, pending, dropped };
          }
          if (result.kind === 'failure') {
            // Refused for good: counted as dropped; the other requests may still be accepted.
            failures.push(prefix + result.error);
            dropped += count;
            continue;
          }
          dropped += result.dropped ?? 0;
        }
        if (oversized > 0) {
          logger.warn(`dropped ${oversized} ${noun} too large for ${host} (limit ${limits.maxItemBytes ?? limits.maxBytes} bytes each)`, {
            dropped: oversized,
          });
        }
        if (dropped === items.length) return { kind: 'failure', error: allRefused(items.length, oversized, failures) };
        if (failures.length > 0) logger.warn(`${host} refused part of a batch; dropped`, { errors: failures });
        return dropped > 0 ? { kind: 'success', dropped } : { kind: 'success' };
      } catch (error) {
        return { kind: 'failure', error: `${signal} export failed: ${(error as Error).message}` };
      }
    },
    close() {
      closed = true;
      sender.close();
    },
  };
}

function stripAttempts(verdict: { kind: 'retryable'; error: string; retryAfterMs?: number }): ExportResult {
  return verdict.retryAfterMs === undefined
    ? { kind: 'retryable', error: verdict.error }
    : { kind: 'retryable', error: verdict.error, retryAfterMs: verdict.retryAfterMs };
}

/** Why nothing of a batch was taken: the backend's own answer when it was one request. */
function allRefused(count: number, oversized: number, failures: readonly string[]): string {
  if (failures.length === 0) return `all ${count} records exceed the size limit`;
  if (failures.length === 1 && oversized === 0) return failures[0]!.replace(/^request 1: /, '');
  return `all ${count} records refused (${oversized} too large): ${failures.join('; ')}`;
}
