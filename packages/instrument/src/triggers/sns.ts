import { ATTR_AWS_SNS_TOPIC_ARN, MESSAGING_SYSTEM_VALUE_AWS_SNS } from '@opentelemetry/semantic-conventions/incubating';
import { firstRecord, isObject, nameFromArn, objectAt, records, text, type Carrier, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger, pushCarrier } from './messaging-common.ts';

/** Amazon SNS notification: `Records[].EventSource === 'aws:sns'`. Links from traceparent message attributes. */
export const sns: TriggerExtractor = {
  source: 'sns',
  matches: (event) => firstRecord(event)?.EventSource === 'aws:sns',
  extract(event) {
    const batch = records(event);
    const carriers: Carrier[] = [];
    for (const record of batch) {
      const attributes = objectAt(objectAt(record.Sns).MessageAttributes);
      const carrier: Carrier = {};
      for (const name of ['traceparent', 'tracestate', 'x-amzn-trace-id']) {
        const attribute = attributes[name] ?? attributes[name.toUpperCase()];
        if (isObject(attribute) && typeof attribute.Value === 'string') carrier[name] = attribute.Value;
      }
      pushCarrier(carriers, carrier);
    }
    const first = objectAt(objectAt(batch[0]).Sns);
    const topicArn = text(first.TopicArn);
    return messagingTrigger({
      source: this.source,
      system: MESSAGING_SYSTEM_VALUE_AWS_SNS,
      destination: nameFromArn(topicArn),
      messageCount: batch.length,
      messageId: text(first.MessageId),
      linkCarriers: carriers,
      extra: topicArn ? { [ATTR_AWS_SNS_TOPIC_ARN]: topicArn } : undefined,
    });
  },
};
