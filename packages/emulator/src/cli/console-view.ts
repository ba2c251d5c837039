// What a person watching the terminal sees: each log line as it happens, tagged by its source
// (`platform` for Lambda's START/END/REPORT lines), and one line per result. Colour only on a TTY.
import { styleText } from 'node:util';

/** The caller decides whether to colour (a TTY, no NO_COLOR): styleText is not to check again. */
const asDecided = { validateStream: false } as const;
import type { LogEntry } from '../logs/invocation-logs.ts';
import type { InvocationResult } from '../types.ts';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class ConsoleView {
  private readonly out: Output;
  private readonly quiet: boolean;
  private readonly color: boolean;

  constructor(out: Output, quiet: boolean) {
    this.out = out;
    this.quiet = quiet;
    this.color = out.isTTY === true && process.env.NO_COLOR === undefined;
  }

  get showsDetail(): boolean {
    return !this.quiet;
  }

  get colored(): boolean {
    return this.color;
  }

  logEntry(entry: LogEntry): void {
    if (this.quiet) return;
    const tag = `[${entry.source}]`;
    const line = entry.line.replace(/\n/g, `\n${' '.repeat(tag.length + 1)}`);
    if (!this.color) {
      this.out.write(`${tag} ${line}\n`);
      return;
    }
    const tagStyle = entry.source === 'platform' ? 'cyan' : entry.source === 'runtime' ? 'green' : 'magenta';
    const lineStyled = /\t(ERROR|FATAL)\t|"level":"(ERROR|FATAL)"/.test(entry.line) ? styleText('red', line, asDecided) : line;
    this.out.write(`${styleText(tagStyle, tag, asDecided)} ${lineStyled}\n`);
  }

  result(result: InvocationResult): void {
    const init = result.initDurationMs !== undefined ? ` (init ${result.initDurationMs.toFixed(1)} ms)` : '';
    const error = result.errorType ? ` ${result.errorType}: ${result.errorMessage ?? ''}` : '';
    const status = this.color ? styleText(result.status === 'success' ? 'green' : ['red', 'bold'], result.status, asDecided) : result.status;
    this.out.write(`${result.requestId}  ${status} in ${result.durationMs.toFixed(1)} ms${init}${error}\n`);
    this.out.write(`  response: ${JSON.stringify(result.response)}\n`);
  }

  text(line: string): void {
    this.out.write(`${line}\n`);
  }
}
