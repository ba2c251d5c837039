// The layer on a function whose environment has no Node for the extension (a Python, Java or
// OS-only function): the launcher stays out of the way. It registers for SHUTDOWN only, says why
// once, and exits 0 at SHUTDOWN; the function's init and invokes are untouched.
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { extensionLines, startHarness } from '../fixtures/extension/harness.ts';

/** A PATH with only these tools, and no node. */
function pathWith(tools: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'no-node-'));
  for (const tool of tools) symlinkSync(`/usr/bin/${tool}`, join(dir, tool));
  return dir;
}

// bash as on Amazon Linux (where /bin/sh is bash); curl where there is no bash.
test.each([[['bash']], [['curl', 'tr', 'sed']]])(
  'no node for the extension (PATH with %j): init succeeds, invokes answer, one line says why, exit 0 at SHUTDOWN',
  async (tools) => {
    const harness = await startHarness({ wrapper: false, env: { PATH: pathWith(tools) } });
    onTestFinished(() => harness.close());
    for (let n = 1; n <= 2; n++) {
      const result = await harness.env.invoke({ n });
      assert.equal(result.status, 'success');
      assert.deepEqual(result.response, { ok: true, n });
    }
    const registration = harness.env.registrations.find((r) => r.name === 'lambda-otel');
    assert.deepEqual(registration?.events, ['SHUTDOWN']);
    const down = await harness.env.shutdown();
    const extension = down.processes.find((p) => p.name === 'lambda-otel');
    assert.equal(extension?.exitCode, 0);
    assert.equal(extension?.killed, false);
    const said = extensionLines(harness.env).filter((line) => String(line.message).startsWith('no node binary found'));
    assert.equal(said.length, 1);
    assert.equal(said[0]!.level, 'WARN');
  },
);
