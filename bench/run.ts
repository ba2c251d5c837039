// `npm run bench`: bare vs lambda-otel vs the upstream OpenTelemetry recipe, side by side.
// Options: --cold N, --warm N, --ingest-spans N, --out FILE, --no-write.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultOptions, runBench } from './src/bench.ts';

const { values } = parseArgs({
  options: {
    cold: { type: 'string' },
    warm: { type: 'string' },
    'ingest-spans': { type: 'string' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});

function count(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench: --${name} is invalid, expected a positive integer, actual ${raw}`);
    process.exit(2);
  }
  return value;
}

await runBench({
  coldRuns: count('cold', values.cold, defaultOptions.coldRuns),
  warmInvokes: count('warm', values.warm, defaultOptions.warmInvokes),
  ingest: { ...defaultOptions.ingest, spans: count('ingest-spans', values['ingest-spans'], defaultOptions.ingest.spans) },
  ingestPaced: defaultOptions.ingestPaced,
  outFile: values['no-write'] ? undefined : values.out ? resolve(values.out) : defaultOptions.outFile,
  log: (line) => console.log(line),
});
