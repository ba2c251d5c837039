// The plugin as the layer ships it (dist/layer): one bundle in the init path, and the writers (HTTP,
// gzip, OTLP serializers) loaded only at the first export, after the first response.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'vitest';
import { layerDir, node24 } from '../support/paths.ts';

const pluginDir = join(layerDir, 'nodejs', 'node_modules', '@lambda-otel', 'instrument');

test('index.js is one bundle: no static import of another file, the writers only through import()', () => {
  const code = readFileSync(join(pluginDir, 'index.js'), 'utf8');
  assert.deepEqual(code.match(/(?:from|import)\s*["']\.\/[^"']+["']/g) ?? [], [], 'no static import of a sibling file');
  assert.deepEqual(code.match(/import\(\s*["'][^"']+["']\s*\)/g), ['import("./writers.js")']);
  assert.equal(/import\.meta|\brequire\(/.test(code), false, 'nothing that breaks a CommonJS bundle');
  assert.equal(/ProtobufTraceSerializer|gzipSync/.test(code), false, 'no serializer or gzip in the init path');
});

test('no module loader hook: every other module loads as it would without the layer', () => {
  for (const file of ['auto.mjs', 'index.js']) {
    assert.equal(/registerHooks|--(?:experimental-)?(?:loader|import)\b/.test(readFileSync(join(pluginDir, file), 'utf8')), false, file);
  }
});

test('the writers bundle is loaded after the first response, not at import or during the invocation', () => {
  // Prepare: a fresh process that records every module the loader loads.
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    const writersLoaded = () => loaded.some((url) => url.endsWith('/writers.js'));
    const { wrap, flush } = await import(${JSON.stringify(pathToFileURL(join(pluginDir, 'index.js')).href)});
    const handler = wrap(async () => ({ statusCode: 200 }), { writer: 'stdout' });
    const afterImport = writersLoaded();
    const result = await handler({}, { awsRequestId: 'r-1', getRemainingTimeInMillis: () => 3000 });
    const atResponse = writersLoaded();
    await new Promise((resolve) => setImmediate(() => setImmediate(() => setImmediate(resolve))));
    await flush();
    process.stderr.write(JSON.stringify({ afterImport, atResponse, afterExport: writersLoaded(), result }));
  `;
  // Act
  const run = spawnSync(node24, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'f' },
    timeout: 10_000,
  });
  // Assess
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stderr), { afterImport: false, atResponse: false, afterExport: true, result: { statusCode: 200 } });
  const envelope = JSON.parse(run.stdout.split('\n').find((line) => line.includes('__otel_otlp_stdout'))!);
  assert.equal(envelope.source, 'f', 'the batch went out through the stdout writer');
});
