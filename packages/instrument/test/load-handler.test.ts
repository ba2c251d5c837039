import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { HandlerLoadError, loadOriginalHandler, parseHandlerString } from '../src/auto/load-handler.ts';

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

  it('fails with the runtime client error types, naming LAMBDA_OTEL_ORIGINAL_HANDLER', async () => {
    const cases: [string | undefined, string, RegExp][] = [
      [undefined, 'Runtime.MalformedHandlerName', /LAMBDA_OTEL_ORIGINAL_HANDLER is invalid, expected "dir\/file.export", actual ""/],
      ['nodot', 'Runtime.MalformedHandlerName', /expected "dir\/file.export", actual "nodot"/],
      ['../escape.handler', 'Runtime.MalformedHandlerName', /without "\.\."/],
      ['missing.handler', 'Runtime.ImportModuleError', /Cannot find module 'missing' for LAMBDA_OTEL_ORIGINAL_HANDLER/],
      ['modern.other', 'Runtime.HandlerNotFound', /modern.other is undefined or not exported/],
      ['notfn.handler', 'Runtime.HandlerNotFound', /notfn.handler is not a function/],
    ];
    for (const [value, type, message] of cases) {
      await assert.rejects(
        loadOriginalHandler(value, taskRoot),
        (error: unknown) => {
          assert.ok(error instanceof HandlerLoadError);
          assert.equal(error.name, type);
          assert.match(error.message, message);
          return true;
        },
        String(value),
      );
    }
  });

  it('splits the handler string at the first dot of the file name', () => {
    assert.deepEqual(parseHandlerString('src/handlers/orders.api.get'), { moduleRoot: 'src/handlers', moduleName: 'orders', handlerName: 'api.get' });
    assert.deepEqual(parseHandlerString('index.handler'), { moduleRoot: '', moduleName: 'index', handlerName: 'handler' });
  });
});
