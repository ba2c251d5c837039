// Relieving a filling buffer in the background, with the real flusher and OTLP exporter talking to
// the test sink: when exports start and how large they are, when they may not start (the environment
// could freeze), their deadline, the pause after a failing backend, and the flow control that makes
// a sender wait rather than lose its oldest items.
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { TelemetryBuffer } from '../src/buffer/telemetry-buffer.ts';
import { readExporterConfig } from '../src/export/config.ts';
import type { OtlpExporterConfig } from '../src/export/config.ts';
import { createOtlpHttpExporter } from '../src/export/otlp-http-exporter.ts';
import { ADMISSION_HOLD_FILL, HIGH_WATER_FILL, MAX_PRESSURE_EXPORTS, needsRelief, shouldHoldAdmission } from '../src/flush/flush-policy.ts';
import { Flusher } from '../src/flush/flusher.ts';
import { PressureRelief } from '../src/flush/pressure-relief.ts';
import { createLoopState, Phase } from '../src/lifecycle/state.ts';
import type { LoopState } from '../src/lifecycle/state.ts';
import { createLogger } from '../src/logger.ts';
import { makeSpans } from './fixtures/items.ts';
import { sinkForSuite } from './fixtures/sink.ts';

describe('relief decisions', () => {
  it('relieves past the high-water mark, while fewer than the maximum of exports run', () => {
    assert.equal(needsRelief({ waitingItems: 10, heldFill: HIGH_WATER_FILL - 0.01, exportsInFlight: 0 }), false);
    assert.equal(needsRelief({ waitingItems: 10, heldFill: HIGH_WATER_FILL, exportsInFlight: 0 }), true);
    assert.equal(needsRelief({ waitingItems: 10, heldFill: 1, exportsInFlight: MAX_PRESSURE_EXPORTS }), false);
    assert.equal(needsRelief({ waitingItems: 0, heldFill: 1, exportsInFlight: 0 }), false, 'all of it already in flight');
  });

  it('holds a request back only when it would not fit and an export in flight will make room', () => {
    assert.equal(shouldHoldAdmission({ heldFill: 0.9, exportsInFlight: 1, incomingFill: 0.02 }), false);
    assert.equal(shouldHoldAdmission({ heldFill: 0.9, exportsInFlight: 1, incomingFill: ADMISSION_HOLD_FILL }), true);
    assert.equal(shouldHoldAdmission({ heldFill: 1, exportsInFlight: 0, incomingFill: 0.02 }), false, 'nothing would make room');
  });
});

describe('PressureRelief', () => {
  const sink = sinkForSuite();
  const logger = createLogger('error', () => undefined);

  function setup(options: { phase?: LoopState['phase']; managedInstances?: boolean; deadlineInMs?: number } = {}) {
    const buffer = new TelemetryBuffer({ maxItems: 80, maxBytes: 10 * 1024 * 1024 });
    const exporter = createOtlpHttpExporter(readExporterConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: sink().url }) as OtlpExporterConfig, logger, {
      retryPolicy: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 },
    });
    const state = createLoopState();
    state.phase = options.phase ?? Phase.invoking;
    state.invocationDeadlineMs = Date.now() + (options.deadlineInMs ?? 10_000);
    const flusher: Flusher = new Flusher({ buffer, getExporter: async () => exporter, logger, onSettled: () => relief.settled() });
    const relief = new PressureRelief({
      buffer,
      flusher,
      state,
      config: { managedInstances: options.managedInstances ?? false, deadlineMarginMs: 100, exportTimeoutMs: 5000 },
      logger,
    });
    let atMs = 0;
    const fill = (count: number): void => {
      for (const item of makeSpans(count)) buffer.push({ kind: 'span', item, bytes: 100, atMs: ++atMs });
    };
    return { buffer, flusher, relief, state, fill, exporter };
  }

  it('below the mark exports nothing; past it starts bounded exports at once, and they carry everything', async () => {
    const { buffer, flusher, relief, fill, exporter } = setup();
    fill(39);
    relief.check();
    assert.equal(flusher.inFlight, 0, '39 of 80: below half');
    fill(41);
    relief.check();
    assert.equal(flusher.inFlight, MAX_PRESSURE_EXPORTS);
    assert.equal(buffer.size, 80 - MAX_PRESSURE_EXPORTS * 10, 'each export takes an eighth of the item bound');
    await flusher.waitIdle(Date.now() + 5000);
    assert.ok(buffer.heldFill < HIGH_WATER_FILL, 'relieved below the mark');
    assert.equal(sink().spans().length + buffer.size, 80, 'nothing lost on the way');
    await exporter.shutdown();
  });

  it('starts nothing while the environment may freeze, but does under Managed Instances', async () => {
    for (const phase of [Phase.waiting, Phase.settling, Phase.shuttingDown, Phase.init]) {
      const { flusher, relief, fill, exporter } = setup({ phase });
      fill(80);
      relief.check();
      assert.equal(flusher.inFlight, 0, phase);
      await exporter.shutdown();
    }
    const { flusher, relief, fill, exporter } = setup({ phase: Phase.waiting, managedInstances: true });
    fill(80);
    relief.check();
    assert.equal(flusher.inFlight, MAX_PRESSURE_EXPORTS);
    await flusher.waitIdle(Date.now() + 5000);
    await exporter.shutdown();
  });

  it('a relieving export ends by the invocation deadline; what the backend had not taken goes back', async () => {
    const { buffer, flusher, relief, fill, exporter } = setup({ deadlineInMs: 400 });
    sink().setResponder(() => ({ status: 200, delayMs: 3000 }));
    fill(80);
    relief.check();
    assert.equal(flusher.inFlight, MAX_PRESSURE_EXPORTS);
    await flusher.waitIdle(Date.now() + 2000);
    assert.equal(flusher.inFlight, 0, 'settled by the deadline, not when the backend answered');
    assert.equal(buffer.size, 80, 'back in the buffer');
    assert.equal(flusher.counters.sent, 0);
    await exporter.shutdown();
  });

  it('after a retryable failure the next relief waits a moment instead of hammering the backend', async () => {
    const { flusher, relief, fill, exporter } = setup();
    sink().setResponder(() => ({ status: 503 }));
    fill(80);
    relief.check();
    await flusher.waitIdle(Date.now() + 2000);
    const attempts = sink().requests.length;
    relief.check();
    assert.equal(flusher.inFlight, 0, 'paused');
    assert.equal(sink().requests.length, attempts);
    await exporter.shutdown();
  });

  it('a nearly full buffer makes the next request wait until an export has made room', async () => {
    const { buffer, flusher, relief, fill, exporter } = setup();
    sink().setResponder(() => ({ status: 200, delayMs: 20 }));
    fill(80);
    relief.check();
    fill(40); // refills what the exports took: the buffer holds its bound, half of it in flight
    assert.equal(buffer.heldFill, 1);
    const admitted = relief.admit();
    assert.ok(admitted instanceof Promise, 'held back');
    await admitted;
    assert.ok(buffer.heldFill < 1, 'let in once there is room');
    relief.requestDone();
    await flusher.waitIdle(Date.now() + 5000);
    assert.equal(relief.admit(), undefined, 'nothing in flight: a wait would not help');
    relief.requestDone();
    await exporter.shutdown();
  });
});
