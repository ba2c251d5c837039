import { FAAS_TRIGGER, firstRecord, nameFromArn, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger } from './messaging-common.ts';

/** DynamoDB Streams batch: `Records[].eventSource === 'aws:dynamodb'` → datasource trigger, destination = table. */
export const dynamodb: TriggerExtractor = {
  source: 'dynamodb',
  matches: (event) => firstRecord(event)?.eventSource === 'aws:dynamodb',
  extract(event) {
    const records: any[] = event.Records;
    const table = nameFromArn(records[0].eventSourceARN, 'table');
    return messagingTrigger({
      source: this.source,
      system: 'aws_dynamodb_streams',
      destination: table,
      messageCount: records.length,
      trigger: FAAS_TRIGGER.datasource,
      extra: table ? { 'faas.document.collection': table } : undefined,
    });
  },
};
