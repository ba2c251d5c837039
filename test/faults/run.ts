// `npm run faults`: runs every fault scenario against the built layer (run `npm run build` first)
// and writes RELIABILITY.md at the repository root. Options: --only <substring> (scenarios whose
// name contains it), --soak N (invocations of the soak, default 1000), --no-write.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { InvocationResult } from '../../packages/emulator/src/types.ts';
import { layerDir, repoRoot } from '../support/paths.ts';
import { runScenario } from './measure.ts';
import type { Row } from './measure.ts';
import { passes, renderReliability } from './report.ts';
import { scenarios } from './scenarios.ts';

const { values } = parseArgs({
  options: { only: { type: 'string' }, soak: { type: 'string' }, 'no-write': { type: 'boolean', default: false } },
});
const soak = values.soak === undefined ? 1000 : Number(values.soak);
if (!Number.isInteger(soak) || soak < 2) {
  console.error(`faults: --soak is invalid, expected an integer of at least 2, actual ${values.soak}`);
  process.exit(2);
}
if (!existsSync(join(layerDir, 'extensions', 'lambda-otel'))) {
  console.error(`faults: no built layer in ${layerDir}; run \`npm run build\` first`);
  process.exit(2);
}

const startedAtMs = Date.now();
const selected = scenarios({ soak }).filter((scenario) => values.only === undefined || scenario.name.includes(values.only));
const baselines = new Map<string, Promise<InvocationResult[]>>();
const rows: Row[] = [];
for (const scenario of selected) {
  const row = await runScenario(scenario, baselines);
  rows.push(row);
  const verdict = passes(row) ? 'ok  ' : 'FAIL';
  console.log(
    `${verdict} ${row.name.padEnd(34)} lost ${row.lost}, delivered ${row.delivered}, written ${row.written}, dropped ${row.dropped}${row.sampledOut ? `, sampled out ${row.sampledOut}` : ''}, post-runtime p50 / max ${Math.round(row.postRuntimeMs.p50)} / ${Math.round(row.postRuntimeMs.max)} ms, shutdown ${Math.round(row.shutdownMs)} ms (${(row.wallMs / 1000).toFixed(1)} s)`,
  );
  for (const problem of row.problems) console.log(`     ${problem}`);
  for (const note of row.notes) console.log(`     note: ${note}`);
}
const markdown = renderReliability(rows, { totalMs: Date.now() - startedAtMs, soak });
if (!values['no-write'] && values.only === undefined) {
  writeFileSync(join(repoRoot, 'RELIABILITY.md'), markdown);
  console.log('wrote RELIABILITY.md');
}
// Hung answers of the test backend hold timers; the run is over.
process.exit(rows.every(passes) ? 0 : 1);
