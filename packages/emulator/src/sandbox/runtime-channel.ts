// The runtime's side of the Runtime API: its parked /next requests, the invocations handed to it and
// their answers (/response, /error, /init/error). The state rules live here: one /next at a time and
// only once the current invocation is answered, one answer per invocation (403 InvalidStateTransition
// otherwise), and init/error during init only.
import type { ServerResponse } from 'node:http';
import { nowMs } from '../clock.ts';
import { apiErrors } from '../errors.ts';
import type { Invocation } from '../invoke/invocation.ts';
import type { SandboxDeps } from './deps.ts';
import { emitRuntimeDone } from './invoke-records.ts';
import type { InitError, SandboxState } from './state.ts';

export type RuntimeAnswer = Pick<Invocation, 'status' | 'response' | 'errorType' | 'errorMessage' | 'platformErrorType' | 'streamed'> & {
  producedBytes: number;
  allowLateError?: boolean;
};

export class RuntimeChannel {
  /** Set by the runtime's first /next: init step 2 is done. */
  calledNext = false;
  private parked: ServerResponse[] = [];
  private readonly running = new Map<string, Invocation>();
  private readonly finished = new Set<string>();
  private queued: Invocation[] = [];
  private readonly deps: SandboxDeps;
  private readonly state: SandboxState;
  private readonly managedInstances: boolean;

  constructor(deps: SandboxDeps, state: SandboxState, managedInstances: boolean) {
    this.deps = deps;
    this.state = state;
    this.managedInstances = managedInstances;
  }

  /** GET /next: the runtime waits for an invocation (parked); it also ends the previous one's runtime phase. */
  next(res: ServerResponse): void {
    const state = this.state;
    if (!state.live) {
      // The runtime is on its way out; its request stays open until it is gone.
      this.parked.push(res);
      return;
    }
    if (!this.managedInstances) {
      if (this.parked.length > 0) throw apiErrors.invalidStateTransition('the runtime is already waiting on /next');
      const unanswered = [...this.running.values()].find((inv) => inv.state === 'running');
      if (unanswered) throw apiErrors.invalidStateTransition(`invocation ${unanswered.requestId} has no response yet`);
    }
    this.parked.push(res);
    res.on('close', () => {
      this.parked = this.parked.filter((parked) => parked !== res);
    });
    if (!this.managedInstances) {
      for (const invocation of this.running.values()) {
        if (invocation.state === 'responded' && invocation.runtimeDoneAtMs === undefined) emitRuntimeDone(this.deps.dispatcher, invocation, nowMs());
      }
    }
    this.dispatchQueued();
    if (state.phase === 'init' && !this.calledNext) {
      this.calledNext = true;
      state.runtimeReady();
    } else {
      state.changed();
    }
  }

  /** Hands an invocation to the runtime: at once if it waits on /next, else at its next /next. */
  release(invocation: Invocation): void {
    this.running.set(invocation.requestId, invocation);
    this.queued.push(invocation);
    this.dispatchQueued();
  }

  /** The invocation is over: later answers for it are out of state. */
  finish(invocation: Invocation): void {
    this.running.delete(invocation.requestId);
    this.finished.add(invocation.requestId);
    this.queued = this.queued.filter((queued) => queued !== invocation);
  }

  /** The invocation a /response or /error names, if it may still be answered. */
  answerable(requestId: string, allowLateError = false): Invocation {
    const invocation = this.running.get(requestId);
    if (!invocation) {
      if (this.finished.has(requestId)) throw apiErrors.invalidStateTransition(`invocation ${requestId} is already complete`);
      throw apiErrors.invalidRequestId();
    }
    if (invocation.state === 'queued') throw apiErrors.invalidRequestId();
    if (invocation.state === 'responded' && !(allowLateError && invocation.allowLateError)) {
      throw apiErrors.invalidStateTransition(`invocation ${requestId} already has a response`);
    }
    return invocation;
  }

  markResponseStarted(invocation: Invocation): void {
    invocation.responseStartMs ??= nowMs();
  }

  /** Records the outcome of an invocation (response, error or a rejected response). */
  respond(invocation: Invocation, outcome: RuntimeAnswer): void {
    if (invocation.state === 'responded' && invocation.allowLateError) {
      // A late /error after a rejected response: the rejection stands.
      invocation.allowLateError = false;
      return;
    }
    invocation.state = 'responded';
    invocation.responseAtMs = nowMs();
    invocation.responseStartMs ??= invocation.responseAtMs;
    invocation.status = outcome.status;
    invocation.response = outcome.response;
    invocation.errorType = outcome.errorType;
    invocation.errorMessage = outcome.errorMessage;
    invocation.platformErrorType = outcome.platformErrorType;
    invocation.streamed = outcome.streamed;
    invocation.producedBytes = outcome.producedBytes;
    invocation.allowLateError = outcome.allowLateError ?? false;
    // Under Managed Instances there is no "next /next" per invocation: the response ends its runtime phase.
    if (this.managedInstances) emitRuntimeDone(this.deps.dispatcher, invocation, invocation.responseAtMs);
    invocation.options.onResponse?.({
      requestId: invocation.requestId,
      status: outcome.status ?? 'error',
      response: outcome.response,
      ...(outcome.errorType !== undefined ? { errorType: outcome.errorType } : {}),
      ...(outcome.errorMessage !== undefined ? { errorMessage: outcome.errorMessage } : {}),
    });
    this.state.changed();
  }

  initErrorPosted(error: InitError): void {
    if (this.state.phase !== 'init' || this.calledNext) throw apiErrors.invalidStateTransition('init/error is only accepted during init');
    this.state.initErrorReported(error);
  }

  /** The runtime died: its parked requests go nowhere. */
  forgetParked(): void {
    this.parked = [];
  }

  /** The environment is gone: close whatever the runtime still holds open. */
  closeParked(): void {
    for (const res of this.parked) res.destroy();
    this.parked = [];
  }

  private dispatchQueued(): void {
    while (this.queued.length > 0 && this.parked.length > 0) {
      const res = this.parked.shift()!;
      if (res.destroyed) continue;
      const invocation = this.queued.shift()!;
      invocation.state = 'running';
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': invocation.requestId,
        'Lambda-Runtime-Deadline-Ms': String(invocation.deadlineMs),
        'Lambda-Runtime-Invoked-Function-Arn': this.deps.config.functionArn,
      };
      if (invocation.traceHeader) headers['Lambda-Runtime-Trace-Id'] = invocation.traceHeader;
      const { clientContext, cognitoIdentity, tenantId } = invocation.options;
      if (clientContext !== undefined) headers['Lambda-Runtime-Client-Context'] = JSON.stringify(clientContext);
      if (cognitoIdentity !== undefined) headers['Lambda-Runtime-Cognito-Identity'] = JSON.stringify(cognitoIdentity);
      if (tenantId !== undefined) headers['Lambda-Runtime-Aws-Tenant-Id'] = tenantId;
      headers['Content-Length'] = String(invocation.payload.length);
      res.writeHead(200, headers);
      res.end(invocation.payload);
    }
  }
}
