// The layer is invisible to the function: AWS's runtime client (aws-lambda-ric, in the emulator)
// loads the same handler strings with and without the layer's exec wrapper, and every outcome is the
// same: the result, the _HANDLER the function reads, and each init failure's type and message.
// (A handler string without a dot in its file name, the runtime client's "Bad handler", is refused by
// the emulator's own configuration check before any runtime starts; the unit tests cover that message.)
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, onTestFinished, test } from 'vitest';
import { instrumentFixtures, startInstrumentHarness } from '../fixtures/instrument/harness.ts';

let functionDir: string;
beforeAll(() => {
  functionDir = mkdtempSync(join(tmpdir(), 'lambda-otel-loading-'));
  cpSync(join(instrumentFixtures, 'loading'), functionDir, { recursive: true });
  // Written here rather than kept as a fixture file: no formatter or linter can parse it.
  writeFileSync(join(functionDir, 'broken.js'), 'exports.handler = async () => {;\n');
});
afterAll(() => rmSync(functionDir, { recursive: true, force: true }));

/** What the function's caller sees of one invoke: status, and the result or the error. */
async function outcome(handler: string, layer: boolean): Promise<string> {
  const h = await startInstrumentHarness({ functionDir, handler, layer, timeoutSec: 3 });
  onTestFinished(() => h.close());
  const result = await h.env.invoke({});
  return result.status === 'success'
    ? `success ${JSON.stringify(result.response)}`
    : `${result.status} ${String(result.errorType)}: ${String(result.errorMessage)}`;
}

const CASES: [handler: string, expected: RegExp][] = [
  ['app.handler', /^success \{"handlerAtImport":"app.handler","handlerAtInvoke":"app.handler"\}$/],
  ['lib/nested.api.orders.get', /^success "nested"$/],
  ['defaults.handler', /^success "through default"$/],
  ['../app.handler', /Runtime.MalformedHandlerName: '..\/app.handler' is not a valid handler name/],
  ['missing.handler', /Runtime.ImportModuleError: Error: Cannot find module 'missing'\nRequire stack:\n- /],
  ['missing-dependency.handler', /Runtime.ImportModuleError: Error: Cannot find module 'a-package-that-is-not-installed'/],
  ['esm-missing-dependency.handler', /Cannot find package 'a-package-that-is-not-installed'/],
  ['app.nothere', /Runtime.HandlerNotFound: app.nothere is undefined or not exported$/],
  ['zero.handler', /Runtime.HandlerNotFound: zero.handler is undefined or not exported$/],
  ['notfn.handler', /Runtime.HandlerNotFound: notfn.handler is not a function$/],
  ['fnprop.outer.inner', /Runtime.HandlerNotFound: fnprop.outer.inner is undefined or not exported$/],
  ['broken.handler', /Runtime.UserCodeSyntaxError: SyntaxError: /],
  ['throws.handler', /RangeError: configuration table missing$/],
];

describe('handler loading with and without the layer', () => {
  for (const [handler, expected] of CASES) {
    test(`${handler}: the same outcome`, async () => {
      const [without, withLayer] = await Promise.all([outcome(handler, false), outcome(handler, true)]);
      assert.match(without, expected, 'the runtime client without the layer');
      assert.equal(withLayer, without);
    });
  }
});
