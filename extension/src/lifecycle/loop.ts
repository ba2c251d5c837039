/**
 * The Extensions API event loop. Per INVOKE: wait until the invocation's telemetry is complete
 * (bounded by its deadline), ask the flush policy, export if it says so, and never call
 * /event/next with an export in flight (a freeze would cut it off). SHUTDOWN hands over to the
 * drain. A separate idle loop keeps the function running when the pipeline could not start.
 */
import type { TelemetryBuffer } from '../buffer/telemetry-buffer.ts';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { ExtensionConfig } from '../config.ts';
import { gateOf, gatedDeadline } from '../flush/export-breaker.ts';
import { backgroundExportDeadline, invocationEndExportDeadline } from '../flush/export-window.ts';
import { decideAtInvocationEnd, decideOnTick, FlushDecision, tickIntervalMs } from '../flush/flush-policy.ts';
import type { FlushState } from '../flush/flush-policy.ts';
import type { Flusher } from '../flush/flusher.ts';
import type { PressureRelief } from '../flush/pressure-relief.ts';
import type { InvocationTracker } from '../invocations/invocation-tracker.ts';
import { errorMessage } from '../logger.ts';
import type { Logger } from '../logger.ts';
import type { ExtensionEvent, ExtensionsClient, InvokeEvent, ShutdownEvent } from './extensions-client.ts';
import { enterInvocation, Phase } from './state.ts';
import type { LoopState } from './state.ts';

export interface LoopDeps {
  readonly client: ExtensionsClient;
  readonly config: ExtensionConfig;
  readonly state: LoopState;
  readonly buffer: TelemetryBuffer;
  readonly tracker: InvocationTracker;
  readonly flusher: Flusher;
  /** Relieves a buffer past its high-water mark while the invocation runs. */
  readonly relief?: Pick<PressureRelief, 'check'>;
  readonly logger: Logger;
  readonly onShutdown: (event: ShutdownEvent) => Promise<void>;
  /** Also told of each INVOKE event (tail sampling learns the caller's decision from its trace header). */
  readonly onInvoke?: (event: InvokeEvent) => void;
  /** When the last Telemetry API delivery arrived (epoch ms), 0 before the first. */
  readonly lastTelemetryAtMs?: () => number;
  readonly clock?: Clock;
}

/** After the first invocation, how long to wait for a first Telemetry API delivery before saying none came. */
const FIRST_DELIVERY_WAIT_MS = 100;

/** Runs until SHUTDOWN has been handled. */
export async function runEventLoop(deps: LoopDeps): Promise<void> {
  const { state, config, tracker, flusher, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const ticker = startTicker(deps, clock);
  try {
    for (;;) {
      state.phase = Phase.waiting;
      const event = await nextEvent(deps.client, logger);
      if (event.eventType === 'SHUTDOWN') {
        state.phase = Phase.shuttingDown;
        clearInterval(ticker);
        await deps.onShutdown(event);
        return;
      }
      try {
        enterInvocation(state, event.deadlineMs, clock.now());
        tracker.startInvocation(event);
        deps.onInvoke?.(event);
        deps.relief?.check();
        const exportDeadlineMs = event.deadlineMs - config.deadlineMarginMs;
        await tracker.waitForCompletion(event.requestId, exportDeadlineMs);
        if (state.invocations === 1) await checkTelemetryArrives(deps, clock, exportDeadlineMs);
        const nowMs = clock.now();
        const decision = decideAtInvocationEnd(config.flushPolicy, flushState(deps), nowMs);
        const deadlineMs = invocationEndExportDeadline(decision, gateOf(flusher.breaker, nowMs), nowMs, exportDeadlineMs, config.exportTimeoutMs);
        if (deadlineMs !== undefined) await flusher.flush(deadlineMs);
      } catch (error) {
        logger.error('invocation handling failed; continuing', { error: errorMessage(error) });
      }
      // Whatever the policy (and whatever failed above), nothing may be in flight when the
      // environment freezes; from here on no background export starts.
      state.phase = Phase.settling;
      await flusher.waitIdle(event.deadlineMs - config.deadlineMarginMs);
    }
  } finally {
    clearInterval(ticker);
  }
}

/** The fallback when the pipeline failed to start: keep answering Lambda, export nothing. */
export async function runIdleLoop(client: ExtensionsClient, logger: Logger): Promise<void> {
  for (;;) {
    const event = await nextEvent(client, logger);
    if (event.eventType === 'SHUTDOWN') return;
  }
}

export function flushState(deps: Pick<LoopDeps, 'buffer' | 'flusher' | 'state'>): FlushState {
  return {
    bufferedItems: deps.buffer.size,
    bufferFill: deps.buffer.fill,
    oldestItemAtMs: deps.buffer.oldestAtMs,
    lastFlushAtMs: deps.flusher.lastFlushAtMs,
    lastInvokeGapMs: deps.state.lastInvokeGapMs,
  };
}

/**
 * Background exports for the continuous policy (and Managed Instances): only while an invocation
 * runs, or at any time in Managed Instances, where nothing is frozen.
 */
function startTicker(deps: LoopDeps, clock: Clock): NodeJS.Timeout | undefined {
  const intervalMs = tickIntervalMs(deps.config.flushPolicy);
  if (intervalMs === undefined) return undefined;
  const timer = setInterval(() => {
    const { state, config, flusher } = deps;
    if (flusher.busy) return;
    const nowMs = clock.now();
    const windowMs = backgroundExportDeadline(state, config, nowMs);
    if (windowMs === undefined || decideOnTick(config.flushPolicy, flushState(deps), nowMs) === FlushDecision.none) return;
    const deadlineMs = gatedDeadline(gateOf(flusher.breaker, nowMs), windowMs, nowMs);
    if (deadlineMs === undefined) return;
    flusher.flush(deadlineMs).catch((error: unknown) => deps.logger.error('background export failed', { error: errorMessage(error) }));
  }, intervalMs);
  timer.unref();
  return timer;
}

/**
 * After the first invocation: if no Telemetry API delivery has come (the function's logs and the
 * platform records are not reaching the extension), wait a moment for one, then say so once.
 */
async function checkTelemetryArrives(deps: LoopDeps, clock: Clock, untilMs: number): Promise<void> {
  const last = deps.lastTelemetryAtMs;
  if (!last || last() > 0) return;
  const waitUntilMs = Math.min(untilMs, clock.now() + FIRST_DELIVERY_WAIT_MS);
  while (last() === 0 && clock.now() < waitUntilMs) await clock.sleep(10);
  if (last() === 0) {
    deps.logger.warn('no Telemetry API delivery arrived during the first invocation: function logs and platform records are not reaching the extension');
  }
}

/** /event/next with a few retries on transport errors; a persistent failure ends the process. */
async function nextEvent(client: ExtensionsClient, logger: Logger): Promise<ExtensionEvent> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.next();
    } catch (error) {
      if (attempt >= 5) throw error;
      logger.warn('event/next failed; retrying', { attempt, error: errorMessage(error) });
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
