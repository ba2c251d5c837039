// Two local Lambdas with the layer at once on one machine, as two terminals or parallel tests run
// them. In Lambda each sandbox has its own loopback; here the emulator gives each environment its
// own receiver port (LAMBDA_OTEL_RECEIVER_PORT), so both extensions listen and both deliver every
// span to their own backend. Neither environment sets the port itself.
import assert from 'node:assert/strict';
import { onTestFinished, test } from 'vitest';
import { LambdaEnvironment } from '../../packages/emulator/src/index.ts';
import { basicFunctionDir } from '../fixtures/extension/harness.ts';
import { startOtlpSink } from '../support/otlp-sink.ts';
import { layerDir, node24 } from '../support/paths.ts';

test('two environments with the layer, started together: each extension listens on its own port and each sink gets all of its own spans', async () => {
  const sinks = await Promise.all([startOtlpSink(), startOtlpSink()]);
  const envs = sinks.map(
    (sink) =>
      new LambdaEnvironment({
        functionDir: basicFunctionDir,
        handler: 'index.handler',
        layers: [layerDir],
        nodePath: node24,
        timeoutSec: 3,
        env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/lambda-otel-handler', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, LAMBDA_OTEL_FLUSH: 'end' },
      }),
  );
  onTestFinished(async () => {
    await Promise.all(envs.map((env) => env.shutdown().catch(() => undefined)));
    await Promise.all(sinks.map((sink) => sink.close()));
  });

  const ports = await Promise.all(envs.map((env) => env.loopbackPorts()));
  assert.notEqual(ports[0]!.receiverPort, ports[1]!.receiverPort);
  assert.deepEqual(
    ports.map((p) => p.source),
    ['free-port', 'free-port'],
  );

  const inits = await Promise.all(envs.map((env) => env.init()));
  assert.deepEqual(
    inits.map((init) => init.ok),
    [true, true],
  );
  const invocations = 5;
  const requestIds: string[][] = [[], []];
  for (let n = 0; n < invocations; n++) {
    const results = await Promise.all(envs.map((env) => env.invoke({ n })));
    results.forEach((result, i) => {
      assert.equal(result.status, 'success', result.errorMessage);
      requestIds[i]!.push(result.requestId);
    });
  }
  await Promise.all(envs.map((env) => env.shutdown()));

  for (const [i, env] of envs.entries()) {
    const extensionLog = env.logs.filter((line) => line.source === 'lambda-otel').map((line) => line.line);
    assert.ok(!extensionLog.some((line) => line.includes('EADDRINUSE')), `environment ${i}: ${extensionLog.join('\n')}`);
    const roots = sinks[i]!.spans().filter((span) => span.attributes['faas.invocation.id'] !== undefined);
    assert.deepEqual(
      roots.map((span) => span.attributes['faas.invocation.id']).sort(),
      [...requestIds[i]!].sort(),
      `environment ${i}'s sink holds its own root spans, once each`,
    );
  }
});
