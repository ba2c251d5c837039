import { SpanKind, type Attributes } from '@opentelemetry/api';
import {
  ATTR_FAAS_DOCUMENT_COLLECTION,
  ATTR_FAAS_DOCUMENT_NAME,
  ATTR_FAAS_DOCUMENT_OPERATION,
  ATTR_FAAS_DOCUMENT_TIME,
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  FAAS_TRIGGER_VALUE_DATASOURCE,
  FAAS_TRIGGER_VALUE_PUBSUB,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  type FAAS_DOCUMENT_OPERATION_VALUE_DELETE,
  type FAAS_DOCUMENT_OPERATION_VALUE_EDIT,
  type FAAS_DOCUMENT_OPERATION_VALUE_INSERT,
  type MESSAGING_SYSTEM_VALUE_ACTIVEMQ,
  type MESSAGING_SYSTEM_VALUE_AWS_SNS,
  type MESSAGING_SYSTEM_VALUE_AWS_SQS,
  type MESSAGING_SYSTEM_VALUE_KAFKA,
  type MESSAGING_SYSTEM_VALUE_RABBITMQ,
} from '@opentelemetry/semantic-conventions/incubating';
import type { Carrier, TriggerInfo } from './trigger.ts';

/** The `messaging.system` values the conventions list for the sources Lambda delivers; others leave it out. */
export type MessagingSystem =
  | typeof MESSAGING_SYSTEM_VALUE_AWS_SQS
  | typeof MESSAGING_SYSTEM_VALUE_AWS_SNS
  | typeof MESSAGING_SYSTEM_VALUE_KAFKA
  | typeof MESSAGING_SYSTEM_VALUE_ACTIVEMQ
  | typeof MESSAGING_SYSTEM_VALUE_RABBITMQ;

export type DocumentOperation =
  typeof FAAS_DOCUMENT_OPERATION_VALUE_INSERT | typeof FAAS_DOCUMENT_OPERATION_VALUE_EDIT | typeof FAAS_DOCUMENT_OPERATION_VALUE_DELETE;

export interface MessagingFacts {
  source: string;
  /** Undefined for a source the conventions list no value for (Kinesis, EventBridge). */
  system: MessagingSystem | undefined;
  destination: string | undefined;
  messageCount: number;
  /** The message's id, recorded when the invocation carries exactly one message. */
  messageId?: string | undefined;
  linkCarriers?: Carrier[];
  extra?: Attributes;
}

/**
 * Common attribute set for message consumers: kind CONSUMER, name `process <destination>`.
 * `messaging.batch.message_count` only for a batch (two messages or more), `messaging.message.id`
 * only for a single message, as the messaging conventions say.
 */
export function messagingTrigger(facts: MessagingFacts): TriggerInfo {
  const attributes: Attributes = {
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
    [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
    ...facts.extra,
  };
  if (facts.system !== undefined) attributes[ATTR_MESSAGING_SYSTEM] = facts.system;
  if (facts.destination) attributes[ATTR_MESSAGING_DESTINATION_NAME] = facts.destination;
  if (facts.messageCount > 1) attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = facts.messageCount;
  else if (facts.messageCount === 1 && facts.messageId) attributes[ATTR_MESSAGING_MESSAGE_ID] = facts.messageId;
  return {
    source: facts.source,
    trigger: FAAS_TRIGGER_VALUE_PUBSUB,
    kind: SpanKind.CONSUMER,
    spanName: facts.destination ? `${MESSAGING_OPERATION_TYPE_VALUE_PROCESS} ${facts.destination}` : MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
    attributes,
    linkCarriers: facts.linkCarriers ?? [],
  };
}

export interface DocumentFacts {
  source: string;
  /** The bucket or table. */
  collection: string | undefined;
  /** Set only when every record of the invocation is the same operation. */
  operation: DocumentOperation | undefined;
  /** The object key, for a single record. */
  name?: string | undefined;
  /** When the change happened (ISO 8601), for a single record. */
  time?: string | undefined;
}

/** Data source changes (S3 objects, DynamoDB items): `faas.trigger=datasource` with the `faas.document.*` attributes. */
export function documentTrigger(facts: DocumentFacts): TriggerInfo {
  const attributes: Attributes = {};
  if (facts.collection) attributes[ATTR_FAAS_DOCUMENT_COLLECTION] = facts.collection;
  if (facts.operation) attributes[ATTR_FAAS_DOCUMENT_OPERATION] = facts.operation;
  if (facts.name) attributes[ATTR_FAAS_DOCUMENT_NAME] = facts.name;
  if (facts.time) attributes[ATTR_FAAS_DOCUMENT_TIME] = facts.time;
  return {
    source: facts.source,
    trigger: FAAS_TRIGGER_VALUE_DATASOURCE,
    kind: SpanKind.CONSUMER,
    spanName: facts.collection ? `${MESSAGING_OPERATION_TYPE_VALUE_PROCESS} ${facts.collection}` : undefined,
    attributes,
    linkCarriers: [],
  };
}

/** The one operation every record shares, else undefined. */
export function sharedOperation(operations: readonly (DocumentOperation | undefined)[]): DocumentOperation | undefined {
  const first = operations[0];
  return first !== undefined && operations.every((operation) => operation === first) ? first : undefined;
}

/** Adds a carrier only when it holds a trace header. */
export function pushCarrier(carriers: Carrier[], carrier: Carrier): void {
  if (carrier.traceparent !== undefined || carrier['x-amzn-trace-id'] !== undefined) carriers.push(carrier);
}
