import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, onTestFinished } from 'vitest';
import { externalExtensionPresent } from '../src/shutdown/external-extension.ts';

describe('externalExtensionPresent', () => {
  it('counts regular files in the extensions folder only, as Lambda starts only those', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'lambda-otel-opt-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const dir = join(root, 'extensions');
    // Assess, step by step as the folder fills up.
    assert.equal(externalExtensionPresent({}, dir), false, 'no folder');
    mkdirSync(dir);
    assert.equal(externalExtensionPresent({}, dir), false, 'empty folder');
    mkdirSync(join(dir, 'helper-assets'));
    writeFileSync(join(dir, 'helper-assets', 'config.json'), '{}');
    assert.equal(externalExtensionPresent({}, dir), false, 'a subdirectory is not an extension');
    symlinkSync(join(root, 'missing'), join(dir, 'dangling'));
    assert.equal(externalExtensionPresent({}, dir), false, 'a dangling link is not an extension');
    writeFileSync(join(root, 'real-extension'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync(join(root, 'real-extension'), join(dir, 'linked'));
    assert.equal(externalExtensionPresent({}, dir), true, 'a link to a file is started');
    rmSync(join(dir, 'linked'));
    writeFileSync(join(dir, 'lambda-otel'), '#!/bin/sh\n', { mode: 0o755 });
    assert.equal(externalExtensionPresent({}, dir), true, 'a regular file');
  });

  it("is true when the layer's exec wrapper ran (its extension ships beside it)", () => {
    assert.equal(externalExtensionPresent({ LAMBDA_OTEL_ORIGINAL_HANDLER: 'index.handler' }, '/no/such/folder'), true);
  });
});
