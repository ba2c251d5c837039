// A streamed response (Response-Mode: streaming, chunked): the bytes, the trailers that carry a
// mid-stream error, and the http-integration prelude (JSON, then 8 NUL bytes) when present.
import type { IncomingMessage } from 'node:http';
import { header } from '../../http/server.ts';
import type { InvocationStatus, StreamedResponse } from '../../types.ts';
import { platformErrorType } from './error-type.ts';

const streamLimitBytes = 200 * 1024 * 1024;
const httpIntegrationType = 'application/vnd.awslambda.http-integration-response';
const preludeSeparator = Buffer.alloc(8);

export interface StreamOutcome {
  status: InvocationStatus;
  response: string;
  errorType?: string;
  errorMessage?: string;
  platformErrorType?: string;
  streamed: StreamedResponse;
  producedBytes: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text when it is valid UTF-8, else base64: never a lossy decoding. */
function bodyText(body: Buffer): { text: string; encoding: 'utf8' | 'base64' } {
  try {
    return { text: strictUtf8.decode(body), encoding: 'utf8' };
  } catch {
    return { text: body.toString('base64'), encoding: 'base64' };
  }
}

/** `onChunk` sees every chunk as it arrives (the relay of InvokeWithResponseStream). */
export function readStreamedResponse(req: IncomingMessage, onChunk?: (chunk: Buffer) => void): Promise<StreamOutcome> {
  const contentType = header(req, 'Content-Type') ?? 'application/octet-stream';
  return new Promise((resolveStream) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= streamLimitBytes) {
        chunks.push(chunk);
        onChunk?.(chunk);
      }
    });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (!req.complete) truncated = true;
      const body = Buffer.concat(chunks);
      const trailers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.trailers)) if (value !== undefined) trailers[name] = value;
      let content = body;
      const streamed: StreamedResponse = { contentType, trailers };
      if (contentType === httpIntegrationType) {
        const at = body.indexOf(preludeSeparator);
        if (at >= 0) {
          const preludeText = body.subarray(0, at).toString('utf8');
          try {
            streamed.prelude = JSON.parse(preludeText);
          } catch {
            streamed.prelude = preludeText;
          }
          content = body.subarray(at + preludeSeparator.length);
        }
      }
      // A binary body is kept whole, in base64.
      const { text: response, encoding } = bodyText(content);
      streamed.encoding = encoding;
      const outcome: StreamOutcome = { status: 'success', response, streamed, producedBytes: size };
      const errorType = trailers['lambda-runtime-function-error-type'];
      if (errorType) {
        outcome.status = 'error';
        outcome.errorType = errorType;
        outcome.errorMessage = decodeErrorBody(trailers['lambda-runtime-function-error-body']);
        outcome.platformErrorType = platformErrorType(errorType);
      } else if (size > streamLimitBytes) {
        outcome.status = 'error';
        outcome.errorType = 'Function.ResponseSizeTooLarge';
        outcome.errorMessage = `Response payload size exceeded maximum allowed payload size (${streamLimitBytes} bytes).`;
      } else if (truncated) {
        outcome.status = 'error';
        outcome.errorType = 'Runtime.TruncatedResponse';
        outcome.errorMessage = 'The response stream ended before it was complete';
      }
      resolveStream(outcome);
    };
    req.on('end', finish);
    req.on('close', finish);
  });
}

/** Error-Body trailer: base64 of JSON {errorType, errorMessage, trace}. */
function decodeErrorBody(value: string | undefined): string {
  if (!value) return '';
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : '';
  } catch {
    return Buffer.from(value, 'base64').toString('utf8');
  }
}
