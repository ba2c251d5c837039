import { ATTR_LAMBDA_OTEL_ELB_TARGET_GROUP_ARN } from '../attributes.ts';
import { isObject, objectAt, text, type TriggerExtractor } from './trigger.ts';
import { httpTrigger, normalizeHeaders } from './http-common.ts';

/** Application Load Balancer target: `requestContext.elb.targetGroupArn`. Query values arrive still encoded. */
export const alb: TriggerExtractor = {
  source: 'alb',
  matches: (event) => isObject(event) && isObject(event.requestContext) && isObject(event.requestContext.elb),
  extract(event, settings) {
    const query = event.multiValueQueryStringParameters ?? event.queryStringParameters;
    const pairs: string[] = [];
    if (isObject(query)) {
      for (const [key, value] of Object.entries(query)) {
        for (const item of Array.isArray(value) ? value : [value]) pairs.push(`${key}=${String(item)}`);
      }
    }
    const targetGroupArn = text(objectAt(objectAt(event.requestContext).elb).targetGroupArn);
    return httpTrigger(
      {
        source: this.source,
        method: text(event.httpMethod),
        route: undefined,
        path: text(event.path),
        rawQuery: pairs.join('&'),
        headers: normalizeHeaders(event.headers, event.multiValueHeaders),
        clientAddress: undefined,
        serverAddress: undefined,
        extra: targetGroupArn ? { [ATTR_LAMBDA_OTEL_ELB_TARGET_GROUP_ARN]: targetGroupArn } : undefined,
      },
      settings,
    );
  },
};
