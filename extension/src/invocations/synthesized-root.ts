/**
 * The root span the extension emits for an invocation whose runtime died before sending one
 * (timeout, crash, out of memory, SHUTDOWN mid-invocation): the invocation's X-Ray trace and
 * parent, its start time, status ERROR with the reason, an `exception` event, and the span id that
 * children already received point at, so the trace shows the failure with what did arrive.
 */
import { attr, SpanKind, StatusCode } from '../otlp/types.ts';
import type { KeyValue, Span } from '../otlp/types.ts';
import { INVOCATION_ID_KEY } from './log-records.ts';
import type { Failure } from './failure.ts';
import { msToUnixNano, randomSpanId, randomTraceId } from './trace-context.ts';
import type { XRayContext } from './trace-context.ts';

/** Attribute marking a root span the extension built because the runtime sent none. */
export const SYNTHESIZED_KEY = 'lambda_otel.synthesized';

export interface SynthesisInput {
  readonly requestId: string;
  readonly startedAtMs: number;
  readonly failure: Failure;
  readonly xray: XRayContext | undefined;
  /** A parent id the children point at that no received span has: the root that never came. */
  readonly orphanedParentId: string | undefined;
  readonly coldStart: boolean;
  readonly functionName: string | undefined;
  readonly functionArn: string | undefined;
  /** Values from platform.report, when it came first. */
  readonly reportAttributes: readonly KeyValue[];
}

/** Builds the root span; pure apart from the random ids it needs when Lambda gave none. */
export function synthesizedRootSpan(input: SynthesisInput): Span {
  const { failure } = input;
  const endMs = Math.max(failure.endMs, input.startedAtMs);
  const attributes: KeyValue[] = [
    attr(INVOCATION_ID_KEY, input.requestId),
    attr('faas.coldstart', input.coldStart),
    attr(SYNTHESIZED_KEY, true),
    attr('aws.lambda.status', failure.status),
    attr('error.type', failure.errorType ?? failure.status),
  ];
  if (input.functionName) attributes.push(attr('faas.name', input.functionName));
  if (input.functionArn) attributes.push(attr('cloud.resource_id', input.functionArn));
  attributes.push(...input.reportAttributes);
  return {
    traceId: input.xray?.traceId ?? randomTraceId(),
    spanId: input.orphanedParentId ?? randomSpanId(),
    parentSpanId: input.xray?.parentSpanId ?? '',
    name: input.functionName ?? 'invocation',
    kind: SpanKind.server,
    startTimeUnixNano: msToUnixNano(input.startedAtMs),
    endTimeUnixNano: msToUnixNano(endMs),
    attributes,
    events: [
      {
        timeUnixNano: msToUnixNano(endMs),
        name: 'exception',
        attributes: [attr('exception.type', failure.errorType ?? failure.status), attr('exception.message', failure.reason)],
      },
    ],
    links: [],
    status: { code: StatusCode.error, message: failure.reason },
  };
}
