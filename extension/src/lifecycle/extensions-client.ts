/**
 * The Extensions API (/2020-01-01) and the Telemetry API subscription (/2022-07-01) as seen from
 * an external extension: register, ask for the next event, report an init or exit error, subscribe.
 * Events are a discriminated union on `eventType`.
 */
import http from 'node:http';

export type ExtensionEventType = 'INVOKE' | 'SHUTDOWN';

export interface InvokeEvent {
  readonly eventType: 'INVOKE';
  readonly requestId: string;
  /** Epoch ms by which the invocation (including the extension's post-invoke work) must end. */
  readonly deadlineMs: number;
  readonly invokedFunctionArn?: string;
  /** The X-Ray trace header of the invocation (`Root=…;Parent=…;Sampled=…`), when traced. */
  readonly traceHeader?: string;
}

export interface ShutdownEvent {
  readonly eventType: 'SHUTDOWN';
  readonly deadlineMs: number;
  /** Lowercased: spindown | timeout | failure (the wire value may be upper case). */
  readonly shutdownReason: string;
}

export type ExtensionEvent = InvokeEvent | ShutdownEvent;

export interface Registration {
  readonly extensionId: string;
  readonly functionName?: string;
  readonly functionVersion?: string;
  readonly handler?: string;
}

export interface TelemetrySubscription {
  readonly schemaVersion: string;
  readonly types: readonly string[];
  readonly uri: string;
  readonly buffering: { readonly maxItems: number; readonly maxBytes: number; readonly timeoutMs: number };
}

export class ExtensionsApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ExtensionsApiError';
    this.status = status;
  }
}

export class ExtensionsClient {
  readonly #host: string;
  readonly #port: number;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  #extensionId: string | undefined;
  #onFirstEvent: (() => void) | undefined;

  /** `runtimeApi` is AWS_LAMBDA_RUNTIME_API (host:port). */
  constructor(runtimeApi: string) {
    const at = runtimeApi.lastIndexOf(':');
    this.#host = at > 0 ? runtimeApi.slice(0, at) : runtimeApi;
    this.#port = at > 0 ? Number(runtimeApi.slice(at + 1)) : 80;
  }

  get extensionId(): string | undefined {
    return this.#extensionId;
  }

  /**
   * Goes on with a registration the launcher made (fast start): the identifier it was given. The
   * launcher registered for the same events `register` would have asked for.
   */
  adopt(extensionId: string): void {
    this.#extensionId = extensionId;
  }

  /** Runs `callback` once, as soon as the first event has arrived (init is over by then). */
  onFirstEvent(callback: () => void): void {
    this.#onFirstEvent = callback;
  }

  async register(name: string, events: readonly ExtensionEventType[]): Promise<Registration> {
    const response = await this.#request('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': name }, { events });
    const id = response.headers['lambda-extension-identifier'];
    if (typeof id !== 'string' || id === '') throw new ExtensionsApiError('register: no Lambda-Extension-Identifier in the response', response.status);
    this.#extensionId = id;
    const body = parseObject(response.body);
    return { extensionId: id, functionName: asString(body.functionName), functionVersion: asString(body.functionVersion), handler: asString(body.handler) };
  }

  /** Blocks (no timeout, as the API requires) until Lambda hands over the next event. */
  async next(): Promise<ExtensionEvent> {
    const response = await this.#request('GET', '/2020-01-01/extension/event/next', this.#idHeader());
    const firstEvent = this.#onFirstEvent;
    this.#onFirstEvent = undefined;
    if (firstEvent) setImmediate(firstEvent);
    const body = parseObject(response.body);
    const deadlineMs = Number(body.deadlineMs);
    if (body.eventType === 'INVOKE') {
      const tracing = isObject(body.tracing) ? body.tracing : undefined;
      return {
        eventType: 'INVOKE',
        requestId: String(body.requestId ?? ''),
        deadlineMs: Number.isFinite(deadlineMs) ? deadlineMs : Date.now() + 3000,
        invokedFunctionArn: asString(body.invokedFunctionArn),
        traceHeader: tracing ? asString(tracing.value) : undefined,
      };
    }
    if (body.eventType === 'SHUTDOWN') {
      return {
        eventType: 'SHUTDOWN',
        deadlineMs: Number.isFinite(deadlineMs) ? deadlineMs : Date.now() + 2000,
        shutdownReason: String(body.shutdownReason ?? 'spindown').toLowerCase(),
      };
    }
    throw new ExtensionsApiError(`event/next: unknown eventType ${JSON.stringify(body.eventType)}`, response.status);
  }

  async initError(errorType: string, errorMessage: string): Promise<void> {
    await this.#request(
      'POST',
      '/2020-01-01/extension/init/error',
      { ...this.#idHeader(), 'Lambda-Extension-Function-Error-Type': errorType },
      { errorType, errorMessage, stackTrace: [] },
    );
  }

  async exitError(errorType: string, errorMessage: string): Promise<void> {
    await this.#request(
      'POST',
      '/2020-01-01/extension/exit/error',
      { ...this.#idHeader(), 'Lambda-Extension-Function-Error-Type': errorType },
      { errorType, errorMessage, stackTrace: [] },
    );
  }

  async subscribeTelemetry(subscription: TelemetrySubscription): Promise<void> {
    await this.#request('PUT', '/2022-07-01/telemetry', this.#idHeader(), {
      schemaVersion: subscription.schemaVersion,
      types: subscription.types,
      buffering: subscription.buffering,
      destination: { protocol: 'HTTP', URI: subscription.uri },
    });
  }

  close(): void {
    this.#agent.destroy();
  }

  #idHeader(): Record<string, string> {
    if (!this.#extensionId) throw new ExtensionsApiError('not registered', 0);
    return { 'Lambda-Extension-Identifier': this.#extensionId };
  }

  #request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = http.request(
        {
          host: this.#host,
          port: this.#port,
          method,
          path,
          agent: this.#agent,
          headers: { ...headers, ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            if (status < 200 || status > 299) {
              reject(new ExtensionsApiError(`${method} ${path} answered ${status}: ${text.slice(0, 500)}`, status));
              return;
            }
            resolve({ status, headers: response.headers, body: text });
          });
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
