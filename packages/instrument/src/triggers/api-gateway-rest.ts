import { isObject, type TriggerExtractor } from './trigger.ts';
import { encodeQueryParameters, httpTrigger, normalizeHeaders } from './http-common.ts';

/** API Gateway REST API (payload format 1.0): `httpMethod`, `resource`, `requestContext.resourcePath`. */
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
    const rc = event.requestContext;
    return httpTrigger(
      {
        source: this.source,
        method: event.httpMethod,
        route: rc.resourcePath ?? event.resource,
        path: event.path ?? rc.path,
        rawQuery: encodeQueryParameters(event.queryStringParameters, event.multiValueQueryStringParameters),
        headers: normalizeHeaders(event.headers, event.multiValueHeaders),
        clientAddress: rc.identity?.sourceIp,
        serverAddress: rc.domainName,
        extra: rc.stage ? { 'aws.api_gateway.stage': rc.stage } : undefined,
      },
      settings,
    );
  },
};
