import { MESSAGING_SYSTEM_VALUE_AWS_SQS } from '@opentelemetry/semantic-conventions/incubating';
import { firstRecord, isObject, nameFromArn, objectAt, records, text, type Carrier, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger, pushCarrier } from './messaging-common.ts';

function stringAttribute(attributes: unknown, name: string): string | undefined {
  if (!isObject(attributes)) return undefined;
  const attribute = attributes[name];
  return isObject(attribute) && typeof attribute.stringValue === 'string' ? attribute.stringValue : undefined;
}

/** Amazon SQS batch: `Records[].eventSource === 'aws:sqs'`. Links from AWSTraceHeader or a traceparent message attribute. */
export const sqs: TriggerExtractor = {
  source: 'sqs',
  matches: (event) => firstRecord(event)?.eventSource === 'aws:sqs',
  extract(event) {
    const batch = records(event);
    const carriers: Carrier[] = [];
    for (const record of batch) {
      const carrier: Carrier = {};
      const traceparent = stringAttribute(record.messageAttributes, 'traceparent');
      if (traceparent) {
        carrier.traceparent = traceparent;
        const tracestate = stringAttribute(record.messageAttributes, 'tracestate');
        if (tracestate) carrier.tracestate = tracestate;
      }
      const xray = objectAt(record.attributes).AWSTraceHeader;
      if (typeof xray === 'string') carrier['x-amzn-trace-id'] = xray;
      pushCarrier(carriers, carrier);
    }
    const first = objectAt(batch[0]);
    return messagingTrigger({
      source: this.source,
      system: MESSAGING_SYSTEM_VALUE_AWS_SQS,
      destination: nameFromArn(first.eventSourceARN),
      messageCount: batch.length,
      messageId: text(first.messageId),
      linkCarriers: carriers,
    });
  },
};
