// The frames of InvokeWithResponseStream's `application/vnd.amazon.eventstream` body: a
// `PayloadChunk` event per piece of the response, then one `InvokeComplete` event. The framing
// (prelude, headers, CRCs) is the AWS SDK's own codec.
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  (text: string) => Buffer.from(text, 'utf8'),
);

function eventHeaders(eventType: string, contentType: string): MessageHeaders {
  return {
    ':event-type': { type: 'string', value: eventType },
    ':message-type': { type: 'string', value: 'event' },
    ':content-type': { type: 'string', value: contentType },
  };
}

export function payloadChunk(bytes: Uint8Array): Buffer {
  return Buffer.from(codec.encode({ headers: eventHeaders('PayloadChunk', 'application/octet-stream'), body: bytes }));
}

export interface InvokeComplete {
  ErrorCode?: string;
  ErrorDetails?: string;
  LogResult?: string;
}

export function invokeComplete(complete: InvokeComplete): Buffer {
  const body = Buffer.from(JSON.stringify(complete));
  return Buffer.from(codec.encode({ headers: eventHeaders('InvokeComplete', 'application/json'), body }));
}
