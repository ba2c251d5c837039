import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const ORIGINAL_HANDLER_VARIABLE = 'LAMBDA_OTEL_ORIGINAL_HANDLER';

/** An init error the runtime reports with this type, like its own handler-loading errors. */
export class HandlerLoadError extends Error {
  constructor(type: 'Runtime.MalformedHandlerName' | 'Runtime.ImportModuleError' | 'Runtime.HandlerNotFound', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = type;
  }
}

export interface HandlerLocation {
  /** Directory part relative to the task root (`dir/sub`), or absolute. */
  readonly moduleRoot: string;
  readonly moduleName: string;
  /** Export path, possibly nested: `handler` or `obj.fn`. */
  readonly handlerName: string;
}

/** Splits `dir/file.export[.nested]` the way the runtime client does: the module name stops at the first dot of the basename. */
export function parseHandlerString(value: string | undefined): HandlerLocation {
  if (value === undefined || value.trim() === '') {
    throw new HandlerLoadError(
      'Runtime.MalformedHandlerName',
      `Configuration: ${ORIGINAL_HANDLER_VARIABLE} is invalid, expected "dir/file.export", actual ${JSON.stringify(value ?? '')} (is AWS_LAMBDA_EXEC_WRAPPER set without the layer's wrapper script?)`,
    );
  }
  if (value.includes('..')) {
    throw new HandlerLoadError(
      'Runtime.MalformedHandlerName',
      `Configuration: ${ORIGINAL_HANDLER_VARIABLE} is invalid, expected a path without "..", actual ${JSON.stringify(value)}`,
    );
  }
  const base = path.basename(value);
  const match = /^([^.]*)\.(.+)$/.exec(base);
  if (!match) {
    throw new HandlerLoadError(
      'Runtime.MalformedHandlerName',
      `Configuration: ${ORIGINAL_HANDLER_VARIABLE} is invalid, expected "dir/file.export", actual ${JSON.stringify(value)}`,
    );
  }
  return { moduleRoot: value.slice(0, value.length - base.length).replace(/\/$/, ''), moduleName: match[1]!, handlerName: match[2]! };
}

/** Loads the module like the runtime client: exact path, then .js, .mjs, .cjs, then a package in node_modules. */
async function importModule(taskRoot: string, location: HandlerLocation, original: string): Promise<unknown> {
  const base = path.resolve(taskRoot, location.moduleRoot, location.moduleName);
  try {
    for (const extension of ['', '.js', '.mjs', '.cjs']) {
      const file = `${base}${extension}`;
      if (!existsSync(file)) continue;
      return await import(pathToFileURL(file).href);
    }
    const require = createRequire(path.join(taskRoot, 'noop.js'));
    const resolved = require.resolve(location.moduleName, { paths: [taskRoot, path.join(taskRoot, location.moduleRoot)] });
    return await import(pathToFileURL(resolved).href);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw new HandlerLoadError(
        'Runtime.ImportModuleError',
        `Error: Cannot find module '${location.moduleName}' for ${ORIGINAL_HANDLER_VARIABLE}=${JSON.stringify(original)} (task root ${taskRoot})`,
        { cause: error },
      );
    }
    throw error;
  }
}

function findIn(handlerName: string, holder: unknown): unknown {
  return handlerName
    .split('.')
    .reduce<unknown>(
      (nested, key) => (nested !== null && (typeof nested === 'object' || typeof nested === 'function') ? (nested as Record<string, unknown>)[key] : undefined),
      holder,
    );
}

/**
 * Resolves and loads the user's handler named by LAMBDA_OTEL_ORIGINAL_HANDLER, relative to
 * LAMBDA_TASK_ROOT, with the runtime client's rules (nested export paths, `default` fallback for
 * CommonJS modules loaded through import()).
 */
export async function loadOriginalHandler(handlerString: string | undefined, taskRoot: string): Promise<(...args: any[]) => any> {
  const location = parseHandlerString(handlerString);
  const module = await importModule(taskRoot, location, handlerString!);
  let handler = findIn(location.handlerName, module);
  if (handler === undefined && module !== null && typeof module === 'object' && 'default' in module) {
    handler = findIn(location.handlerName, (module as { default: unknown }).default);
  }
  if (handler === undefined) {
    throw new HandlerLoadError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported (from ${ORIGINAL_HANDLER_VARIABLE})`);
  }
  if (typeof handler !== 'function') {
    throw new HandlerLoadError('Runtime.HandlerNotFound', `${handlerString} is not a function (from ${ORIGINAL_HANDLER_VARIABLE})`);
  }
  return handler as (...args: any[]) => any;
}
