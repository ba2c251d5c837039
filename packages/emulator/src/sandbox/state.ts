// The one owner of an execution environment's state. Its transitions are the only writers; the
// phases, the API channels and the environment read it. Every transition wakes the waits whose
// predicate may now hold, so no phase polls.
//
//   init ──initSucceeded──▶ ready ◀──invokeFinished── invoking
//     │                       └──────invokeStarted──────▶ │
//     └──────────────── shutdownStarted ─────────────────┴──▶ shutdown ──shutdownDone──▶ gone
// Orthogonal to the phase: registration and subscriptions (open during init only), the first
// failure (a timeout or an unexpected exit; it ends the environment), the first init error.
import type { InvocationStatus, ShutdownReason } from '../types.ts';
import { StateWaiters } from './state-waiters.ts';

export type SandboxPhase = 'init' | 'ready' | 'invoking' | 'shutdown' | 'gone';

/** What ends the environment: a timeout or an unexpected exit. The next invoke resets it first. */
export interface Failure {
  status: InvocationStatus;
  errorType: string;
  errorMessage: string;
  reason: ShutdownReason;
}

/** An init error posted by the runtime or an extension: the reported type and the platform's. */
export interface InitError {
  errorType: string;
  errorMessage: string;
  platformErrorType: string;
}

export class SandboxState {
  private current: SandboxPhase = 'init';
  private firstFailure: Failure | undefined;
  private firstInitError: InitError | undefined;
  private registration = true;
  private subscriptions = true;
  private unclaimedInitMs: number | undefined;
  private peakMemoryKb = 0;
  private readonly waiters = new StateWaiters();

  get phase(): SandboxPhase {
    return this.current;
  }

  get failure(): Failure | undefined {
    return this.firstFailure;
  }

  get initError(): InitError | undefined {
    return this.firstInitError;
  }

  get registrationOpen(): boolean {
    return this.registration && this.current === 'init';
  }

  get subscriptionsOpen(): boolean {
    return this.subscriptions && this.current === 'init';
  }

  /** Neither shutting down nor gone. */
  get live(): boolean {
    return this.current !== 'shutdown' && this.current !== 'gone';
  }

  /** Peak memory of processes that already ended, which still counts toward the report. */
  get peakKb(): number {
    return this.peakMemoryKb;
  }

  /** The runtime asked for its first event: registration closes (init step 3). */
  runtimeReady(): void {
    this.registration = false;
    this.changed();
  }

  /** Init is done: subscriptions close, and the next invocation claims the init's duration. */
  initSucceeded(durationMs: number): void {
    this.expect('initSucceeded', 'init');
    this.subscriptions = false;
    this.unclaimedInitMs = durationMs;
    this.current = 'ready';
    this.changed();
  }

  /** The init's duration, once: for the invocation that paid for it (the cold start). */
  claimInitDuration(): number | undefined {
    const durationMs = this.unclaimedInitMs;
    this.unclaimedInitMs = undefined;
    return durationMs;
  }

  invokeStarted(): void {
    this.expect('invokeStarted', 'ready');
    this.current = 'invoking';
    this.changed();
  }

  invokeFinished(): void {
    this.expect('invokeFinished', 'invoking');
    this.current = 'ready';
    this.changed();
  }

  /** The first failure wins; a failure while shutting down is none (everything is being stopped). */
  failed(failure: Failure): void {
    if (this.firstFailure || !this.live) return;
    this.firstFailure = failure;
    this.changed();
  }

  /** An init error during init (the first one wins); init ends with it. */
  initErrorReported(error: InitError): void {
    if (this.current !== 'init') return;
    this.firstInitError ??= error;
    this.changed();
  }

  notePeakMemory(kb: number): void {
    this.peakMemoryKb = Math.max(this.peakMemoryKb, kb);
  }

  shutdownStarted(): void {
    if (this.current === 'gone') throw new Error('SandboxState: shutdownStarted after the environment is gone');
    this.current = 'shutdown';
    this.changed();
  }

  shutdownDone(): void {
    this.expect('shutdownDone', 'shutdown');
    this.current = 'gone';
    this.changed();
  }

  /** Resolves true once `check()` holds, false after `timeoutMs`. */
  waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
    return this.waiters.until(check, timeoutMs);
  }

  /** Something outside the state that waits depend on changed (an API call, a process exit). */
  changed(): void {
    this.waiters.changed();
  }

  private expect(transition: string, from: SandboxPhase): void {
    if (this.current !== from) throw new Error(`SandboxState: ${transition} in phase ${this.current}, expected ${from}`);
  }
}
