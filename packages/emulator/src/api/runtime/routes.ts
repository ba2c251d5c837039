// Runtime API 2018-06-01: next, response (buffered or streamed), error, init/error.
import type { IncomingMessage } from 'node:http';
import { apiErrors, ApiError } from '../../errors.ts';
import { header, readBody, sendError, sendJson, type Route } from '../../http/server.ts';
import { decodeBody, type Invocation } from '../../invoke/invocation.ts';
import type { Sandbox } from '../../sandbox/lifecycle.ts';
import { platformErrorType } from './error-type.ts';
import { readStreamedResponse } from './streamed-response.ts';

const accepted = { status: 'OK' } as const;
/** A buffered response past this is refused (RIE interop.MaxPayloadSize: 6 MiB + 100 B). */
export const bufferedResponseLimitBytes = 6 * 1024 * 1024 + 100;

export function runtimeRoutes(current: () => Sandbox | undefined): Route[] {
  const currentSandbox = (): Sandbox => {
    const found = current();
    if (!found || found.state.phase === 'gone') throw apiErrors.invalidStateTransition('there is no execution environment');
    return found;
  };
  return [
    {
      method: 'GET',
      path: /^\/2018-06-01\/runtime\/invocation\/next$/,
      handle: ({ res }) => currentSandbox().runtime.next(res),
    },
    {
      method: 'POST',
      path: /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/response$/,
      handle: async ({ req, res, params }) => {
        const sandbox = currentSandbox();
        const invocation = sandbox.runtime.answerable(params[0]!);
        const mode = header(req, 'Lambda-Runtime-Function-Response-Mode');
        if (mode !== undefined && mode.toLowerCase() !== 'streaming') {
          req.resume();
          const error = apiErrors.invalidResponseMode(mode);
          sandbox.runtime.respond(invocation, rejected('Runtime.InvalidResponseModeHeader', error.message));
          sendError(res, error);
          return;
        }
        sandbox.runtime.markResponseStarted(invocation);
        if (mode !== undefined) {
          const outcome = await readStreamedResponse(req, invocation.options.onResponseChunk);
          sandbox.runtime.respond(invocation, outcome);
          sendJson(res, 202, accepted);
          return;
        }
        let body: Buffer;
        try {
          body = await readBody(req, bufferedResponseLimitBytes);
        } catch (error) {
          if (error instanceof ApiError && error.status === 413) {
            const message = `Response payload size exceeded maximum allowed payload size (${bufferedResponseLimitBytes} bytes).`;
            sandbox.runtime.respond(invocation, rejected('Function.ResponseSizeTooLarge', message));
          }
          throw error;
        }
        invocation.options.onResponseChunk?.(body);
        sandbox.runtime.respond(invocation, { status: 'success', response: decodeBody(body), producedBytes: body.length });
        sendJson(res, 202, accepted);
      },
    },
    {
      method: 'POST',
      path: /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/error$/,
      handle: async ({ req, res, params }) => {
        const sandbox = currentSandbox();
        const invocation: Invocation = sandbox.runtime.answerable(params[0]!, true);
        const report = await readErrorReport(req);
        sandbox.runtime.respond(invocation, {
          status: 'error',
          response: report.payload,
          errorType: report.errorType,
          errorMessage: report.errorMessage,
          platformErrorType: report.platformErrorType,
          producedBytes: 0,
        });
        sendJson(res, 202, accepted);
      },
    },
    {
      method: 'POST',
      path: /^\/2018-06-01\/runtime\/init\/error$/,
      handle: async ({ req, res }) => {
        const sandbox = currentSandbox();
        const { errorType, errorMessage, platformErrorType } = await readErrorReport(req);
        sandbox.runtime.initErrorPosted({ errorType, errorMessage, platformErrorType });
        sendJson(res, 202, accepted);
      },
    },
  ];
}

function rejected(errorType: string, errorMessage: string) {
  return {
    status: 'error' as const,
    response: { errorType, errorMessage },
    errorType,
    errorMessage,
    platformErrorType: errorType,
    producedBytes: 0,
    allowLateError: true,
  };
}

const errorCauseContentType = 'application/vnd.aws.lambda.error.cause+json';

interface ErrorReport {
  /** The function's own error type (the body's errorType, else the header). */
  errorType: string;
  errorMessage: string;
  /** What the caller receives. */
  payload: unknown;
  platformErrorType: string;
}

/**
 * An error report: the optional Lambda-Runtime-Function-Error-Type header and a JSON body
 * `{errorMessage, errorType, stackTrace | trace}`. With the error-cause content type the body also
 * carries errorCause, which is for X-Ray and is left out of what the caller receives. A body that is
 * not JSON is kept as the message.
 */
async function readErrorReport(req: IncomingMessage): Promise<ErrorReport> {
  const raw = await readBody(req, 1024 * 1024);
  const headerType = header(req, 'Lambda-Runtime-Function-Error-Type');
  let payload: unknown = raw.toString('utf8');
  try {
    payload = JSON.parse(raw.toString('utf8'));
  } catch {
    // not JSON: the text stands as the message
  }
  const body = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  if (header(req, 'Content-Type')?.split(';')[0]?.trim() === errorCauseContentType && 'errorCause' in body) {
    const { errorCause: _xrayOnly, ...forCaller } = body;
    payload = forCaller;
  }
  const errorType = typeof body.errorType === 'string' && body.errorType !== '' ? body.errorType : (headerType ?? 'Runtime.Unknown');
  const errorMessage = typeof body.errorMessage === 'string' ? body.errorMessage : typeof payload === 'string' ? payload : '';
  return { errorType, errorMessage, payload, platformErrorType: platformErrorType(headerType) };
}
