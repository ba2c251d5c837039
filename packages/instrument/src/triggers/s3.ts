import { FAAS_TRIGGER, firstRecord, type TriggerExtractor } from './trigger.ts';
import { messagingTrigger } from './messaging-common.ts';

/** S3 event notification: `Records[].eventSource === 'aws:s3'` → datasource trigger, destination = bucket. */
export const s3: TriggerExtractor = {
  source: 's3',
  matches: (event) => firstRecord(event)?.eventSource === 'aws:s3',
  extract(event) {
    const records: any[] = event.Records;
    const first = records[0];
    const bucket: string | undefined = first.s3?.bucket?.name;
    const extra: Record<string, string> = {};
    if (bucket) extra['faas.document.collection'] = bucket;
    if (typeof first.eventName === 'string') extra['faas.document.operation'] = first.eventName;
    if (typeof first.s3?.object?.key === 'string' && records.length === 1) extra['faas.document.name'] = first.s3.object.key;
    return messagingTrigger({
      source: this.source,
      system: 'aws_s3',
      destination: bucket,
      messageCount: records.length,
      trigger: FAAS_TRIGGER.datasource,
      extra,
    });
  },
};
