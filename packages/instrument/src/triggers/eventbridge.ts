import { SpanKind, type Attributes } from '@opentelemetry/api';
import { FAAS_TRIGGER_VALUE_TIMER } from '@opentelemetry/semantic-conventions/incubating';
import { ATTR_LAMBDA_OTEL_EVENTBRIDGE_DETAIL_TYPE, ATTR_LAMBDA_OTEL_EVENTBRIDGE_RULE_ARN } from '../attributes.ts';
import { isObject, text, type Carrier, type EventRecord, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger, pushCarrier } from './messaging-common.ts';

function isEventBridge(event: unknown): event is EventRecord {
  return isObject(event) && typeof event['detail-type'] === 'string' && typeof event.source === 'string' && typeof event.id === 'string' && 'detail' in event;
}

function isScheduled(event: EventRecord): boolean {
  return event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event';
}

/** EventBridge scheduled rule: `source: aws.events`, `detail-type: Scheduled Event` → faas.trigger timer. */
export const schedule: TriggerExtractor = {
  source: 'schedule',
  matches: (event) => isEventBridge(event) && isScheduled(event),
  extract(event) {
    const rule = Array.isArray(event.resources) ? text(event.resources[0]) : undefined;
    const attributes: Attributes = {};
    if (rule) attributes[ATTR_LAMBDA_OTEL_EVENTBRIDGE_RULE_ARN] = rule;
    return { source: this.source, trigger: FAAS_TRIGGER_VALUE_TIMER, kind: SpanKind.SERVER, attributes };
  },
};

/**
 * Any other EventBridge event: consumer of one message, named after its `source`. The conventions
 * list no `messaging.system` value for EventBridge, so it is left out.
 */
export const eventBridge: TriggerExtractor = {
  source: 'eventbridge',
  matches: (event) => isEventBridge(event) && !isScheduled(event),
  extract(event) {
    const carriers: Carrier[] = [];
    const detail = event.detail;
    if (isObject(detail) && typeof detail.traceparent === 'string') {
      pushCarrier(carriers, { traceparent: detail.traceparent, ...(typeof detail.tracestate === 'string' ? { tracestate: detail.tracestate } : {}) });
    }
    return messagingTrigger({
      source: this.source,
      system: undefined,
      destination: text(event.source),
      messageCount: 1,
      messageId: text(event.id),
      linkCarriers: carriers,
      extra: { [ATTR_LAMBDA_OTEL_EVENTBRIDGE_DETAIL_TYPE]: text(event['detail-type']) },
    });
  },
};
