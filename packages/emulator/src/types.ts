// Public types of the emulator: options in, results out. Shared by the API, the CLI and the report.
import type { LogEntry } from './logs/invocation-logs.ts';

export type { LogEntry };

export type InvocationStatus = 'success' | 'error' | 'timeout' | 'failure';
export type ShutdownReason = 'spindown' | 'timeout' | 'failure';

export interface EmulatorOptions {
  /** The function's code directory (LAMBDA_TASK_ROOT). */
  functionDir: string;
  /** `FILE.EXPORT`, as in Lambda's handler setting (e.g. `index.handler`). */
  handler: string;
  /** Layer directories, in order; each plays the part of /opt. */
  layers?: string[];
  /** The Node binary that runs the runtime client. Default: the workspace's Node 24. */
  nodePath?: string;
  timeoutSec?: number;
  /** The init phase's limit; Lambda's is 10 s. */
  initTimeoutSec?: number;
  memoryMb?: number;
  /**
   * Limits the runtime and the extensions (not the emulator) to this many CPUs with a cgroup quota,
   * as Lambda does by memory size (1,769 MB = 1 vCPU). Linux, as root; init fails saying why otherwise.
   */
  cpus?: number;
  /** Enforce memoryMb like Lambda: past it the runtime is killed and the invoke fails with Runtime.OutOfMemory. Default false. */
  enforceMemoryLimit?: boolean;
  /** Managed Instances mode when set (> 1 lets invokes run at once in one runtime process). */
  maxConcurrency?: number;
  /** Overrides for the sandbox's environment (both runtime and extensions). */
  env?: Record<string, string>;
  /** The runtime command; default `[nodePath, <aws-lambda-ric>/index.mjs]`. */
  runtimeCommand?: string[];
  functionName?: string;
  region?: string;
  /** Called with each captured output line as it arrives (for a live view). */
  onLog?: (log: CapturedLine) => void;
  /** Called with each line of the log view as it happens: output lines and Lambda's START/END/REPORT lines. */
  onLogEntry?: (entry: LogEntry) => void;
  /** Called with each invocation's result as it completes. */
  onResult?: (result: InvocationResult) => void;
  /** `AWS_LAMBDA_INITIALIZATION_TYPE` and the platform records' initializationType (default on-demand). */
  initializationType?: 'on-demand' | 'provisioned-concurrency';
}

export interface InvokeOptions {
  /** The X-Ray trace header; generated when omitted, none when null. */
  traceHeader?: string | null;
  clientContext?: unknown;
  cognitoIdentity?: { cognitoIdentityId: string; cognitoIdentityPoolId: string };
  tenantId?: string;
  /**
   * The response body's bytes as the runtime sends them: a buffered response in one chunk, a streamed
   * one chunk by chunk (an http-integration prelude included), for callers that relay them.
   */
  onResponseChunk?: (chunk: Buffer) => void;
  /**
   * Called when the runtime has answered (response complete, or an error), before the extensions'
   * post-invoke work and the report: when Lambda hands the caller the response.
   */
  onResponse?: (answer: RuntimeResponse) => void;
}

/** The runtime's answer, as the caller receives it (see InvokeOptions.onResponse). */
export interface RuntimeResponse {
  requestId: string;
  status: InvocationStatus;
  response: unknown;
  errorType?: string;
  errorMessage?: string;
}

export interface StreamedResponse {
  contentType: string;
  trailers: Record<string, string>;
  /** The http-integration prelude ({statusCode, headers, cookies}) when the stream carried one. */
  prelude?: unknown;
  /** `base64` when the body is not valid UTF-8 (binary): `response` then holds it in base64. */
  encoding?: 'utf8' | 'base64';
}

export interface InvocationResult {
  requestId: string;
  status: InvocationStatus;
  response: unknown;
  errorType?: string;
  errorMessage?: string;
  /** Present on the invocation that paid for the init (a cold start). */
  initDurationMs?: number;
  durationMs: number;
  /** Invoke sent to the runtime → response received. */
  responseLatencyMs: number;
  /** Response received → every party called next again (the environment froze). */
  postRuntimeMs: number;
  streamed?: StreamedResponse;
}

export interface ProcessOutcome {
  name: string;
  pid: number;
  exitedOnItsOwn: boolean;
  exitCode: number | null;
  killed: boolean;
}

export interface ShutdownResult {
  reason: ShutdownReason;
  durationMs: number;
  processes: ProcessOutcome[];
}

export interface TelemetryEvent {
  time: string;
  type: string;
  record: unknown;
}

export interface CapturedLine {
  source: string;
  line: string;
  /** When the emulator read it (epoch ms). */
  atMs?: number;
  /** The invocation it belongs to, when that is known (see logs/invocation-logs.ts). */
  requestId?: string;
}

export interface Registration {
  name: string;
  kind: 'external' | 'internal';
  events: string[];
  /** When it registered (epoch ms). */
  atMs: number;
  /** External extensions: when the emulator exec'd its file (epoch ms). */
  spawnedAtMs?: number;
  /** When it first called /event/next, i.e. declared itself ready (epoch ms). */
  readyAtMs?: number;
}

export interface SandboxProcessInfo {
  name: string;
  pid: number;
  role: 'runtime' | 'extension';
}

export interface EmulatorReport {
  invocations: InvocationResult[];
  shutdown: ShutdownResult | null;
  events: TelemetryEvent[];
  logs: CapturedLine[];
}

export interface RunOptions extends EmulatorOptions {
  events: unknown[];
  repeat?: number;
  /** How many invokes run at once (Managed Instances mode only). */
  concurrency?: number;
  onInvocation?: (result: InvocationResult, index: number) => void;
}
