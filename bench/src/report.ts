// Turns the measurements into rows (A, B, C, B/A, C/A, budget, verdict), prints them as text tables
// and renders BENCHMARKS.md.
import { ratio } from './stats.ts';

export interface Row {
  metric: string;
  unit: string;
  a?: number;
  b?: number;
  c?: number;
  /** Digits after the point (default 1). */
  digits?: number;
  /** Show B/A and C/A (default true when A is set). */
  ratios?: boolean;
  budget?: string;
  /** undefined: no budget; true met; false missed. */
  ok?: boolean;
}

export interface Section {
  title: string;
  note?: string;
  /** Column headers for a, b, c and the two ratios, when they are not A, B, C. */
  columns?: [string, string, string, string, string];
  rows: Row[];
}

const defaultColumns: [string, string, string, string, string] = ['A bare', 'B lambda-otel', 'C upstream', 'B/A', 'C/A'];
const headerOf = (section: Section): string[] => ['metric', ...(section.columns ?? defaultColumns), 'budget', 'met'];
/** Columns a section labels '' are left out. */
const keep = <T>(header: string[], row: T[]): T[] => row.filter((_, column) => header[column] !== '');
const isText = (label: string): boolean => label === 'metric' || label === 'budget' || label === 'met';

function cells(row: Row, header: string[]): string[] {
  const digits = row.digits ?? 1;
  const value = (v: number | undefined, column: number): string =>
    header[column] === '' ? '' : v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(digits)}`;
  const showRatios = row.ratios ?? row.a !== undefined;
  const r = (v: number | undefined): string => {
    if (!showRatios || v === undefined || row.a === undefined) return '';
    const x = ratio(v, row.a);
    return Number.isFinite(x) ? `${x.toFixed(2)}×` : '—';
  };
  return [
    `${row.metric}${row.unit ? ` (${row.unit})` : ''}`,
    value(row.a, 1),
    value(row.b, 2),
    value(row.c, 3),
    r(row.b),
    r(row.c),
    row.budget ?? '',
    row.ok === undefined ? '' : row.ok ? '✅' : '❌',
  ];
}

export function textTable(section: Section): string {
  const full = headerOf(section);
  const header = keep(full, full);
  const rows = [header, ...section.rows.map((row) => keep(full, cells(row, full)))];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length)));
  const line = (row: string[]): string =>
    row
      .map((cell, column) => (isText(header[column] ?? '') ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [section.title, line(rows[0] as string[]), widths.map((width) => '-'.repeat(width)).join('  ')];
  for (const row of rows.slice(1)) out.push(line(row));
  return out.join('\n');
}

export function markdownTable(section: Section): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  const full = headerOf(section);
  const header = keep(full, full);
  const out = [`| ${header.map(escape).join(' | ')} |`, `|${header.map((label) => (isText(label) ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of section.rows) out.push(`| ${keep(full, cells(row, full)).map(escape).join(' | ')} |`);
  return out.join('\n');
}

export function missedBudgets(sections: Section[]): Row[] {
  return sections.flatMap((section) => section.rows.filter((row) => row.ok === false));
}
