import { ATTR_LAMBDA_OTEL_API_GATEWAY_STAGE, ATTR_LAMBDA_OTEL_WEBSOCKET_CONNECTION_ID, ATTR_LAMBDA_OTEL_WEBSOCKET_EVENT_TYPE } from '../attributes.ts';
import { isObject, objectAt, text, type TriggerExtractor } from './trigger.ts';
import { httpTrigger, normalizeHeaders } from './http-common.ts';

/** API Gateway WebSocket API: `requestContext.connectionId` + `eventType` (CONNECT, MESSAGE, DISCONNECT). */
export const apiGatewayWebSocket: TriggerExtractor = {
  source: 'api-gateway-websocket',
  matches: (event) =>
    isObject(event) &&
    isObject(event.requestContext) &&
    typeof event.requestContext.connectionId === 'string' &&
    typeof event.requestContext.eventType === 'string',
  extract(event, settings) {
    const rc = objectAt(event.requestContext);
    const routeKey = text(rc.routeKey);
    const stage = text(rc.stage);
    const info = httpTrigger(
      {
        source: this.source,
        // The CONNECT request is an HTTP GET upgrade; later frames have no HTTP method.
        method: text(event.httpMethod),
        route: routeKey,
        path: undefined,
        rawQuery: '',
        headers: normalizeHeaders(event.headers, event.multiValueHeaders),
        clientAddress: text(objectAt(rc.identity).sourceIp),
        serverAddress: text(rc.domainName),
        extra: {
          [ATTR_LAMBDA_OTEL_WEBSOCKET_EVENT_TYPE]: text(rc.eventType),
          [ATTR_LAMBDA_OTEL_WEBSOCKET_CONNECTION_ID]: text(rc.connectionId),
          ...(stage ? { [ATTR_LAMBDA_OTEL_API_GATEWAY_STAGE]: stage } : {}),
        },
      },
      settings,
    );
    return { ...info, spanName: routeKey ? `WebSocket ${routeKey}` : undefined };
  },
};
