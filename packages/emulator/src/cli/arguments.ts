// The command line → what to run. Every mistake is a UsageError with one line naming the flag.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import type { EmulatorOptions } from '../types.ts';

export class UsageError extends Error {}

export const usage = `usage: lambda-emulator run   --function DIR --handler FILE.EXPORT [options] [--event FILE|-]... [--event-json JSON]...
                              [--repeat N] [--concurrency N] [--report FILE] [--allow-failures]
       lambda-emulator serve --function DIR --handler FILE.EXPORT [options] [--port N]
options: [--layer DIR]... [--node PATH] [--env K=V]... [--env-file FILE] [--timeout S] [--memory MB]
         [--max-concurrency N] [--cpus N] [--provisioned] [--quiet] [--trace-html FILE]`;

interface Common {
  options: EmulatorOptions;
  /** Only the results: no live log lines, no waterfalls. */
  quiet: boolean;
  traceHtmlPath: string | undefined;
}

export interface RunCommand extends Common {
  command: 'run';
  events: unknown[];
  repeat: number;
  concurrency: number;
  reportPath: string | undefined;
  /** Exit 0 even when an invocation did not succeed (the failures are still reported). */
  allowFailures: boolean;
}

export interface ServeCommand extends Common {
  command: 'serve';
  port: number;
}

const common = {
  function: { type: 'string' },
  handler: { type: 'string' },
  layer: { type: 'string', multiple: true },
  node: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  'max-concurrency': { type: 'string' },
  cpus: { type: 'string' },
  env: { type: 'string', multiple: true },
  'env-file': { type: 'string', multiple: true },
  provisioned: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'trace-html': { type: 'string' },
} as const;

const runOnly = {
  event: { type: 'string', multiple: true },
  'event-json': { type: 'string', multiple: true },
  repeat: { type: 'string' },
  concurrency: { type: 'string' },
  report: { type: 'string' },
  'allow-failures': { type: 'boolean' },
} as const;

const serveOnly = { port: { type: 'string' } } as const;

/** `readStdin` reads all of standard input (for `--event -`). */
export function parseCommandLine(argv: string[], readStdin: () => string): RunCommand | ServeCommand {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'serve') {
    throw new UsageError(command ? `unknown command ${JSON.stringify(command)} (expected run or serve)` : 'missing command: run or serve');
  }
  let values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  try {
    const options = command === 'run' ? { ...common, ...runOnly } : { ...common, ...serveOnly };
    values = parseArgs({ args: rest, strict: true, allowPositionals: false, options }).values as typeof values;
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const text = (name: string) => values[name] as string | undefined;
  const list = (name: string) => (values[name] as string[] | undefined) ?? [];
  const functionArg = text('function');
  const handler = text('handler');
  if (!functionArg) throw new UsageError('--function DIR is required');
  if (!handler) throw new UsageError('--handler FILE.EXPORT is required');
  const functionDir = resolve(functionArg);
  if (!existsSync(functionDir)) throw new UsageError(`--function ${functionArg}: no such directory`);
  checkHandlerFile(functionDir, handler);
  const options: EmulatorOptions = { functionDir, handler, layers: list('layer'), env: environmentOverrides(list('env-file'), list('env')) };
  if (text('node')) options.nodePath = text('node');
  if (text('timeout')) options.timeoutSec = number('--timeout', text('timeout')!, false);
  if (text('memory')) options.memoryMb = number('--memory', text('memory')!);
  if (text('max-concurrency')) options.maxConcurrency = number('--max-concurrency', text('max-concurrency')!);
  if (text('cpus')) options.cpus = number('--cpus', text('cpus')!, false);
  if (values.provisioned) {
    if (options.maxConcurrency !== undefined) throw new UsageError('--provisioned does not go with --max-concurrency (Managed Instances)');
    options.initializationType = 'provisioned-concurrency';
  }
  const shared: Common = { options, quiet: values.quiet === true, traceHtmlPath: text('trace-html') };
  if (command === 'serve') {
    const port = text('port') === undefined ? 9000 : Number(text('port'));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${text('port')}: expected a port number (0 = any free port)`);
    return { command, ...shared, port };
  }
  if (list('event').filter((source) => source === '-').length > 1) throw new UsageError('--event -: standard input can be read once');
  const events = [...list('event').map((source) => readEvent(source, readStdin)), ...list('event-json').map((json) => parseEvent('--event-json', json))];
  const concurrency = text('concurrency') ? number('--concurrency', text('concurrency')!) : 1;
  if (concurrency > 1 && options.maxConcurrency === undefined) throw new UsageError('--concurrency needs --max-concurrency (Managed Instances mode)');
  return {
    command,
    ...shared,
    events: events.length > 0 ? events : [{}],
    repeat: text('repeat') ? number('--repeat', text('repeat')!) : 1,
    concurrency,
    reportPath: text('report'),
    allowFailures: values['allow-failures'] === true,
  };
}

/** --env-file files in order, then --env pairs: a later value wins. */
function environmentOverrides(files: string[], pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const file of files) {
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--env-file ${file}: ${(error as Error).message.split('\n')[0]}`);
    }
    Object.assign(env, parseEnv(content));
  }
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--env ${pair}: expected K=V`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function readEvent(source: string, readStdin: () => string): unknown {
  if (source === '-') return parseEvent('--event - (standard input)', readStdin());
  let content: string;
  try {
    content = readFileSync(source, 'utf8');
  } catch (error) {
    throw new UsageError(`--event ${source}: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseEvent(`--event ${source}`, content);
}

function parseEvent(what: string, json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new UsageError(`${what}: not JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

function number(flag: string, text: string, integer = true): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} ${text}: expected a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

/**
 * The module the runtime client would load for FILE.EXPORT: FILE, FILE.js, FILE.mjs or FILE.cjs. A
 * handler without a dot is left to the runtime, which fails init with Runtime.MalformedHandlerName.
 */
function checkHandlerFile(functionDir: string, handler: string): void {
  const name = basename(handler);
  const dot = name.indexOf('.');
  if (dot < 0) return;
  if (dot === 0 || dot === name.length - 1) throw new UsageError(`--handler ${handler}: expected FILE.EXPORT (e.g. index.handler)`);
  const base = join(resolve(functionDir, dirname(handler)), name.slice(0, dot));
  if (!['', '.js', '.mjs', '.cjs'].some((extension) => existsSync(base + extension))) {
    throw new UsageError(`--handler ${handler}: handler file not found: ${base}(.js|.mjs|.cjs)`);
  }
}
