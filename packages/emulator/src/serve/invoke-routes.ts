// AWS Lambda's Invoke API on loopback, for one function: what AWS's SDKs, the CLI and anything that
// speaks the API can call.
//   POST /2015-03-31/functions/{name}/invocations                   Invoke
//   POST /2021-11-15/functions/{name}/response-streaming-invocations InvokeWithResponseStream
// {name} is the function's name, its ARN (qualified with $LATEST or not), or `function` as AWS's
// Runtime Interface Emulator names it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../errors.ts';
import { header, readBody, type Route } from '../http/server.ts';
import { invokePayloadLimitBytes } from '../invoke/invocation.ts';
import type { LambdaEnvironment } from '../lambda-environment.ts';
import type { InvokeOptions, RuntimeResponse } from '../types.ts';
import { invokeComplete, payloadChunk } from './event-stream.ts';
import { isServedFunction, parseFunctionName, requestedArn } from './function-name.ts';
import { InvokeApiError, invokeErrors, sendInvokeError } from './invoke-errors.ts';

/** Lambda's limit on an asynchronous (Event) invocation's payload: 1 MB. */
export const eventPayloadLimitBytes = 1024 * 1024;
const executedVersion = '$LATEST';

type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export function invokeApiRoutes(lambda: LambdaEnvironment): Route[] {
  return [
    {
      method: 'POST',
      path: /^\/2015-03-31\/functions\/([^/]+)\/invocations$/,
      handle: ({ req, res, params }) => answering(res, () => invoke(lambda, req, res, params[0]!)),
    },
    {
      method: 'POST',
      path: /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations$/,
      handle: ({ req, res, params }) => answering(res, () => invokeWithResponseStream(lambda, req, res, params[0]!)),
    },
  ];
}

async function answering(res: ServerResponse, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof InvokeApiError) sendInvokeError(res, error);
    else if (error instanceof ApiError) sendInvokeError(res, new InvokeApiError(error.status, error.errorType, error.message));
    else sendInvokeError(res, invokeErrors.service((error as Error)?.message ?? String(error)));
  }
}

async function invoke(lambda: LambdaEnvironment, req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const request = await readInvokeRequest(lambda, req, name, ['RequestResponse', 'Event', 'DryRun']);
  if (request.type === 'DryRun') {
    res.writeHead(204, { 'X-Amz-Executed-Version': executedVersion });
    res.end();
    return;
  }
  if (request.type === 'Event') {
    // Queued behind whatever runs, in arrival order; the caller only learns it was accepted.
    lambda.invoke(request.payload, request.options).catch(() => undefined);
    res.writeHead(202, { 'X-Amz-Executed-Version': executedVersion, 'Content-Length': 0 });
    res.end();
    return;
  }
  // The caller gets the response as soon as the runtime has answered, as from Lambda: the extensions'
  // work after it does not delay it. Tail logs need the REPORT line, so they wait for the invocation.
  const chunks: Buffer[] = [];
  let answered: (answer: RuntimeResponse) => void = () => undefined;
  const answer = new Promise<RuntimeResponse>((resolveAnswer) => (answered = resolveAnswer));
  const invocation = lambda.invoke(request.payload, {
    ...request.options,
    onResponseChunk: (chunk) => chunks.push(chunk),
    onResponse: (response) => answered(response),
  });
  const outcome: RuntimeResponse = request.tail ? await invocation : await Promise.race([answer, invocation]);
  const body = outcome.status === 'success' ? Buffer.concat(chunks) : Buffer.from(JSON.stringify(errorPayload(outcome)));
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': body.length,
    'X-Amz-Executed-Version': executedVersion,
    'X-Amzn-RequestId': outcome.requestId,
  };
  if (outcome.status !== 'success') headers['X-Amz-Function-Error'] = 'Unhandled';
  if (request.tail) headers['X-Amz-Log-Result'] = Buffer.from(lambda.logTail(outcome.requestId)).toString('base64');
  res.writeHead(200, headers);
  res.end(body);
  await invocation;
}

