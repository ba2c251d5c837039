/**
 * Graceful shutdown of the runtime process: on SIGTERM (sent by Lambda at shutdown) or SIGINT
 * (local runs), run the user's hooks, flush telemetry, log what happened and exit 0 — all inside
 * the few hundred milliseconds Lambda allows before SIGKILL.
 */
import { logger } from '../logger/logger.ts';
import { isMainThread } from '../main-thread.ts';
import { processSingleton } from '../process-singleton.ts';
import { exitProcess } from './exit-process.ts';
import { registerNoopExtension } from './noop-extension.ts';
import { runBounded, type BoundedOutcome } from './run-bounded.ts';
import { shutdownBudget, type ShutdownBudget } from './shutdown-budget.ts';

export type ShutdownHook = () => Promise<void> | void;

export type GracefulShutdownOptions = {
  /** Hands every buffered span and log record to the writer; bounded by the budget. */
  flushTelemetry: () => Promise<void>;
  /** True when an external extension (such as lambda-otel's own) is registered: a shorter budget, and no helper extension. */
  externalExtensionPresent: boolean;
  /** Defaults to process.env; only AWS_LAMBDA_RUNTIME_API is read. */
  env?: NodeJS.ProcessEnv;
};

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type ShutdownSignal = (typeof SIGNALS)[number];

/** Bound for writing the last lines to stdout before exiting. */
const STDOUT_DRAIN_TIMEOUT_MS = 50;

type ShutdownState = { hooks: ShutdownHook[]; installation: Promise<void> | undefined; shuttingDown: boolean };

/**
 * Process-wide: a function that bundles the plugin and also runs under the layer has two copies of
 * this module, and a hook added through one must run when the other one installed the handlers.
 */
const shutdownState = (): ShutdownState =>
  processSingleton<ShutdownState>('lambda-otel.graceful-shutdown', () => ({ hooks: [], installation: undefined, shuttingDown: false }));

/**
 * Adds a hook run once at SIGTERM/SIGINT, in parallel with the other hooks and bounded by the
 * shutdown budget. A hook that throws, rejects or hangs is logged and does not stop the others or
 * the final flush. Registering the same function twice runs it once.
 *
 * @example
 * onShutdown(async () => { await pool.end(); });
 */
export function onShutdown(hook: ShutdownHook): void {
  if (typeof hook !== 'function') {
    throw new TypeError(`onShutdown expects a function, got ${hook === null ? 'null' : typeof hook}`);
  }
  const state = shutdownState();
  if (state.shuttingDown) {
    logger.warn('graceful shutdown: hook added during shutdown is not run', { hook: hookName(hook, state.hooks.length) });
    return;
  }
  if (!state.hooks.includes(hook)) state.hooks.push(hook);
}

