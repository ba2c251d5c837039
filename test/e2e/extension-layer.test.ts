// The layer as `npm run build:layer` wrote it (dist/layer and dist/lambda-otel-layer.zip): the /opt
// tree, executables that stay executable in the zip, paths relative to the layer, and a launcher
// that finds its bundle from wherever the layer sits.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { test } from 'vitest';
import { layerDir, node24, repoRoot } from '../support/paths.ts';

const zipPath = join(repoRoot, 'dist', 'lambda-otel-layer.zip');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [relative(layerDir, full).split(sep).join('/')];
  });
}

/** Names and Unix modes from the zip's central directory. */
function zipEntries(zip: Buffer): Map<string, number> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'the zip has an end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, number>();
  for (let n = 0; n < count; n++) {
    assert.equal(zip.readUInt32LE(offset), 0x02014b50, 'central directory entry');
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const mode = zip.readUInt32LE(offset + 38) >>> 16;
    entries.set(zip.toString('utf8', offset + 46, offset + 46 + nameLength), mode);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

test('dist/layer is the /opt tree: launcher, extension bundle, exec wrapper, plugin', () => {
  const files = listFiles(layerDir);
  for (const required of [
    'extensions/lambda-otel',
    'lambda-otel/extension.mjs',
    'lambda-otel-handler',
    'nodejs/node_modules/@lambda-otel/instrument/package.json',
    'nodejs/node_modules/@lambda-otel/instrument/index.js',
    'nodejs/node_modules/@lambda-otel/instrument/auto.mjs',
    'nodejs/node_modules/@lambda-otel/instrument/middy.js',
    'nodejs/node_modules/@lambda-otel/instrument/writers.js',
  ]) {
    assert.ok(files.includes(required), `${required} is in the layer`);
  }
  assert.ok(
    files.some((file) => file.startsWith('lambda-otel/chunks/')),
    'the lazily loaded chunks sit beside the bundle',
  );
  // Only the launcher lies directly in extensions/: Lambda executes every file there.
  assert.deepEqual(
    files.filter((file) => file.startsWith('extensions/')),
    ['extensions/lambda-otel'],
  );
  for (const script of ['extensions/lambda-otel', 'lambda-otel-handler']) {
    assert.equal(statSync(join(layerDir, script)).mode & 0o111, 0o111, `${script} is executable`);
    const code = readFileSync(join(layerDir, script), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    assert.doesNotMatch(code, /\/opt\/|\/work\//, `${script} names no absolute layer path`);
  }
  // Start-up: no built-in imported as an ES module (its facade loads every export, undici included).
  for (const file of files.filter((name) => name.startsWith('lambda-otel/'))) {
    assert.doesNotMatch(readFileSync(join(layerDir, file), 'utf8'), /\bfrom\s*["']node:/, `${file} imports no node: built-in statically`);
  }
});

test('the zip holds the same files with their modes, at paths relative to the layer', () => {
  const entries = zipEntries(readFileSync(zipPath));
  assert.deepEqual([...entries.keys()].sort(), listFiles(layerDir).sort());
  for (const name of entries.keys()) assert.ok(!name.startsWith('/') && !name.split('/').includes('..'), name);
  assert.equal((entries.get('extensions/lambda-otel') ?? 0) & 0o777, 0o755);
  assert.equal((entries.get('lambda-otel-handler') ?? 0) & 0o777, 0o755);
});

test('the launcher finds the bundle relative to itself, from any working directory', () => {
  // Outside Lambda the extension stops at once, saying so: proof that node ran the bundle.
  const env = { PATH: `${dirname(node24)}:/usr/bin:/bin` };
  for (const [cwd, launcher] of [
    [repoRoot, join(layerDir, 'extensions', 'lambda-otel')],
    [layerDir, 'extensions/lambda-otel'],
  ] as const) {
    const run = spawnSync(launcher, [], { cwd, env, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /AWS_LAMBDA_RUNTIME_API is not set/);
  }
});
