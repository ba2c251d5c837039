import { MESSAGING_SYSTEM_VALUE_KAFKA } from '@opentelemetry/semantic-conventions/incubating';
import { ATTR_LAMBDA_OTEL_KAFKA_CLUSTER_ARN } from '../attributes.ts';
import { isObject, objectAt, type Carrier, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger, pushCarrier } from './messaging-common.ts';

/** Kafka header values arrive as arrays of byte values. */
function headerText(value: unknown): string | undefined {
  if (Array.isArray(value) && value.every((b) => typeof b === 'number')) return Buffer.from(value as number[]).toString('utf8');
  return typeof value === 'string' ? value : undefined;
}

/** Amazon MSK and self-managed Kafka: `eventSource` `aws:kafka` / `SelfManagedKafka`, records keyed by topic-partition. */
export const msk: TriggerExtractor = {
  source: 'msk',
  matches: (event) => isObject(event) && (event.eventSource === 'aws:kafka' || event.eventSource === 'SelfManagedKafka') && isObject(event.records),
  extract(event) {
    const carriers: Carrier[] = [];
    let count = 0;
    let topic: string | undefined;
    for (const batch of Object.values(objectAt(event.records))) {
      if (!Array.isArray(batch)) continue;
      for (const item of batch as unknown[]) {
        count += 1;
        const record = objectAt(item);
        topic ??= typeof record.topic === 'string' ? record.topic : undefined;
        const carrier: Carrier = {};
        for (const header of Array.isArray(record.headers) ? (record.headers as unknown[]) : []) {
          if (!isObject(header)) continue;
          for (const [key, value] of Object.entries(header)) {
            const name = key.toLowerCase();
            const text = headerText(value);
            if (text !== undefined && (name === 'traceparent' || name === 'tracestate' || name === 'x-amzn-trace-id')) carrier[name] = text;
          }
        }
        pushCarrier(carriers, carrier);
      }
    }
    return messagingTrigger({
      source: this.source,
      system: MESSAGING_SYSTEM_VALUE_KAFKA,
      destination: topic,
      messageCount: count,
      linkCarriers: carriers,
      extra: typeof event.eventSourceArn === 'string' ? { [ATTR_LAMBDA_OTEL_KAFKA_CLUSTER_ARN]: event.eventSourceArn } : undefined,
    });
  },
};
