import { ATTR_LAMBDA_OTEL_API_GATEWAY_STAGE } from '../attributes.ts';
import { isObject, objectAt, text, type EventRecord, type TriggerExtractor } from './trigger.ts';
import { httpTrigger, normalizeHeaders } from './http-common.ts';

function isV2(event: unknown): event is EventRecord & { requestContext: EventRecord & { http: EventRecord } } {
  return isObject(event) && event.version === '2.0' && isObject(event.requestContext) && isObject(event.requestContext.http);
}

function isFunctionUrlDomain(domain: unknown): boolean {
  return typeof domain === 'string' && /\.lambda-url\.[a-z0-9-]+\.on\.aws$/.test(domain);
}

/** `GET /items/{id}` → `/items/{id}`; `$default` and `ANY /{proxy+}` style keys keep their path part. */
function routeFromKey(routeKey: unknown): string | undefined {
  if (typeof routeKey !== 'string' || routeKey === '$default') return undefined;
  const space = routeKey.indexOf(' ');
  return space >= 0 ? routeKey.slice(space + 1) : routeKey;
}

/** API Gateway HTTP API (payload format 2.0), excluding Function URLs. */
export const apiGatewayHttp: TriggerExtractor = {
  source: 'api-gateway-http',
  matches: (event) => isV2(event) && !isFunctionUrlDomain(event.requestContext.domainName),
  extract(event, settings) {
    const rc = objectAt(event.requestContext);
    const http = objectAt(rc.http);
    const headers = normalizeHeaders(event.headers);
    if (Array.isArray(event.cookies) && event.cookies.length > 0) headers.cookie = event.cookies.join('; ');
    const stage = text(rc.stage);
    return httpTrigger(
      {
        source: this.source,
        method: text(http.method),
        route: routeFromKey(event.routeKey ?? rc.routeKey),
        path: text(event.rawPath) ?? text(http.path),
        rawQuery: text(event.rawQueryString) ?? '',
        headers,
        clientAddress: text(http.sourceIp),
        serverAddress: text(rc.domainName),
        protocol: text(http.protocol),
        extra: stage ? { [ATTR_LAMBDA_OTEL_API_GATEWAY_STAGE]: stage } : undefined,
      },
      settings,
      200,
    );
  },
};

/** Lambda Function URL: payload format 2.0 on a `*.lambda-url.<region>.on.aws` domain; no routes. */
export const functionUrl: TriggerExtractor = {
  source: 'function-url',
  matches: (event) => isV2(event) && isFunctionUrlDomain(event.requestContext.domainName),
  extract(event, settings) {
    const rc = objectAt(event.requestContext);
    const http = objectAt(rc.http);
    return httpTrigger(
      {
        source: this.source,
        method: text(http.method),
        route: undefined,
        path: text(event.rawPath) ?? text(http.path),
        rawQuery: text(event.rawQueryString) ?? '',
        headers: normalizeHeaders(event.headers),
        clientAddress: text(http.sourceIp),
        serverAddress: text(rc.domainName),
        protocol: text(http.protocol),
      },
      settings,
      200,
    );
  },
};
