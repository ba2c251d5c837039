import type { Attributes } from '@opentelemetry/api';
import { SDK_INFO } from '@opentelemetry/core';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  ATTR_AWS_LOG_GROUP_NAMES,
  ATTR_CLOUD_ACCOUNT_ID,
  ATTR_CLOUD_PLATFORM,
  ATTR_CLOUD_PROVIDER,
  ATTR_CLOUD_REGION,
  ATTR_FAAS_INSTANCE,
  ATTR_FAAS_MAX_MEMORY,
  ATTR_FAAS_NAME,
  ATTR_FAAS_VERSION,
  CLOUD_PLATFORM_VALUE_AWS_LAMBDA,
  CLOUD_PROVIDER_VALUE_AWS,
} from '@opentelemetry/semantic-conventions/incubating';

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
  const detected: Attributes = { ...SDK_INFO, [ATTR_CLOUD_PROVIDER]: CLOUD_PROVIDER_VALUE_AWS, [ATTR_CLOUD_PLATFORM]: CLOUD_PLATFORM_VALUE_AWS_LAMBDA };
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region) detected[ATTR_CLOUD_REGION] = region;
  const account = accountIdFromArn(input.invokedFunctionArn);
  if (account) detected[ATTR_CLOUD_ACCOUNT_ID] = account;
  if (functionName) detected[ATTR_FAAS_NAME] = functionName;
  if (env.AWS_LAMBDA_FUNCTION_VERSION) detected[ATTR_FAAS_VERSION] = env.AWS_LAMBDA_FUNCTION_VERSION;
  const instance = input.logStreamName ?? env.AWS_LAMBDA_LOG_STREAM_NAME;
  if (instance) detected[ATTR_FAAS_INSTANCE] = instance;
  if (Number.isFinite(memoryMb) && memoryMb > 0) detected[ATTR_FAAS_MAX_MEMORY] = memoryMb * MIB;
  if (env.AWS_LAMBDA_LOG_GROUP_NAME) detected[ATTR_AWS_LOG_GROUP_NAMES] = [env.AWS_LAMBDA_LOG_GROUP_NAME];
  const serviceName = input.serviceName ?? input.resourceAttributes[ATTR_SERVICE_NAME] ?? functionName ?? 'unknown_service:lambda';
  return { ...detected, ...input.resourceAttributes, [ATTR_SERVICE_NAME]: serviceName };
}
