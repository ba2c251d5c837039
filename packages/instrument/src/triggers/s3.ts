import {
  FAAS_DOCUMENT_OPERATION_VALUE_DELETE,
  FAAS_DOCUMENT_OPERATION_VALUE_EDIT,
  FAAS_DOCUMENT_OPERATION_VALUE_INSERT,
} from '@opentelemetry/semantic-conventions/incubating';
import { firstRecord, objectAt, records, text, type TriggerExtractor } from './trigger.ts';
import { documentTrigger, sharedOperation, type DocumentOperation } from './messaging-common.ts';

/**
 * The document operation of an S3 event name (`ObjectCreated:Put` → insert): created objects are
 * inserts, removed and expired ones deletes, restores, tags, ACLs and storage-class moves edits.
 * Replication and other notifications name no operation.
 */
export function s3Operation(eventName: unknown): DocumentOperation | undefined {
  const family = typeof eventName === 'string' ? eventName.split(':')[0] : undefined;
  switch (family) {
    case 'ObjectCreated':
      return FAAS_DOCUMENT_OPERATION_VALUE_INSERT;
    case 'ObjectRemoved':
    case 'LifecycleExpiration':
      return FAAS_DOCUMENT_OPERATION_VALUE_DELETE;
    case 'ObjectRestore':
    case 'ObjectTagging':
    case 'ObjectAcl':
    case 'LifecycleTransition':
    case 'IntelligentTiering':
      return FAAS_DOCUMENT_OPERATION_VALUE_EDIT;
    default:
      return undefined;
  }
}

/** S3 event notification: `Records[].eventSource === 'aws:s3'` → datasource trigger, collection = bucket. */
export const s3: TriggerExtractor = {
  source: 's3',
  matches: (event) => firstRecord(event)?.eventSource === 'aws:s3',
  extract(event) {
    const batch = records(event);
    const first = objectAt(batch[0]);
    const s3Entity = objectAt(first.s3);
    const single = batch.length === 1;
    return documentTrigger({
      source: this.source,
      collection: text(objectAt(s3Entity.bucket).name),
      operation: sharedOperation(batch.map((record) => s3Operation(record.eventName))),
      name: single ? text(objectAt(s3Entity.object).key) : undefined,
      time: single ? text(first.eventTime) : undefined,
    });
  },
};
