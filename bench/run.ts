// `npm run bench`: bare vs lambda-otel vs the upstream OpenTelemetry recipe vs the floor (a no-op
// bash extension), side by side, unconstrained and at one CPU; rewrites BENCHMARKS.md.
// Options: --cold N, --peer-cold N (cold starts of the peers D and T, at most --cold), --first N, --warm N, --ingest-spans N, --cpus LIST (e.g. none,1),
// --machine-state TEXT, --out FILE, --no-write.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultOptions, runBench } from './src/bench.ts';

const { values } = parseArgs({
  options: {
    cold: { type: 'string' },
    'peer-cold': { type: 'string' },
    first: { type: 'string' },
    warm: { type: 'string' },
    'ingest-spans': { type: 'string' },
    cpus: { type: 'string' },
    'machine-state': { type: 'string' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

function count(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) fail(`--${name} is invalid, expected a positive integer, actual ${raw}`);
  return value;
}

function cpuPasses(raw: string | undefined): (number | undefined)[] {
  if (raw === undefined) return defaultOptions.cpuPasses;
  return raw.split(',').map((item) => {
    if (item.trim() === 'none') return undefined;
    const value = Number(item);
    if (!Number.isFinite(value) || value <= 0) fail(`--cpus is invalid, expected a comma-separated list of CPU counts or none, actual ${raw}`);
    return value;
  });
}

await runBench({
  coldRuns: count('cold', values.cold, defaultOptions.coldRuns),
  peerColdRuns: count('peer-cold', values['peer-cold'], defaultOptions.peerColdRuns),
  firstInvokes: count('first', values.first, defaultOptions.firstInvokes),
  warmInvokes: count('warm', values.warm, defaultOptions.warmInvokes),
  cpuPasses: cpuPasses(values.cpus),
  ingest: { ...defaultOptions.ingest, spans: count('ingest-spans', values['ingest-spans'], defaultOptions.ingest.spans) },
  ingestPaced: defaultOptions.ingestPaced,
  machineNote: values['machine-state'],
  outFile: values['no-write'] ? undefined : values.out ? resolve(values.out) : defaultOptions.outFile,
  log: (line) => console.log(line),
});