async function invokeWithResponseStream(lambda: LambdaEnvironment, req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const request = await readInvokeRequest(lambda, req, name, ['RequestResponse', 'DryRun']);
  if (request.type === 'DryRun') {
    res.writeHead(204, { 'X-Amz-Executed-Version': executedVersion });
    res.end();
    return;
  }
  // The stream starts at once; every piece the handler writes goes out as it comes.
  res.writeHead(200, { 'Content-Type': 'application/vnd.amazon.eventstream', 'X-Amz-Executed-Version': executedVersion });
  res.flushHeaders();
  let answered: (answer: RuntimeResponse) => void = () => undefined;
  const answer = new Promise<RuntimeResponse>((resolveAnswer) => (answered = resolveAnswer));
  const invocation = lambda.invoke(request.payload, {
    ...request.options,
    onResponseChunk: (chunk) => res.write(payloadChunk(chunk)),
    onResponse: (response) => answered(response),
  });
  // The stream completes when the runtime's response does (with Tail, once the REPORT line is written).
  const result: RuntimeResponse = request.tail ? await invocation : await Promise.race([answer, invocation]);
  const complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } = {};
  if (result.status !== 'success') {
    complete.ErrorCode = result.errorType ?? 'Unhandled';
    complete.ErrorDetails = result.errorMessage ?? '';
  }
  if (request.tail) complete.LogResult = Buffer.from(lambda.logTail(result.requestId)).toString('base64');
  res.end(invokeComplete(complete));
  await invocation;
}

/** What the caller of a failed invocation receives: the function's error object, else type and message. */
function errorPayload(result: RuntimeResponse): unknown {
  const response = result.response;
  if (typeof response === 'object' && response !== null && !Array.isArray(response)) return response;
  return { errorType: result.errorType ?? 'Runtime.Unknown', errorMessage: result.errorMessage ?? '' };
}

interface InvokeRequest {
  type: InvocationType;
  payload: Buffer;
  tail: boolean;
  options: InvokeOptions;
}

async function readInvokeRequest(lambda: LambdaEnvironment, req: IncomingMessage, name: string, allowed: InvocationType[]): Promise<InvokeRequest> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const requested = parseFunctionName(name, url.searchParams.get('Qualifier') ?? undefined);
  if (!isServedFunction(requested, lambda.config)) throw invokeErrors.functionNotFound(requestedArn(requested, lambda.config));
  const type = (header(req, 'X-Amz-Invocation-Type') ?? 'RequestResponse') as InvocationType;
  if (!allowed.includes(type)) {
    req.resume();
    throw invokeErrors.invalidParameter(`X-Amz-Invocation-Type ${JSON.stringify(type)} is not one of ${allowed.join(', ')}`);
  }
  const limit = type === 'Event' ? eventPayloadLimitBytes : invokePayloadLimitBytes;
  const declared = Number(header(req, 'Content-Length') ?? 0);
  if (declared > limit) {
    req.resume();
    throw invokeErrors.tooLarge(declared, limit);
  }
  let payload: Buffer;
  try {
    payload = await readBody(req, limit);
  } catch (error) {
    if (error instanceof ApiError && error.status === 413) throw invokeErrors.tooLarge(limit + 1, limit);
    throw error;
  }
  if (payload.length === 0) payload = Buffer.from('{}');
  try {
    JSON.parse(payload.toString('utf8'));
  } catch {
    throw invokeErrors.invalidContent('Could not parse request body into json: the payload is not valid JSON');
  }
  const logType = header(req, 'X-Amz-Log-Type') ?? 'None';
  if (logType !== 'None' && logType !== 'Tail') throw invokeErrors.invalidParameter(`X-Amz-Log-Type ${JSON.stringify(logType)} is not None or Tail`);
  const options: InvokeOptions = {};
  const clientContext = header(req, 'X-Amz-Client-Context');
  if (clientContext) {
    try {
      options.clientContext = JSON.parse(Buffer.from(clientContext, 'base64').toString('utf8'));
    } catch {
      throw invokeErrors.invalidParameter('X-Amz-Client-Context is not base64-encoded JSON');
    }
  }
  const tenantId = header(req, 'X-Amz-Tenant-Id');
  if (tenantId) options.tenantId = tenantId;
  return { type, payload, tail: logType === 'Tail' && type === 'RequestResponse', options };
}
