import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadOriginalHandler, parseHandlerString, restoreHandlerVariable } from '../src/auto/load-handler.ts';

let taskRoot: string;

/** A task root shaped like the functions users deploy: every module kind the runtime client loads. */
beforeAll(() => {
  taskRoot = mkdtempSync(join(tmpdir(), 'lambda-otel-task-'));
  const write = (path: string, text: string) => {
    mkdirSync(join(taskRoot, path, '..'), { recursive: true });
    writeFileSync(join(taskRoot, path), text);
  };
  write('package.json', '{ "type": "commonjs" }');
  write('index.js', "exports.handler = async () => 'cjs .js';");
  write('legacy.cjs', "module.exports.handler = async () => 'cjs .cjs';");
  write('modern.mjs', "export const handler = async () => 'esm .mjs';");
  write('src/handlers/orders.mjs', "export const api = { get: async () => 'nested export' };");
  write('esm-pkg/package.json', '{ "type": "module" }');
  write('esm-pkg/app.js', "export const handler = async () => 'esm .js';");
  write('defaults.cjs', "module.exports = { handler: async () => 'through default' };");
  write('notfn.mjs', 'export const handler = 42;');
  write('zero.mjs', 'export const handler = 0;');
  write('fnprop.mjs', 'export function handler() {}\nhandler.inner = async () => 1;');
  // Loaded by require() (a package by name), so the test runner's own import transform stays out of it.
  write('node_modules/broken-pkg/package.json', '{ "name": "broken-pkg", "main": "main.js" }');
  write('node_modules/broken-pkg/main.js', 'exports.handler = async () => {;');
  write('throws.mjs', "throw new RangeError('init failed');");
  write('node_modules/shared-handler/package.json', '{ "name": "shared-handler", "main": "main.js" }');
  write('node_modules/shared-handler/main.js', "exports.handler = async () => 'from node_modules';");
});
afterAll(() => rmSync(taskRoot, { recursive: true, force: true }));

const call = async (handlerString: string) => (await loadOriginalHandler(handlerString, taskRoot))();

describe('loadOriginalHandler (the runtime client rules)', () => {
  it('loads CommonJS and ES modules by extension: none, .js, .mjs, .cjs', async () => {
    assert.equal(await call('index.handler'), 'cjs .js');
    assert.equal(await call('legacy.handler'), 'cjs .cjs');
    assert.equal(await call('modern.handler'), 'esm .mjs');
    assert.equal(await call('esm-pkg/app.handler'), 'esm .js');
  });

  it('follows nested paths and nested export names, the default export, and node_modules', async () => {
    assert.equal(await call('src/handlers/orders.api.get'), 'nested export');
    assert.equal(await call('defaults.handler'), 'through default');
    assert.equal(await call('shared-handler.handler'), 'from node_modules');
  });

  it("fails with the runtime client's error types and messages, word for word", async () => {
    const cases: [string, string, string | RegExp][] = [
      ['nodot', 'Runtime.MalformedHandlerName', 'Bad handler'],
      [
        '../escape.handler',
        'Runtime.MalformedHandlerName',
        "'../escape.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names.",
      ],
      ['missing.handler', 'Runtime.ImportModuleError', /^Error: Cannot find module 'missing'\nRequire stack:\n- /],
      ['modern.other', 'Runtime.HandlerNotFound', 'modern.other is undefined or not exported'],
      ['modern.', 'Runtime.HandlerNotFound', 'modern. is undefined or not exported'],
      ['notfn.handler', 'Runtime.HandlerNotFound', 'notfn.handler is not a function'],
      ['zero.handler', 'Runtime.HandlerNotFound', 'zero.handler is undefined or not exported'],
      ['fnprop.handler.inner', 'Runtime.HandlerNotFound', 'fnprop.handler.inner is undefined or not exported'],
      ['broken-pkg.handler', 'Runtime.UserCodeSyntaxError', /^SyntaxError: /],
    ];
    for (const [value, type, message] of cases) {
      await assert.rejects(
        loadOriginalHandler(value, taskRoot),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.equal(error.name, type, value);
          if (typeof message === 'string') assert.equal(error.message, message, value);
          else assert.match(error.message, message, value);
          assert.equal(error instanceof SyntaxError, false, 'the runtime client would wrap a SyntaxError again');
          assert.equal((error as { code?: unknown }).code, undefined, 'the runtime client would wrap a MODULE_NOT_FOUND again');
          return true;
        },
        value,
      );
    }
  });

  it('a module that fails with another error is left as it is (the runtime client rethrows it unchanged)', async () => {
    await assert.rejects(loadOriginalHandler('throws.handler', taskRoot), (error: unknown) => error instanceof RangeError && error.message === 'init failed');
  });

  it('without LAMBDA_OTEL_ORIGINAL_HANDLER: the error names the variable', async () => {
    await assert.rejects(loadOriginalHandler(undefined, taskRoot), /LAMBDA_OTEL_ORIGINAL_HANDLER environment variable is not set/);
  });

  it('restoreHandlerVariable gives _HANDLER back to the function', () => {
    const env: NodeJS.ProcessEnv = {
      _HANDLER: '/opt/nodejs/node_modules/@lambda-otel/instrument/auto.handler',
      LAMBDA_OTEL_ORIGINAL_HANDLER: 'src/app.handler',
    };
    assert.equal(restoreHandlerVariable(env), 'src/app.handler');
    assert.equal(env._HANDLER, 'src/app.handler');
  });

  it('splits the handler string at the first dot of the file name', () => {
    assert.deepEqual(parseHandlerString('src/handlers/orders.api.get'), { moduleRoot: 'src/handlers', moduleName: 'orders', handlerName: 'api.get' });
    assert.deepEqual(parseHandlerString('index.handler'), { moduleRoot: '', moduleName: 'index', handlerName: 'handler' });
  });
});
