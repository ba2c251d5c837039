import {
  FAAS_DOCUMENT_OPERATION_VALUE_DELETE,
  FAAS_DOCUMENT_OPERATION_VALUE_EDIT,
  FAAS_DOCUMENT_OPERATION_VALUE_INSERT,
} from '@opentelemetry/semantic-conventions/incubating';
import { firstRecord, nameFromArn, objectAt, records, type TriggerExtractor } from './trigger.ts';
import { documentTrigger, sharedOperation, type DocumentOperation } from './messaging-common.ts';

const OPERATIONS: Readonly<Record<string, DocumentOperation>> = {
  INSERT: FAAS_DOCUMENT_OPERATION_VALUE_INSERT,
  MODIFY: FAAS_DOCUMENT_OPERATION_VALUE_EDIT,
  REMOVE: FAAS_DOCUMENT_OPERATION_VALUE_DELETE,
};

/** `dynamodb.ApproximateCreationDateTime` (epoch seconds) as ISO 8601. */
function changeTime(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000).toISOString() : undefined;
}

/**
 * DynamoDB Streams batch: `Records[].eventSource === 'aws:dynamodb'` → datasource trigger, collection =
 * table; `faas.document.operation` when every record is the same change (INSERT, MODIFY, REMOVE).
 */
export const dynamodb: TriggerExtractor = {
  source: 'dynamodb',
  matches: (event) => firstRecord(event)?.eventSource === 'aws:dynamodb',
  extract(event) {
    const batch = records(event);
    const first = objectAt(batch[0]);
    return documentTrigger({
      source: this.source,
      collection: nameFromArn(first.eventSourceARN, 'table'),
      operation: sharedOperation(batch.map((record) => (typeof record.eventName === 'string' ? OPERATIONS[record.eventName] : undefined))),
      time: batch.length === 1 ? changeTime(objectAt(first.dynamodb).ApproximateCreationDateTime) : undefined,
    });
  },
};