/**
 * Installs the SIGTERM and SIGINT handlers (once; later calls return the first call's promise).
 * Without an external extension it also registers a no-op internal extension so that Lambda sends
 * SIGTERM at all (skipped outside Lambda, when AWS_LAMBDA_RUNTIME_API is unset, and in worker threads).
 *
 * The returned promise resolves once that registration is answered (at once when there is none to
 * make) and never rejects. Lambda closes registration when the runtime first asks for an event, so
 * init code should await it: `await installGracefulShutdown(…)` at the top level of an ES module
 * delays init by one loopback round trip.
 *
 * @example
 * await installGracefulShutdown({ flushTelemetry: () => provider.forceFlush(), externalExtensionPresent: false });
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): Promise<void> {
  const state = shutdownState();
  if (state.installation) return state.installation;
  state.installation = install(options);
  return state.installation;
}

async function install(options: GracefulShutdownOptions): Promise<void> {
  try {
    const budget = shutdownBudget(options.externalExtensionPresent === true);
    // Inside Lambda (a Runtime API to talk to) a runtime client is blocked on /next: see exit-process.ts.
    const underRuntimeClient = Boolean((options.env ?? process.env).AWS_LAMBDA_RUNTIME_API);
    for (const signal of SIGNALS) {
      process.on(signal, () => {
        void shutdown(signal, options.flushTelemetry, budget, underRuntimeClient);
      });
    }
    // Signals reach only the main thread: in a worker thread (Managed Instances) the helper would buy
    // a SIGTERM nobody here can receive, once per worker.
    if (options.externalExtensionPresent !== true && isMainThread()) {
      const env = options.env ?? process.env;
      await registerNoopExtension(env.AWS_LAMBDA_RUNTIME_API);
    }
  } catch (error) {
    logger.error('graceful shutdown: installation failed', { error });
  }
}

async function shutdown(signal: ShutdownSignal, flushTelemetry: () => Promise<void>, budget: ShutdownBudget, underRuntimeClient: boolean): Promise<void> {
  // A second signal while shutting down changes nothing: the first run already owns the exit.
  const state = shutdownState();
  if (state.shuttingDown) return;
  state.shuttingDown = true;
  // Hooks added from now on are refused, so this list is the one that runs.
  const hooks = state.hooks.slice();
  const startedMs = performance.now();
  try {
    logger.info(`${signal} received`, { signal });
    logger.info('graceful shutdown in progress', {
      signal,
      hooks: hooks.length,
      budgetMs: budget.totalMs,
      hooksTimeoutMs: budget.hooksTimeoutMs,
      flushTimeoutMs: budget.flushTimeoutMs,
    });

    // 1. The user's hooks, all at once, each bounded.
    const hooksStartedMs = performance.now();
    const outcomes = await Promise.all(hooks.map((hook) => runBounded(hook, budget.hooksTimeoutMs)));
    const hooksMs = Math.round(performance.now() - hooksStartedMs);
    const hooksFailed: string[] = [];
    const hooksTimedOut: string[] = [];
    outcomes.forEach((outcome, index) => {
      const name = hookName(hooks[index]!, index);
      if (outcome.status === 'failed') {
        hooksFailed.push(name);
        logger.error('graceful shutdown: hook failed', { hook: name, durationMs: outcome.durationMs, ...errorField(outcome.error) });
      } else if (outcome.status === 'timedOut') {
        hooksTimedOut.push(name);
        logger.warn('graceful shutdown: hook timed out', { hook: name, timeoutMs: budget.hooksTimeoutMs });
      }
    });

    // 2. The final flush, after the hooks so that spans they end are included.
    const flush = await runBounded(flushTelemetry, budget.flushTimeoutMs);
    reportFlush(flush, budget);

    logger.info('graceful shutdown completed', {
      signal,
      hooksMs,
      flushMs: flush.durationMs,
      totalMs: Math.round(performance.now() - startedMs),
      hooksFailed,
      hooksTimedOut,
      flush: flush.status,
    });
  } catch (error) {
    logger.error('graceful shutdown: unexpected failure', { error });
  }
  await drainStdout();
  exitProcess({ underRuntimeClient });
}

function reportFlush(flush: BoundedOutcome, budget: ShutdownBudget): void {
  if (flush.status === 'failed') {
    logger.error('graceful shutdown: telemetry flush failed', { durationMs: flush.durationMs, ...errorField(flush.error) });
  } else if (flush.status === 'timedOut') {
    logger.warn('graceful shutdown: telemetry flush timed out', { timeoutMs: budget.flushTimeoutMs });
  }
}

function errorField(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { error } : { errorType: typeof error, errorMessage: String(error) };
}

function hookName(hook: ShutdownHook, index: number): string {
  return hook.name ? hook.name : `hook#${index + 1}`;
}

/** Lines still queued in stdout would be lost by process.exit; give them a short bounded chance. */
function drainStdout(): Promise<void> {
  if (process.stdout.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, STDOUT_DRAIN_TIMEOUT_MS);
    process.stdout.once('drain', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
