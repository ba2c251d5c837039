// Cold-start timings from what the emulator records: the platform.* records (initStart,
// initRuntimeDone, initReport) and the extension registrations. The emulator starts the runtime only
// after every external extension has registered, so the runtime's own init is measured from the last
// registration (or initStart when there is no extension) to initRuntimeDone.
import type { Registration, TelemetryEvent } from '../../../packages/emulator/src/types.ts';

export interface InitTimings {
  /** initReport's duration: init start → runtime and every extension ready. */
  totalInitMs: number;
  /** Runtime process start → its first /next. */
  runtimeInitMs: number;
  /** initStart → the extensions registered (NaN without extensions). */
  extensionRegisteredMs: number;
  /**
   * initStart → every extension waits on /event/next (the emulator records each one's first call);
   * the init's end, an upper bound flagged by `readyIsUpperBound`, if a time is missing.
   */
  extensionReadyMs: number;
  readyIsUpperBound: boolean;
  /** The extension's exec → its /register (the slowest extension; NaN without one). */
  registeredAfterExecMs: number;
  /** The extension's exec → its first /event/next (the slowest extension; NaN without one). */
  readyAfterExecMs: number;
}

export function initTimings(events: TelemetryEvent[], registrations: Registration[]): InitTimings {
  const at = (type: string): number => {
    const event = events.find((candidate) => candidate.type === type);
    return event ? Date.parse(event.time) : Number.NaN;
  };
  const startMs = at('platform.initStart');
  const runtimeDoneMs = at('platform.initRuntimeDone');
  const report = events.find((event) => event.type === 'platform.initReport')?.record as { metrics?: { durationMs?: number } } | undefined;
  const totalInitMs = report?.metrics?.durationMs ?? Number.NaN;
  const externals = registrations.filter((registration) => registration.kind === 'external');
  const lastRegisteredMs = externals.length > 0 ? Math.max(...externals.map((registration) => registration.atMs)) : Number.NaN;
  const runtimeStartMs = Number.isFinite(lastRegisteredMs) ? Math.max(startMs, lastRegisteredMs) : startMs;
  const readyTimes = externals.map((registration) => registration.readyAtMs);
  const exactReady = externals.length > 0 && readyTimes.every((time) => typeof time === 'number');
  const afterExec = (pick: (registration: Registration) => number | undefined): number => {
    const spans = externals.map((registration) => (pick(registration) ?? Number.NaN) - (registration.spawnedAtMs ?? Number.NaN));
    return spans.length === 0 ? Number.NaN : Math.max(...spans);
  };
  return {
    totalInitMs,
    registeredAfterExecMs: afterExec((registration) => registration.atMs),
    readyAfterExecMs: afterExec((registration) => registration.readyAtMs),
    runtimeInitMs: runtimeDoneMs - runtimeStartMs,
    extensionRegisteredMs: lastRegisteredMs - startMs,
    extensionReadyMs: externals.length === 0 ? Number.NaN : exactReady ? Math.max(...(readyTimes as number[])) - startMs : totalInitMs,
    readyIsUpperBound: externals.length > 0 && !exactReady,
  };
}
