import type { Attributes } from '@opentelemetry/api';
import { SDK_INFO } from '@opentelemetry/core';

type Env = Readonly<Record<string, string | undefined>>;

const MIB = 1024 * 1024;

/** The account id in `arn:aws:lambda:<region>:<account>:function:<name>[:alias]`. */
export function accountIdFromArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * Resource attributes for the function. OTEL_RESOURCE_ATTRIBUTES entries override the detected ones;
 * `service.name` is OTEL_SERVICE_NAME (or the option), else the one in OTEL_RESOURCE_ATTRIBUTES, else the
 * function name.
 */
export function lambdaResourceAttributes(input: {
  env: Env;
  serviceName: string | undefined;
  resourceAttributes: Readonly<Attributes>;
  invokedFunctionArn: string | undefined;
  logStreamName: string | undefined;
}): Attributes {
  const { env } = input;
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME;
  const memoryMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const detected: Attributes = { ...SDK_INFO, 'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda' };
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region) detected['cloud.region'] = region;
  const account = accountIdFromArn(input.invokedFunctionArn);
  if (account) detected['cloud.account.id'] = account;
  if (functionName) detected['faas.name'] = functionName;
  if (env.AWS_LAMBDA_FUNCTION_VERSION) detected['faas.version'] = env.AWS_LAMBDA_FUNCTION_VERSION;
  const instance = input.logStreamName ?? env.AWS_LAMBDA_LOG_STREAM_NAME;
  if (instance) detected['faas.instance'] = instance;
  if (Number.isFinite(memoryMb) && memoryMb > 0) detected['faas.max_memory'] = memoryMb * MIB;
  if (env.AWS_LAMBDA_LOG_GROUP_NAME) detected['aws.log.group.names'] = [env.AWS_LAMBDA_LOG_GROUP_NAME];
  const serviceName = input.serviceName ?? input.resourceAttributes['service.name'] ?? functionName ?? 'unknown_service:lambda';
  return { ...detected, ...input.resourceAttributes, 'service.name': serviceName };
}
