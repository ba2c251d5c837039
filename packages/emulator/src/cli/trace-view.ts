// The trace view of `run` and `serve`: the emulator's OTLP receiver stands in for a backend when the
// user configured none (the layer is pointed at it, flushing after every invocation), each
// invocation's waterfall is printed once its spans are in, and --trace-html keeps every invocation's
// waterfall in one page. With an endpoint of the user's, the platform's timings are shown instead.
import { writeFileSync } from 'node:fs';
import type { LambdaEnvironment } from '../lambda-environment.ts';
import { buildInvocationTrace, invocationIdOf } from '../trace/invocation-trace.ts';
import { OtlpReceiver } from '../trace/otlp-receiver.ts';
import { renderWaterfallHtml } from '../trace/waterfall-html.ts';
import { renderWaterfallText } from '../trace/waterfall-text.ts';
import type { InvocationResult } from '../types.ts';
import type { ConsoleView } from './console-view.ts';

const endpointVariables = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
/**
 * How long to wait for an invocation's root span after its result. With flush=end the extension
 * exports before the invocation ends, unless the span reached it after its completion grace.
 */
const spanWaitMs = 1500;

/** Whether the emulator should receive the telemetry itself: no endpoint and no other exporter chosen. */
export function wantsLocalReceiver(env: Readonly<Record<string, string>>): boolean {
  if (endpointVariables.some((name) => env[name] !== undefined && env[name] !== '')) return false;
  const exporter = env.LAMBDA_OTEL_EXPORTER;
  return exporter === undefined || exporter === '' || exporter === 'otlp';
}

/** The variables that point the layer at the receiver (what the user set wins). */
export function receiverVariables(url: string, env: Readonly<Record<string, string>>): Record<string, string> {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: url, ...(env.LAMBDA_OTEL_FLUSH === undefined ? { LAMBDA_OTEL_FLUSH: 'end' } : {}) };
}

export class TraceView {
  private readonly receiver: OtlpReceiver | undefined;
  private readonly view: ConsoleView;
  private readonly htmlPath: string | undefined;
  private readonly results: InvocationResult[] = [];
  /** Invocations whose spans had not arrived when their waterfall was due (printed at close). */
  private readonly late: InvocationResult[] = [];
  private lambda: LambdaEnvironment | undefined;

  constructor(receiver: OtlpReceiver | undefined, view: ConsoleView, htmlPath: string | undefined) {
    this.receiver = receiver;
    this.view = view;
    this.htmlPath = htmlPath;
  }

  attach(lambda: LambdaEnvironment): void {
    this.lambda = lambda;
  }

  /**
   * Prints the invocation's waterfall (unless --quiet) and rewrites the HTML page. With `deferLate`
   * (run), an invocation whose spans did not come in time is printed at close instead, when the
   * extension has sent everything at SHUTDOWN.
   */
  async afterInvocation(result: InvocationResult, deferLate = false): Promise<void> {
    this.results.push(result);
    const arrived = () => this.receiver!.spans.some((span) => invocationIdOf(span.attributes) === result.requestId);
    const waiting = this.receiver !== undefined && this.expectsSpans();
    if (waiting && !(await this.receiver!.waitFor(arrived, spanWaitMs)) && deferLate) {
      this.late.push(result);
      if (this.view.showsDetail) this.view.text(`(the spans of ${result.requestId} are not in yet: its waterfall comes after SHUTDOWN)`);
    } else if (this.view.showsDetail) {
      this.view.text(renderWaterfallText(this.traceOf(result), this.view.colored).trimEnd());
    }
    this.writeHtml();
  }

  /** The page with every invocation, spans that came late included. */
  writeHtml(): void {
    if (!this.htmlPath) return;
    writeFileSync(this.htmlPath, renderWaterfallHtml(this.results.map((result) => this.traceOf(result))));
  }

  /** The waterfalls that waited for SHUTDOWN (the extension sends everything then). */
  printLate(): void {
    for (const result of this.late.splice(0)) {
      if (this.view.showsDetail) this.view.text(renderWaterfallText(this.traceOf(result), this.view.colored).trimEnd());
    }
  }

  async close(): Promise<void> {
    this.printLate();
    this.writeHtml();
    if (this.htmlPath) process.stderr.write(`lambda-emulator: trace view of ${this.results.length} invocation(s) written to ${this.htmlPath}\n`);
    await this.receiver?.close();
  }

  private traceOf(result: InvocationResult) {
    const lambda = this.lambda!;
    return buildInvocationTrace(result, this.receiver?.spans ?? [], lambda.events, lambda.invocationLog(result.requestId));
  }

  /** Spans come only from a function that exports them: with layers, or once any span arrived. */
  private expectsSpans(): boolean {
    return (this.lambda?.config.layers.length ?? 0) > 0 || (this.receiver?.spans.length ?? 0) > 0;
  }
}
