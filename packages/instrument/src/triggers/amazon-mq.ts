import { MESSAGING_SYSTEM_VALUE_ACTIVEMQ, MESSAGING_SYSTEM_VALUE_RABBITMQ } from '@opentelemetry/semantic-conventions/incubating';
import { isObject, objectAt, text, type Carrier, type EventRecord, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger, pushCarrier } from './messaging-common.ts';

const TRACE_KEYS = ['traceparent', 'tracestate', 'x-amzn-trace-id'] as const;

/** A message property or header as text: RabbitMQ sends header values as `{ bytes: [...] }`. */
function propertyText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const bytes = isObject(value) ? value.bytes : undefined;
  return Array.isArray(bytes) && bytes.every((b) => typeof b === 'number') ? Buffer.from(bytes as number[]).toString('utf8') : undefined;
}

function carrierFrom(properties: EventRecord): Carrier {
  const carrier: Carrier = {};
  for (const key of TRACE_KEYS) {
    const value = propertyText(properties[key]);
    if (value !== undefined) carrier[key] = value;
  }
  return carrier;
}

/** Amazon MQ for ActiveMQ: `eventSource: aws:mq`, `messages[]` with a `destination.physicalName`. */
export const activeMq: TriggerExtractor = {
  source: 'activemq',
  matches: (event) => isObject(event) && event.eventSource === 'aws:mq' && Array.isArray(event.messages),
  extract(event) {
    const messages = (event.messages as unknown[]).filter(isObject);
    const carriers: Carrier[] = [];
    for (const message of messages) pushCarrier(carriers, carrierFrom(objectAt(message.properties)));
    const first = objectAt(messages[0]);
    return messagingTrigger({
      source: this.source,
      system: MESSAGING_SYSTEM_VALUE_ACTIVEMQ,
      destination: text(objectAt(first.destination).physicalName),
      messageCount: messages.length,
      messageId: text(first.messageID),
      linkCarriers: carriers,
    });
  },
};

/** Amazon MQ for RabbitMQ: `eventSource: aws:rmq`, messages grouped by `queue::virtual-host`. */
export const rabbitMq: TriggerExtractor = {
  source: 'rabbitmq',
  matches: (event) => isObject(event) && event.eventSource === 'aws:rmq' && isObject(event.rmqMessagesByQueue),
  extract(event) {
    const carriers: Carrier[] = [];
    let count = 0;
    let queue: string | undefined;
    let messageId: string | undefined;
    for (const [queueKey, messages] of Object.entries(objectAt(event.rmqMessagesByQueue))) {
      if (!Array.isArray(messages)) continue;
      queue ??= queueKey.split('::')[0];
      for (const message of (messages as unknown[]).filter(isObject)) {
        count += 1;
        const properties = objectAt(message.basicProperties);
        messageId ??= text(properties.messageId);
        pushCarrier(carriers, carrierFrom(objectAt(properties.headers)));
      }
    }
    return messagingTrigger({
      source: this.source,
      system: MESSAGING_SYSTEM_VALUE_RABBITMQ,
      destination: queue,
      messageCount: count,
      messageId,
      linkCarriers: carriers,
    });
  },
};
