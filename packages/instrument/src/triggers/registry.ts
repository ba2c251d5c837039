import { SpanKind } from '@opentelemetry/api';
import { FAAS_TRIGGER_VALUE_OTHER } from '@opentelemetry/semantic-conventions/incubating';
import { isObject, type TriggerExtractor, type TriggerInfo, type TriggerSettings } from './trigger.ts';
import { apiGatewayWebSocket } from './api-gateway-websocket.ts';
import { alb } from './alb.ts';
import { apiGatewayHttp, functionUrl } from './api-gateway-http.ts';
import { apiGatewayRest } from './api-gateway-rest.ts';
import { sqs } from './sqs.ts';
import { sns } from './sns.ts';
import { schedule, eventBridge } from './eventbridge.ts';
import { kinesis } from './kinesis.ts';
import { dynamodb } from './dynamodb.ts';
import { s3 } from './s3.ts';
import { msk } from './msk.ts';
import { activeMq, rabbitMq } from './amazon-mq.ts';

/** Order matters only where shapes overlap: WebSocket and ALB before REST, schedule before EventBridge. */
export const TRIGGER_EXTRACTORS: readonly TriggerExtractor[] = [
  apiGatewayWebSocket,
  alb,
  apiGatewayHttp,
  functionUrl,
  apiGatewayRest,
  sqs,
  sns,
  schedule,
  eventBridge,
  kinesis,
  dynamodb,
  s3,
  msk,
  activeMq,
  rabbitMq,
];

/** Any event no extractor claims. */
export const OTHER_TRIGGER: TriggerInfo = Object.freeze({ source: 'other', trigger: FAAS_TRIGGER_VALUE_OTHER, kind: SpanKind.SERVER, attributes: {} });

/**
 * Detects the event source from the event's shape. Anything unknown is `faas.trigger=other`, kind SERVER.
 *
 * @example
 * detectTrigger({ Records: [{ eventSource: 'aws:sqs', ... }] }, settings).trigger === 'pubsub'
 */
export function detectTrigger(event: unknown, settings: TriggerSettings): TriggerInfo {
  if (!isObject(event)) return OTHER_TRIGGER;
  for (const extractor of TRIGGER_EXTRACTORS) {
    if (extractor.matches(event)) return extractor.extract(event, settings);
  }
  return OTHER_TRIGGER;
}
