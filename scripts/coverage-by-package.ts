// Prints the coverage of each package from vitest's json-summary report (coverage/coverage-summary.json):
// one row per package, its statements, branches, functions and lines, then the total.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Metric {
  total: number;
  covered: number;
}
type FileSummary = Record<'statements' | 'branches' | 'functions' | 'lines', Metric>;

const root = join(import.meta.dirname, '..');
const PACKAGES = ['packages/instrument', 'packages/emulator', 'extension'];
const METRICS = ['statements', 'branches', 'functions', 'lines'] as const;

const report = JSON.parse(readFileSync(join(root, 'coverage', 'coverage-summary.json'), 'utf8')) as Record<string, FileSummary>;

function sum(files: FileSummary[]): FileSummary {
  const zero = (): Metric => ({ total: 0, covered: 0 });
  const out: FileSummary = { statements: zero(), branches: zero(), functions: zero(), lines: zero() };
  for (const file of files)
    for (const metric of METRICS) {
      out[metric].total += file[metric].total;
      out[metric].covered += file[metric].covered;
    }
  return out;
}

const percent = ({ total, covered }: Metric): string => (total === 0 ? '—' : `${((100 * covered) / total).toFixed(1)} %`);
const files = Object.entries(report).filter(([path]) => path !== 'total');
const row = (name: string, summary: FileSummary, count: number): string =>
  [name.padEnd(22), String(count).padStart(6), ...METRICS.map((metric) => percent(summary[metric]).padStart(11))].join(' ');

console.log(['package'.padEnd(22), 'files'.padStart(6), ...METRICS.map((metric) => metric.padStart(11))].join(' '));
for (const pkg of PACKAGES) {
  const mine = files.filter(([path]) => relative(root, path).startsWith(`${pkg}/`)).map(([, summary]) => summary);
  console.log(row(pkg, sum(mine), mine.length));
}
console.log(row('all', sum(files.map(([, summary]) => summary)), files.length));
