/**
 * The invocations the extension remembers, by request id and by trace id, and how many: enough
 * finished ones for late log lines and reports, never an unbounded number.
 */
import type { KeyValue, SpanItem } from '../otlp/types.ts';
import type { Failure } from './failure.ts';
import type { XRayContext } from './trace-context.ts';

/** How many finished invocations are remembered for late log lines and reports. */
const REMEMBERED_INVOCATIONS = 64;
/** Child span ids remembered per invocation, to give a synthesized root the id its children point at. */
const REMEMBERED_CHILDREN = 512;

export interface Invocation {
  readonly requestId: string;
  startedAtMs: number;
  xray: XRayContext | undefined;
  functionArn: string | undefined;
  readonly coldStart: boolean;
  root: SpanItem | undefined;
  rootSynthesized: boolean;
  /** platform.runtimeDone arrived (the runtime finished or gave up). */
  runtimeDone: boolean;
  /** How it failed, from runtimeDone or report; undefined while nothing says it failed. */
  failure: Failure | undefined;
  /** Report values (set once platform.report arrived), kept for a root span that comes later. */
  reportAttributes: KeyValue[] | undefined;
  complete: boolean;
  /** Cancels the grace timer while one runs (completion.ts). */
  graceTimer: (() => void) | undefined;
  waiters: (() => void)[];
  readonly childSpanIds: Set<string>;
  readonly childParentIds: Set<string>;
}

export class InvocationRegistry {
  readonly #byRequest = new Map<string, Invocation>();
  readonly #requestByTrace = new Map<string, string>();
  #firstRequestId: string | undefined;

  /** The environment's first invocation (the cold start), whose trace gets the init span. */
  get first(): Invocation | undefined {
    return this.#byRequest.get(this.#firstRequestId ?? '');
  }

  get(requestId: string | undefined): Invocation | undefined {
    return requestId === undefined ? undefined : this.#byRequest.get(requestId);
  }

  all(): IterableIterator<Invocation> {
    return this.#byRequest.values();
  }

  getOrCreate(requestId: string, startedAtMs: number): Invocation {
    let invocation = this.#byRequest.get(requestId);
    if (!invocation) {
      const coldStart = this.#firstRequestId === undefined;
      this.#firstRequestId ??= requestId;
      invocation = {
        requestId,
        startedAtMs,
        xray: undefined,
        functionArn: undefined,
        coldStart,
        root: undefined,
        rootSynthesized: false,
        runtimeDone: false,
        failure: undefined,
        reportAttributes: undefined,
        complete: false,
        graceTimer: undefined,
        waiters: [],
        childSpanIds: new Set(),
        childParentIds: new Set(),
      };
      this.#byRequest.set(requestId, invocation);
    }
    return invocation;
  }

  /** Spans of `traceId` belong to `invocation` from now on. */
  linkTrace(traceId: string, invocation: Invocation): void {
    this.#requestByTrace.set(traceId, invocation.requestId);
  }

  /** Remembers a span that is not a root, so a synthesized root can take the id it points at. */
  noteChild(item: SpanItem): void {
    const owner = this.#byRequest.get(this.#requestByTrace.get(item.span.traceId) ?? '');
    if (!owner || owner.root || owner.childSpanIds.size >= REMEMBERED_CHILDREN) return;
    owner.childSpanIds.add(item.span.spanId);
    if (item.span.parentSpanId) owner.childParentIds.add(item.span.parentSpanId);
  }

  /**
   * Keeps memory flat: beyond the bound, finished invocations that `keep` does not hold on to are
   * forgotten oldest first; past four times the bound, any.
   */
  forgetOld(keep: (invocation: Invocation) => boolean): void {
    if (this.#byRequest.size <= REMEMBERED_INVOCATIONS) return;
    for (const invocation of this.#byRequest.values()) {
      if (this.#byRequest.size <= REMEMBERED_INVOCATIONS) break;
      if (invocation.complete && invocation.reportAttributes && !keep(invocation)) this.#forget(invocation);
    }
    // Invocations whose report never came must not pile up either.
    for (const invocation of this.#byRequest.values()) {
      if (this.#byRequest.size <= REMEMBERED_INVOCATIONS * 4) break;
      this.#forget(invocation);
    }
  }

  #forget(invocation: Invocation): void {
    invocation.graceTimer?.();
    for (const waiter of invocation.waiters.splice(0)) waiter();
    this.#byRequest.delete(invocation.requestId);
    if (invocation.root) this.#requestByTrace.delete(invocation.root.span.traceId);
    if (invocation.xray) this.#requestByTrace.delete(invocation.xray.traceId);
  }
}

/** A parent id that children point at but no received span has: the root the runtime never sent. */
export function orphanedParentId(invocation: Invocation): string | undefined {
  for (const parentId of invocation.childParentIds) {
    if (!invocation.childSpanIds.has(parentId) && parentId !== invocation.xray?.parentSpanId) return parentId;
  }
  return undefined;
}
