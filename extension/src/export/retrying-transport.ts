// Retries wrapped around one send, following the OTLP/HTTP rules: only 429, 502, 503, 504 and
// connection failures are retried; Retry-After (seconds or an HTTP date) is honoured on 429/503,
// otherwise exponential backoff with jitter; nothing ever runs past the caller's deadline.
import type { HttpOutcome } from './http-sender.ts';

const retryableStatuses = new Set([429, 502, 503, 504]);

export interface RetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultRetryPolicy: RetryPolicy = Object.freeze({ maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 5000 });

export type AttemptVerdict =
  | { kind: 'success'; status: number; body: Buffer; contentType: string | undefined; contentEncoding: string | undefined }
  | { kind: 'failure'; error: string }
  | { kind: 'retryable'; error: string; retryAfterMs?: number };

/** Parses Retry-After: delay-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfterMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Classifies one attempt's outcome. `describe` turns an error response into a message. */
export function classifyOutcome(outcome: HttpOutcome, nowMs: number, describe: (status: number, body: Buffer) => string): AttemptVerdict {
  if (outcome.kind === 'network-error') return { kind: 'retryable', error: outcome.error };
  const { status, headers, body } = outcome;
  if (status >= 200 && status < 300) {
    return { kind: 'success', status, body, contentType: headerValue(headers['content-type']), contentEncoding: headerValue(headers['content-encoding']) };
  }
  if (retryableStatuses.has(status)) {
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfterMs(headers['retry-after'], nowMs) : undefined;
    return retryAfterMs === undefined
      ? { kind: 'retryable', error: describe(status, body) }
      : { kind: 'retryable', error: describe(status, body), retryAfterMs };
  }
  return { kind: 'failure', error: describe(status, body) };
}

export interface RetryContext {
  deadlineMs: number;
  /** Bound of one attempt (0 = only the deadline). */
  attemptTimeoutMs: number;
  policy?: RetryPolicy;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Runs `attempt` until it succeeds, fails for good, runs out of attempts or would pass the deadline.
 * `attempt` receives the time it may take (ms) and returns its verdict.
 * @example
 * const verdict = await withRetries((timeoutMs) => send(timeoutMs), { deadlineMs: Date.now() + 2000, attemptTimeoutMs: 10_000 });
 */
export async function withRetries(
  attempt: (timeoutMs: number) => Promise<AttemptVerdict>,
  context: RetryContext,
): Promise<AttemptVerdict & { attempts: number }> {
  const now = context.now ?? Date.now;
  const random = context.random ?? Math.random;
  const sleep = context.sleep ?? defaultSleep;
  const policy = context.policy ?? defaultRetryPolicy;
  let last: AttemptVerdict = { kind: 'retryable', error: 'deadline reached before the first attempt' };
  for (let attempts = 1; attempts <= policy.maxAttempts; attempts++) {
    const remainingMs = context.deadlineMs - now();
    if (remainingMs <= 0) return { ...last, attempts: attempts - 1 };
    const timeoutMs = context.attemptTimeoutMs > 0 ? Math.min(context.attemptTimeoutMs, remainingMs) : remainingMs;
    last = await attempt(timeoutMs);
    if (last.kind !== 'retryable') return { ...last, attempts };
    if (attempts === policy.maxAttempts) return { ...last, attempts };

    // Jitter over the upper half of the backoff keeps retries from many sandboxes apart.
    const backoffMs = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (attempts - 1));
    const delayMs = last.retryAfterMs ?? Math.round(backoffMs / 2 + random() * (backoffMs / 2));
    if (now() + delayMs >= context.deadlineMs) {
      return { ...last, error: `${last.error} (gave up after ${attempts} attempt(s): next retry would pass the deadline)`, attempts };
    }
    await sleep(delayMs);
  }
  return { ...last, attempts: policy.maxAttempts };
}
