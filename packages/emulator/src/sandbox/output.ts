// The sandbox's output: every line a process prints and every framed log record of the runtime
// becomes a captured line and a `function` or `extension` Telemetry API record.
import type { LogFrame } from './log-frames.ts';
import type { SandboxDeps } from './deps.ts';

export function captureLine(deps: SandboxDeps, source: string, line: string): void {
  deps.onLog({ source, line, atMs: Date.now() });
  deps.dispatcher.emit({ type: source === 'runtime' ? 'function' : 'extension', record: line });
}

/** One frame is one record, so a multi-line entry (a stack trace) stays whole. */
export function captureFrame(deps: SandboxDeps, frame: LogFrame): void {
  const message = frame.message.replace(/\n$/, '');
  deps.onLog({ source: 'runtime', line: message, atMs: Number(frame.timestampUs / 1000n) });
  let record: string | Record<string, unknown> = message;
  if (frame.format === 'json') {
    try {
      record = JSON.parse(message) as Record<string, unknown>;
    } catch {
      // keep the text
    }
  }
  deps.dispatcher.emit({ type: 'function', record }, Number(frame.timestampUs / 1000n));
}
