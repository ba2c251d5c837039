import { isObject, type TriggerExtractor } from './trigger.ts';
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
    const rc = event.requestContext;
    const info = httpTrigger(
      {
        source: this.source,
        method: event.httpMethod,
        route: rc.routeKey,
        path: undefined,
        rawQuery: '',
        headers: normalizeHeaders(event.headers, event.multiValueHeaders),
        clientAddress: rc.identity?.sourceIp,
        serverAddress: rc.domainName,
        extra: {
          'aws.api_gateway.websocket.event_type': rc.eventType,
          'aws.api_gateway.websocket.connection_id': rc.connectionId,
        },
      },
      settings,
    );
    return { ...info, spanName: rc.routeKey ? `WebSocket ${rc.routeKey}` : undefined };
  },
};
