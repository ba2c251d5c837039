import { SpanKind, type Attributes } from '@opentelemetry/api';
import { FAAS_TRIGGER, type Carrier, type FaasTrigger, type TriggerInfo } from './trigger.ts';

export interface MessagingFacts {
  source: string;
  system: string;
  destination: string | undefined;
  messageCount: number;
  trigger?: FaasTrigger;
  linkCarriers?: Carrier[];
  extra?: Attributes;
}

/** Common attribute set for batch consumers: kind CONSUMER, name `process <destination>`. */
export function messagingTrigger(facts: MessagingFacts): TriggerInfo {
  const attributes: Attributes = {
    'messaging.system': facts.system,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.batch.message_count': facts.messageCount,
    ...facts.extra,
  };
  if (facts.destination) attributes['messaging.destination.name'] = facts.destination;
  return {
    source: facts.source,
    trigger: facts.trigger ?? FAAS_TRIGGER.pubsub,
    kind: SpanKind.CONSUMER,
    spanName: facts.destination ? `process ${facts.destination}` : undefined,
    attributes,
    linkCarriers: facts.linkCarriers ?? [],
  };
}

/** Adds a carrier only when it holds a trace header. */
export function pushCarrier(carriers: Carrier[], carrier: Carrier): void {
  if (carrier.traceparent !== undefined || carrier['x-amzn-trace-id'] !== undefined) carriers.push(carrier);
}
