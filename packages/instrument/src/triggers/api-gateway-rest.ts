import { ATTR_LAMBDA_OTEL_API_GATEWAY_STAGE } from '../attributes.ts';
import { isObject, objectAt, text, type TriggerExtractor } from './trigger.ts';
import { encodeQueryParameters, httpTrigger, normalizeHeaders } from './http-common.ts';

/**
 * API Gateway REST API (payload format 1.0): `httpMethod`, `resource`. The route is the event's
 * `resource` (the template the method is defined on, `/orders/{orderId}` or `/{proxy+}`);
 * `requestContext.resourcePath` only when the event has none.
 */
export const apiGatewayRest: TriggerExtractor = {
  source: 'api-gateway-rest',
  matches: (event) =>
    isObject(event) &&
    typeof event.httpMethod === 'string' &&
    isObject(event.requestContext) &&
    event.requestContext.elb === undefined &&
    event.requestContext.connectionId === undefined &&
    (typeof event.resource === 'string' || typeof event.requestContext.resourcePath === 'string'),
  extract(event, settings) {
    const rc = objectAt(event.requestContext);
    const stage = text(rc.stage);
    return httpTrigger(
      {
        source: this.source,
        method: text(event.httpMethod),
        route: text(event.resource) ?? text(rc.resourcePath),
        path: text(event.path) ?? text(rc.path),
        rawQuery: encodeQueryParameters(event.queryStringParameters, event.multiValueQueryStringParameters),
        headers: normalizeHeaders(event.headers, event.multiValueHeaders),
        clientAddress: text(objectAt(rc.identity).sourceIp),
        serverAddress: text(rc.domainName),
        protocol: text(rc.protocol),
        extra: stage ? { [ATTR_LAMBDA_OTEL_API_GATEWAY_STAGE]: stage } : undefined,
      },
      settings,
    );
  },
};
