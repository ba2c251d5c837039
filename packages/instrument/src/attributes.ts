/**
 * The attributes the plugin adds of its own, for facts the semantic conventions have no name for.
 * They live under `lambda_otel.` so they never collide with a convention (every conventional name
 * comes from @opentelemetry/semantic-conventions).
 */
export const ATTR_LAMBDA_OTEL_EVENT = 'lambda_otel.event';
export const ATTR_LAMBDA_OTEL_TIMEOUT = 'lambda_otel.timeout';
export const ATTR_LAMBDA_OTEL_RESPONSE_STREAMED = 'lambda_otel.response.streamed';
export const ATTR_LAMBDA_OTEL_RESPONSE_BYTES = 'lambda_otel.response.bytes';
export const ATTR_LAMBDA_OTEL_RESPONSE_TIME_TO_FIRST_BYTE_MS = 'lambda_otel.response.time_to_first_byte_ms';
export const ATTR_LAMBDA_OTEL_API_GATEWAY_STAGE = 'lambda_otel.api_gateway.stage';
export const ATTR_LAMBDA_OTEL_WEBSOCKET_EVENT_TYPE = 'lambda_otel.api_gateway.websocket.event_type';
export const ATTR_LAMBDA_OTEL_WEBSOCKET_CONNECTION_ID = 'lambda_otel.api_gateway.websocket.connection_id';
export const ATTR_LAMBDA_OTEL_ELB_TARGET_GROUP_ARN = 'lambda_otel.elb.target_group_arn';
export const ATTR_LAMBDA_OTEL_EVENTBRIDGE_RULE_ARN = 'lambda_otel.eventbridge.rule_arn';
export const ATTR_LAMBDA_OTEL_EVENTBRIDGE_DETAIL_TYPE = 'lambda_otel.eventbridge.detail_type';
export const ATTR_LAMBDA_OTEL_KAFKA_CLUSTER_ARN = 'lambda_otel.kafka.cluster_arn';
