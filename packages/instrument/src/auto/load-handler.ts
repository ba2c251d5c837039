/**
 * Loads the function's own handler exactly as AWS's runtime client (aws-lambda-ric) would have: the
 * same handler-string rules, module lookup, export resolution, and the same error types and messages
 * word for word, so a function fails the same way with and without the layer.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const ORIGINAL_HANDLER_VARIABLE = 'LAMBDA_OTEL_ORIGINAL_HANDLER';

export type HandlerErrorType =
  'Runtime.MalformedHandlerName' | 'Runtime.ImportModuleError' | 'Runtime.HandlerNotFound' | 'Runtime.UserCodeSyntaxError' | 'Runtime.PlatformError';

/** An init error the runtime reports with this type (`name`), like its own handler-loading errors. */
export class HandlerLoadError extends Error {
  constructor(type: HandlerErrorType, message: string) {
    super(message);
    this.name = type;
  }
}

export interface HandlerLocation {
  /** Directory part of the handler string (`dir/sub`), relative to the task root or absolute. */
  readonly moduleRoot: string;
  readonly moduleName: string;
  /** Export path, possibly nested: `handler` or `obj.fn`. */
  readonly handlerName: string;
}

/** The runtime client's split: the module name is the file name up to its first dot, the rest the export. */
const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

/**
 * Splits `dir/file.export[.nested]` the way the runtime client does, with its checks and messages:
 * a `..` anywhere is refused first, then a file name without a dot is a "Bad handler".
 */
export function parseHandlerString(handlerString: string): HandlerLocation {
  if (handlerString.includes('..')) {
    throw new HandlerLoadError(
      'Runtime.MalformedHandlerName',
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const base = path.basename(handlerString);
  const moduleRoot = handlerString.substring(0, handlerString.indexOf(base));
  const match = FUNCTION_EXPR.exec(base);
  if (!match) throw new HandlerLoadError('Runtime.MalformedHandlerName', 'Bad handler');
  return { moduleRoot: moduleRoot.replace(/\/$/, ''), moduleName: match[1]!, handlerName: match[2]! };
}

/**
 * A require() rooted where the runtime client's is (its own entry file, the script Node runs), so a
 * module that cannot be found reports the same "Require stack" as without the layer.
 */
function runtimeRequire(taskRoot: string): NodeJS.Require {
  const entry = process.argv[1];
  return createRequire(entry !== undefined && path.isAbsolute(entry) ? entry : path.join(taskRoot, 'noop.js'));
}

/** Loads the module like the runtime client: exact path, then .js, .mjs, .cjs, then a package by name. */
async function loadModule(taskRoot: string, location: HandlerLocation): Promise<unknown> {
  const base = path.resolve(taskRoot, location.moduleRoot, location.moduleName);
  const require = runtimeRequire(taskRoot);
  try {
    for (const extension of ['', '.js', '.mjs', '.cjs']) {
      const file = `${base}${extension}`;
      if (existsSync(file)) return (await import(file)) as unknown;
    }
    const resolved = require.resolve(location.moduleName, { paths: [taskRoot, path.join(taskRoot, location.moduleRoot)] });
    return require(resolved) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) {
      const wrapped = new HandlerLoadError('Runtime.UserCodeSyntaxError', String(error));
      wrapped.stack = error.stack;
      throw wrapped;
    }
    if (error instanceof Error && (error as { code?: unknown }).code === 'MODULE_NOT_FOUND') {
      throw new HandlerLoadError('Runtime.ImportModuleError', String(error));
    }
    throw error;
  }
}

/** Walks `a.b.c` through objects only, as the runtime client does. */
function findIn(handlerName: string, holder: unknown): unknown {
  return handlerName
    .split('.')
    .reduce<unknown>((nested, key) => (nested && typeof nested === 'object' ? (nested as Record<string, unknown>)[key] : undefined), holder);
}

/** The user's handler, loaded by the exec wrapper's rules; its arguments are whatever the runtime passes. */
export type UserHandler = (...args: never[]) => unknown;

/**
 * Resolves and loads the handler named by the original `_HANDLER` (kept by the exec wrapper in
 * LAMBDA_OTEL_ORIGINAL_HANDLER), relative to LAMBDA_TASK_ROOT, with the runtime client's rules
 * (nested export paths, `default` fallback for CommonJS modules loaded through import()).
 */
export async function loadOriginalHandler(handlerString: string | undefined, taskRoot: string): Promise<UserHandler> {
  if (handlerString === undefined || handlerString === '') {
    // Only reachable when AWS_LAMBDA_EXEC_WRAPPER points at a wrapper other than the layer's.
    throw new HandlerLoadError('Runtime.PlatformError', `${ORIGINAL_HANDLER_VARIABLE} environment variable is not set`);
  }
  const location = parseHandlerString(handlerString);
  const module = await loadModule(taskRoot, location);
  let handler = findIn(location.handlerName, module);
  if (!handler && typeof module === 'object' && module !== null && 'default' in module) {
    handler = findIn(location.handlerName, (module as { default: unknown }).default);
  }
  if (!handler) throw new HandlerLoadError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerLoadError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  return handler as UserHandler;
}

/**
 * Gives the function back the `_HANDLER` Lambda set: the exec wrapper pointed it at the layer's entry
 * for the runtime client, which has read it by now. Done before the user's module loads, so code that
 * reads `_HANDLER` at import (instrumentations, Powertools, the function itself) sees its own handler.
 */
export function restoreHandlerVariable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const original = env[ORIGINAL_HANDLER_VARIABLE];
  if (original !== undefined && original !== '') env._HANDLER = original;
  return original;
}
