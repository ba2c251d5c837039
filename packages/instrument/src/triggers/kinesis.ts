import { ATTR_AWS_KINESIS_STREAM_NAME } from '@opentelemetry/semantic-conventions/incubating';
import { firstRecord, nameFromArn, objectAt, records, text, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger } from './messaging-common.ts';

/**
 * Kinesis Data Streams batch: `Records[].eventSource === 'aws:kinesis'`. The conventions list no
 * `messaging.system` value for Kinesis, so it is left out. Record data is opaque: no links.
 */
export const kinesis: TriggerExtractor = {
  source: 'kinesis',
  matches: (event) => firstRecord(event)?.eventSource === 'aws:kinesis',
  extract(event) {
    const batch = records(event);
    const first = objectAt(batch[0]);
    const stream = nameFromArn(first.eventSourceARN, 'stream');
    return messagingTrigger({
      source: this.source,
      system: undefined,
      destination: stream,
      messageCount: batch.length,
      messageId: text(first.eventID),
      extra: stream ? { [ATTR_AWS_KINESIS_STREAM_NAME]: stream } : undefined,
    });
  },
};
