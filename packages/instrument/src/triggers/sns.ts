import { firstRecord, isObject, nameFromArn, type Carrier, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger, pushCarrier } from './messaging-common.ts';

/** Amazon SNS notification: `Records[].EventSource === 'aws:sns'`. Links from traceparent message attributes. */
export const sns: TriggerExtractor = {
  source: 'sns',
  matches: (event) => firstRecord(event)?.EventSource === 'aws:sns',
  extract(event) {
    const records: any[] = event.Records;
    const carriers: Carrier[] = [];
    for (const record of records) {
      const attributes = record.Sns?.MessageAttributes;
      const carrier: Carrier = {};
      for (const name of ['traceparent', 'tracestate', 'x-amzn-trace-id']) {
        const attribute = isObject(attributes) ? (attributes[name] ?? attributes[name.toUpperCase()]) : undefined;
        if (isObject(attribute) && typeof attribute.Value === 'string') carrier[name] = attribute.Value;
      }
      pushCarrier(carriers, carrier);
    }
    return messagingTrigger({
      source: this.source,
      system: 'aws_sns',
      destination: nameFromArn(records[0].Sns?.TopicArn),
      messageCount: records.length,
      linkCarriers: carriers,
    });
  },
};
