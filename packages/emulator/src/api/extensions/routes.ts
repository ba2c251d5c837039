// Extensions API 2020-01-01: register, event/next, init/error, exit/error.
import type { IncomingMessage } from 'node:http';
import { apiErrors } from '../../errors.ts';
import { header, readBody, sendJson, type Route } from '../../http/server.ts';
import type { EmulatorConfig } from '../../config.ts';
import type { ExtensionState, Sandbox } from '../../sandbox/lifecycle.ts';
import { extensionEventTypes, type ExtensionEventType } from './events.ts';

export function extensionRoutes(current: () => Sandbox | undefined): Route[] {
  return [
    {
      method: 'POST',
      path: /^\/2020-01-01\/extension\/register$/,
      handle: async ({ req, res }) => {
        const name = header(req, 'Lambda-Extension-Name')?.trim();
        const raw = await readBody(req, 64 * 1024);
        if (!name) throw apiErrors.invalidExtensionName();
        const events = parseRegisterBody(raw);
        const sandbox = current();
        if (!sandbox) throw apiErrors.registrationClosed();
        const ext = sandbox.extensions.register(name, events);
        const features = (header(req, 'Lambda-Extension-Accept-Feature') ?? '').split(',').map((feature) => feature.trim());
        const config = sandbox.config;
        const body: Record<string, string> = { functionName: config.functionName, functionVersion: '$LATEST', handler: config.handler };
        if (features.includes('accountId')) body.accountId = config.accountId;
        sendJson(res, 200, body, { 'Lambda-Extension-Identifier': ext.id });
      },
    },
    {
      method: 'GET',
      path: /^\/2020-01-01\/extension\/event\/next$/,
      handle: ({ req, res }) => {
        const { sandbox, ext } = lookup(req, current);
        sandbox.extensions.next(ext, res);
      },
    },
    {
      method: 'POST',
      path: /^\/2020-01-01\/extension\/(init|exit)\/error$/,
      handle: async ({ req, res, params }) => {
        const { sandbox, ext } = lookup(req, current);
        const errorType = header(req, 'Lambda-Extension-Function-Error-Type');
        const raw = await readBody(req, 1024 * 1024);
        if (!errorType) throw apiErrors.missingHeader('Lambda-Extension-Function-Error-Type');
        let message = '';
        try {
          const body = JSON.parse(raw.toString('utf8')) as { errorMessage?: unknown };
          if (typeof body?.errorMessage === 'string') message = body.errorMessage;
        } catch {
          message = raw.toString('utf8');
        }
        sandbox.extensions.reportError(ext, params[0] as 'init' | 'exit', errorType, message);
        sendJson(res, 202, { status: 'OK' });
      },
    },
  ];
}

/** With /opt/disable-extensions-jwigqn8j, the Extensions and Telemetry APIs answer 404, as in Lambda. */
export function whenExtensionsEnabled(config: EmulatorConfig, routes: Route[]): Route[] {
  if (!config.extensionsDisabled) return routes;
  return routes.map((route) => ({
    ...route,
    handle: () => {
      throw apiErrors.extensionsDisabled();
    },
  }));
}

/** The extension a request's Lambda-Extension-Identifier names (403 with the precise code otherwise). */
export function lookup(req: IncomingMessage, current: () => Sandbox | undefined): { sandbox: Sandbox; ext: ExtensionState } {
  const id = header(req, 'Lambda-Extension-Identifier');
  const sandbox = current();
  if (!sandbox) {
    if (!id) throw apiErrors.missingIdentifier();
    throw apiErrors.unknownIdentifier();
  }
  return { sandbox, ext: sandbox.extensions.lookup(id) };
}

function parseRegisterBody(raw: Buffer): ExtensionEventType[] {
  let body: unknown;
  try {
    body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  } catch {
    throw apiErrors.invalidRequestFormat('The register body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw apiErrors.invalidRequestFormat('The register body must be a JSON object');
  const fields = body as Record<string, unknown>;
  if ('configurationKeys' in fields) throw apiErrors.invalidRequestFormat('configurationKeys is not supported');
  const events = fields.events ?? [];
  if (!Array.isArray(events)) throw apiErrors.invalidRequestFormat('events must be an array');
  for (const event of events) {
    if (!extensionEventTypes.includes(event)) throw apiErrors.invalidEventType(`Unknown event type ${JSON.stringify(event)}`);
  }
  return [...new Set(events as ExtensionEventType[])];
}
