// Telemetry API 2022-07-01: PUT /telemetry subscribes an extension (during init only).
import { apiErrors } from '../../errors.ts';
import { readBody, sendJson, type Route } from '../../http/server.ts';
import type { Sandbox } from '../../sandbox/lifecycle.ts';
import { lookup } from '../extensions/routes.ts';
import { parseSubscription } from './subscribe.ts';

export function telemetryRoutes(current: () => Sandbox | undefined): Route[] {
  return [
    {
      method: 'PUT',
      path: /^\/2022-07-01\/telemetry\/?$/,
      handle: async ({ req, res }) => {
        const raw = await readBody(req, 64 * 1024);
        const { sandbox, ext } = lookup(req, current);
        if (!sandbox.state.subscriptionsOpen) throw apiErrors.subscriptionClosed();
        const subscription = parseSubscription(raw, sandbox.managedInstances);
        sandbox.extensions.subscribe(ext, subscription);
        sendJson(res, 200, 'OK');
      },
    },
  ];
}
