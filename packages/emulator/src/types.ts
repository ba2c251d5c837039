// Public types of the emulator: options in, results out. Shared by the API, the CLI and the report.

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
}

export interface InvokeOptions {
  /** The X-Ray trace header; generated when omitted, none when null. */
  traceHeader?: string | null;
  clientContext?: unknown;
  cognitoIdentity?: { cognitoIdentityId: string; cognitoIdentityPoolId: string };
  tenantId?: string;
}

export interface StreamedResponse {
  contentType: string;
  trailers: Record<string, string>;
  /** The http-integration prelude ({statusCode, headers, cookies}) when the stream carried one. */
  prelude?: unknown;
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
