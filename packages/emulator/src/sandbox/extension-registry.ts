// The Extensions API's state: who registered (external = a file in a layer's extensions/ folder,
// internal = any other name), each extension's parked /event/next and its queued events, and the
// Telemetry API subscriptions they make during init.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { apiErrors } from '../errors.ts';
import type { ExtensionEvent, ExtensionEventType } from '../api/extensions/events.ts';
import type { Subscription } from '../api/telemetry/subscribe.ts';
import type { SandboxDeps } from './deps.ts';
import type { SandboxProcesses } from './process-list.ts';
import type { SandboxProcess } from './processes.ts';
import type { SandboxState } from './state.ts';
import type { Registration } from '../types.ts';

export interface ExtensionState {
  id: string;
  name: string;
  kind: 'external' | 'internal';
  events: ExtensionEventType[];
  registeredAtMs: number;
  /** Its entry in the environment's registration log (readyAtMs is set at its first /event/next). */
  registration: Registration;
  /** The extension's pending /event/next, when it is waiting for an event. */
  parked: ServerResponse | undefined;
  queue: ExtensionEvent[];
  process: SandboxProcess | undefined;
  /** An error the extension reported through init/error or exit/error, before it exits. */
  reportedError: { kind: 'init' | 'exit'; errorType: string; errorMessage: string } | undefined;
}

export interface ExternalExtensionFile {
  name: string;
  path: string;
  layer: string;
}

const maxExtensions = 10;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ExtensionRegistry {
  /** The external extensions init launched; a registration under one of these names is external. */
  externalFiles: ExternalExtensionFile[] = [];
  private readonly byId = new Map<string, ExtensionState>();
  private readonly deps: SandboxDeps;
  private readonly state: SandboxState;
  private readonly processes: SandboxProcesses;
  private readonly managedInstances: boolean;

  constructor(deps: SandboxDeps, state: SandboxState, processes: SandboxProcesses, managedInstances: boolean) {
    this.deps = deps;
    this.state = state;
    this.processes = processes;
    this.managedInstances = managedInstances;
  }

  all(): ExtensionState[] {
    return [...this.byId.values()];
  }

  forProcess(proc: SandboxProcess): ExtensionState | undefined {
    return this.all().find((ext) => ext.process === proc);
  }

  register(name: string, events: ExtensionEventType[]): ExtensionState {
    if (!this.state.registrationOpen) throw apiErrors.registrationClosed();
    const registered = this.all();
    const file = this.externalFiles.find((candidate) => candidate.name === name);
    const kind = file ? 'external' : 'internal';
    if (registered.some((ext) => ext.name === name)) throw apiErrors.invalidExtensionState(`extension ${name} is already registered`);
    if (kind === 'internal' && events.includes('SHUTDOWN')) {
      throw apiErrors.invalidEventType('Internal extensions cannot register for SHUTDOWN');
    }
    if (kind === 'external' && this.managedInstances && events.includes('INVOKE')) {
      throw apiErrors.invalidEventType('Under Managed Instances external extensions may register for SHUTDOWN only');
    }
    if (registered.length >= maxExtensions) throw apiErrors.tooManyExtensions();
    const extensionProcess = kind === 'external' ? this.processes.all.find((proc) => proc.role === 'extension' && proc.name === name) : undefined;
    const registeredAtMs = Date.now();
    const ext: ExtensionState = {
      id: randomUUID(),
      name,
      kind,
      events,
      registeredAtMs,
      registration: { name, kind, events: [...events], atMs: registeredAtMs, spawnedAtMs: extensionProcess?.spawnedAtMs },
      parked: undefined,
      queue: [],
      reportedError: undefined,
      process: extensionProcess,
    };
    this.byId.set(ext.id, ext);
    this.deps.registrations.push(ext.registration);
    this.deps.dispatcher.emit({ type: 'platform.extension', record: { name, state: 'Ready', events: [...events] } });
    this.state.changed();
    return ext;
  }

  /** The extension a Lambda-Extension-Identifier names; 403 with the precise code otherwise. */
  lookup(id: string | undefined): ExtensionState {
    if (id === undefined || id === '') throw apiErrors.missingIdentifier();
    if (!uuidPattern.test(id)) throw apiErrors.invalidIdentifier();
    const ext = this.byId.get(id);
    if (!ext) throw apiErrors.unknownIdentifier();
    return ext;
  }

  /** /event/next: the next queued event now, or the request waits (parked) until one comes. */
  next(ext: ExtensionState, res: ServerResponse): void {
    ext.registration.readyAtMs ??= Date.now();
    const event = ext.queue.shift();
    if (event) {
      sendEvent(res, event);
    } else {
      ext.parked?.destroy();
      ext.parked = res;
      res.on('close', () => {
        if (ext.parked === res) {
          ext.parked = undefined;
          this.state.changed();
        }
      });
    }
    this.state.changed();
  }

  deliver(ext: ExtensionState, event: ExtensionEvent): void {
    const parked = ext.parked;
    if (parked && !parked.destroyed) {
      ext.parked = undefined;
      sendEvent(parked, event);
    } else {
      ext.queue.push(event);
    }
  }

  reportError(ext: ExtensionState, kind: 'init' | 'exit', errorType: string, errorMessage: string): void {
    this.deps.onLog({ source: ext.name, line: `${kind}/error ${errorType}: ${errorMessage}`, atMs: Date.now() });
    ext.reportedError ??= { kind, errorType, errorMessage };
    if (kind === 'init') {
      this.state.initErrorReported({
        errorType: 'Extension.InitError',
        errorMessage: `${ext.name}: ${errorType}: ${errorMessage}`,
        platformErrorType: 'Extension.InitError',
      });
    }
  }

  subscribe(ext: ExtensionState, subscription: Subscription): void {
    if (!this.state.subscriptionsOpen) throw apiErrors.subscriptionClosed();
    this.deps.dispatcher.subscribe(ext.name, subscription);
    this.deps.dispatcher.emit({ type: 'platform.telemetrySubscription', record: { name: ext.name, state: 'Subscribed', types: [...subscription.types] } });
  }

  /** Its process exited: a parked /event/next goes nowhere. */
  forgetParked(ext: ExtensionState): void {
    ext.parked = undefined;
  }

  unregisteredExternals(): string[] {
    const registered = this.all();
    return this.externalFiles.filter((file) => !registered.some((ext) => ext.kind === 'external' && ext.name === file.name)).map((file) => file.name);
  }

  allExternalsRegistered(): boolean {
    return this.unregisteredExternals().length === 0;
  }

  notWaiting(): string[] {
    return this.all()
      .filter((ext) => ext.parked === undefined)
      .map((ext) => ext.name);
  }

  allWaiting(): boolean {
    return this.notWaiting().length === 0;
  }

  /** Every INVOKE extension waits on /event/next with nothing queued: the invoke is over for them. */
  invokeSubscribersWaiting(): boolean {
    return this.all().every((ext) => !ext.events.includes('INVOKE') || (ext.parked !== undefined && ext.queue.length === 0));
  }
}

function sendEvent(res: ServerResponse, event: ExtensionEvent): void {
  const body = JSON.stringify(event);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Lambda-Extension-Event-Identifier': randomUUID(),
  });
  res.end(body);
}
