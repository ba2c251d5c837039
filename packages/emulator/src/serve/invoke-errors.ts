// Errors of the Invoke API in its REST-JSON shape: the HTTP status, `X-Amzn-ErrorType: <code>` and a
// `{"Type": "User", "message": …}` body, which AWS's SDK clients turn into the named exception.
import type { ServerResponse } from 'node:http';

export class InvokeApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const invokeErrors = {
  functionNotFound: (arn: string) => new InvokeApiError(404, 'ResourceNotFoundException', `Function not found: ${arn}`),
  invalidParameter: (message: string) => new InvokeApiError(400, 'InvalidParameterValueException', message),
  invalidContent: (message: string) => new InvokeApiError(400, 'InvalidRequestContentException', message),
  tooLarge: (size: number, limit: number) =>
    new InvokeApiError(413, 'RequestEntityTooLargeException', `${size} byte payload is too large for the Invoke operation (limit ${limit} bytes)`),
  service: (message: string) => new InvokeApiError(500, 'ServiceException', message),
} as const;

export function sendInvokeError(res: ServerResponse, error: InvokeApiError): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ Type: error.status >= 500 ? 'Service' : 'User', message: error.message });
  res.writeHead(error.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'X-Amzn-ErrorType': error.code,
  });
  res.end(body);
}
