// Extensions API payloads, as a discriminated union on eventType.
import type { ShutdownReason } from '../../types.ts';

export const extensionEventTypes = ['INVOKE', 'SHUTDOWN'] as const;
export type ExtensionEventType = (typeof extensionEventTypes)[number];

export type ExtensionEvent =
  | {
      eventType: 'INVOKE';
      deadlineMs: number;
      requestId: string;
      invokedFunctionArn: string;
      tracing?: { type: 'X-Amzn-Trace-Id'; value: string };
    }
  | { eventType: 'SHUTDOWN'; deadlineMs: number; shutdownReason: ShutdownReason };

export interface RegisterRequest {
  events: ExtensionEventType[];
}
