import { isObject, type TriggerExtractor } from './trigger.ts';
import { httpTrigger, normalizeHeaders } from './http-common.ts';

function isV2(event: unknown): event is Record<string, any> {
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
    const rc = event.requestContext;
    const headers = normalizeHeaders(event.headers);
    if (Array.isArray(event.cookies) && event.cookies.length > 0) headers.cookie = event.cookies.join('; ');
    return httpTrigger(
      {
        source: this.source,
        method: rc.http.method,
        route: routeFromKey(event.routeKey ?? rc.routeKey),
        path: event.rawPath ?? rc.http.path,
        rawQuery: typeof event.rawQueryString === 'string' ? event.rawQueryString : '',
        headers,
        clientAddress: rc.http.sourceIp,
        serverAddress: rc.domainName,
        extra: rc.stage ? { 'aws.api_gateway.stage': rc.stage } : undefined,
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
    const rc = event.requestContext;
    return httpTrigger(
      {
        source: this.source,
        method: rc.http.method,
        route: undefined,
        path: event.rawPath ?? rc.http.path,
        rawQuery: typeof event.rawQueryString === 'string' ? event.rawQueryString : '',
        headers: normalizeHeaders(event.headers),
        clientAddress: rc.http.sourceIp,
        serverAddress: rc.domainName,
      },
      settings,
      200,
    );
  },
};
