import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import type { PropagatorName } from '../types.ts';

/** The global propagator user code injects with (outgoing calls), from OTEL_PROPAGATORS. */
export function buildPropagator(names: readonly PropagatorName[]): TextMapPropagator {
  const propagators: TextMapPropagator[] = [];
  if (names.includes('tracecontext')) propagators.push(new W3CTraceContextPropagator());
  if (names.includes('baggage')) propagators.push(new W3CBaggagePropagator());
  if (names.includes('xray') || names.includes('xray-lambda')) propagators.push(new AWSXRayPropagator());
  return new CompositePropagator({ propagators });
}
