import { firstRecord, nameFromArn, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger } from './messaging-common.ts';

/** Kinesis Data Streams batch: `Records[].eventSource === 'aws:kinesis'`. Record data is opaque: no links. */
export const kinesis: TriggerExtractor = {
  source: 'kinesis',
  matches: (event) => firstRecord(event)?.eventSource === 'aws:kinesis',
  extract(event) {
    const records: any[] = event.Records;
    return messagingTrigger({
      source: this.source,
      system: 'aws_kinesis',
      destination: nameFromArn(records[0].eventSourceARN, 'stream'),
      messageCount: records.length,
    });
  },
};
