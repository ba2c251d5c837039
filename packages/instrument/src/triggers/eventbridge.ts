import { SpanKind } from '@opentelemetry/api';
import { FAAS_TRIGGER, isObject, type Carrier, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger, pushCarrier } from './messaging-common.ts';

function isEventBridge(event: unknown): event is Record<string, any> {
  return isObject(event) && typeof event['detail-type'] === 'string' && typeof event.source === 'string' && typeof event.id === 'string' && 'detail' in event;
}

function isScheduled(event: Record<string, any>): boolean {
  return event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event';
}

/** EventBridge scheduled rule: `source: aws.events`, `detail-type: Scheduled Event` → faas.trigger timer. */
export const schedule: TriggerExtractor = {
  source: 'schedule',
  matches: (event) => isEventBridge(event) && isScheduled(event),
  extract(event) {
    const rule = Array.isArray(event.resources) && typeof event.resources[0] === 'string' ? event.resources[0] : undefined;
    const attributes: Record<string, string> = {};
    if (typeof event.time === 'string') attributes['faas.time'] = event.time;
    if (rule) attributes['aws.eventbridge.rule_arn'] = rule;
    return { source: this.source, trigger: FAAS_TRIGGER.timer, kind: SpanKind.SERVER, attributes };
  },
};

/** Any other EventBridge event: consumer of one message from its `source`. */
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
      system: 'aws_eventbridge',
      destination: event.source,
      messageCount: 1,
      linkCarriers: carriers,
      extra: { 'messaging.message.id': event.id, 'aws.eventbridge.detail_type': event['detail-type'] },
    });
  },
};
