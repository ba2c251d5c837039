import { ROOT_CONTEXT, defaultTextMapGetter, isSpanContextValid, trace, type Context, type Link, type SpanContext } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRAY_TRACE_ID_HEADER, AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import type { PropagatorName } from '../types.ts';
import type { Carrier, TriggerInfo } from '../triggers/trigger.ts';
import { parseXRayHeader } from './xray-header.ts';

const traceContext = new W3CTraceContextPropagator();
const baggage = new W3CBaggagePropagator();
const xray = new AWSXRayPropagator();

export interface ExtractedParent {
  /** Context to start the root span in: parent span (if any) and baggage. */
  readonly context: Context;
  /** Span links for messaging batches, one per record that carries trace context. */
  readonly links: Link[];
  /** A trace id to start a new trace with (Root-only X-Ray header), when there is no parent. */
  readonly traceIdHint?: string;
}

export interface ParentInputs {
  readonly trigger: TriggerInfo;
  readonly propagators: readonly PropagatorName[];
  /** The X-Ray header Lambda handed the runtime for this invocation (context.xRayTraceId or _X_AMZN_TRACE_ID). */
  readonly lambdaTraceHeader: string | undefined;
}

/** The parent an X-Ray header names (Root, Parent and a Sampled decision), read by OTel's AWSXRayPropagator. */
function xrayToSpanContext(value: string | undefined): SpanContext | undefined {
  if (!value) return undefined;
  return trace.getSpanContext(xray.extract(ROOT_CONTEXT, { [AWSXRAY_TRACE_ID_HEADER]: value }, defaultTextMapGetter));
}

/** The span context one record's carrier points to: traceparent first, then an X-Ray header. */
export function spanContextFromCarrier(carrier: Carrier): SpanContext | undefined {
  if (carrier.traceparent !== undefined) {
    const extracted = trace.getSpanContext(traceContext.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
    if (extracted && isSpanContextValid(extracted)) return extracted;
  }
  const xray = xrayToSpanContext(carrier['x-amzn-trace-id']);
  return xray && isSpanContextValid(xray) ? xray : undefined;
}

/**
 * Decides the root span's parent, at span start:
 * 1. HTTP triggers: W3C traceparent/baggage from the request headers (and X-Amzn-Trace-Id with `xray`);
 * 2. otherwise Lambda's X-Ray context, only when `xray-lambda` is enabled;
 * 3. messaging batches start a new trace, linked to every record that carries trace context.
 */
export function extractParent(inputs: ParentInputs): ExtractedParent {
  const { trigger, propagators } = inputs;
  if (trigger.linkCarriers !== undefined) {
    const links: Link[] = [];
    for (const carrier of trigger.linkCarriers) {
      const spanContext = spanContextFromCarrier(carrier);
      if (spanContext) links.push({ context: spanContext });
    }
    return { context: ROOT_CONTEXT, links };
  }

  let context = ROOT_CONTEXT;
  const headers = trigger.headers;
  if (headers !== undefined) {
    if (propagators.includes('baggage')) context = baggage.extract(context, headers, defaultTextMapGetter);
    if (propagators.includes('tracecontext')) context = traceContext.extract(context, headers, defaultTextMapGetter);
    if (!trace.getSpanContext(context) && (propagators.includes('xray') || propagators.includes('xray-lambda'))) {
      const fromHeader = xrayToSpanContext(headers['x-amzn-trace-id']);
      if (fromHeader) context = trace.setSpanContext(context, fromHeader);
    }
    const found = trace.getSpanContext(context);
    if (found && isSpanContextValid(found)) return { context, links: [] };
  }

  if (propagators.includes('xray-lambda')) {
    const fromLambda = xrayToSpanContext(inputs.lambdaTraceHeader);
    if (fromLambda) return { context: trace.setSpanContext(context, fromLambda), links: [] };
    // Lambda's PassThrough mode sends a Root-only header, which the propagator does not take.
    const rootOnly = parseXRayHeader(inputs.lambdaTraceHeader);
    if (rootOnly) return { context, links: [], traceIdHint: rootOnly.traceId };
  }
  return { context, links: [] };
}
