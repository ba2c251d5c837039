// A subset of the fault suite (`npm run faults`, test/faults/) on every test run: the same
// scenarios, measured the same way, must keep nothing lost, no init failure and the handler's
// results unchanged.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { runScenario } from '../faults/measure.ts';
import { passes } from '../faults/report.ts';
import { scenarios } from '../faults/scenarios.ts';

const subset = ['backend hung', 'backend 500', 'runtime crash', 'extension SIGKILLed', 'bad extension settings'];

for (const scenario of scenarios({ soak: 2 }).filter((candidate) => subset.includes(candidate.name))) {
  test(`fault: ${scenario.name} (${scenario.fault})`, { timeout: 60_000 }, async () => {
    const row = await runScenario(scenario);
    assert.deepEqual(row.problems, []);
    assert.equal(row.lost, 0, 'nothing lost unaccounted');
    assert.equal(row.initFailures, 0);
    assert.equal(row.resultsUnchanged, true);
    assert.equal(row.killedAtShutdown, 0, 'every SHUTDOWN ended before its deadline');
    assert.ok(row.produced && row.delivered + row.written + row.dropped > 0, 'the telemetry is accounted for');
    assert.ok(passes(row));
  });
}
