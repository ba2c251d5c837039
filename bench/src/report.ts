// Tables: a section has its own value columns (cells formatted by the section builder), then the
// budget and its verdict; printed as text while the benchmark runs and as markdown in BENCHMARKS.md.

export interface Row {
  metric: string;
  /** One formatted cell per column of the section. */
  cells: string[];
  budget?: string;
  /** undefined: no budget; true met; false missed. */
  ok?: boolean;
}

export interface Section {
  title: string;
  note?: string;
  columns: string[];
  rows: Row[];
}

/** `value` with `digits` after the point; '—' when it is not a number. */
export function fmt(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** A difference with its sign: +12.3 / −0.4. */
export function diff(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
}

/** `value / base` as 2.50×. */
export function times(value: number | undefined, base: number | undefined): string {
  if (value === undefined || base === undefined || !Number.isFinite(value) || !Number.isFinite(base) || base === 0) return '—';
  return `${(value / base).toFixed(2)}×`;
}

function header(section: Section): string[] {
  return ['metric', ...section.columns, 'budget', 'met'];
}

function cells(row: Row, section: Section): string[] {
  const values = section.columns.map((_, column) => row.cells[column] ?? '');
  return [row.metric, ...values, row.budget ?? '', row.ok === undefined ? '' : row.ok ? '✅ met' : '❌ missed'];
}

const isText = (column: number, count: number): boolean => column === 0 || column >= count - 2;

export function textTable(section: Section): string {
  const rows = [header(section), ...section.rows.map((row) => cells(row, section))];
  const count = rows[0]!.length;
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length)));
  const line = (row: string[]): string =>
    row
      .map((cell, column) => (isText(column, count) ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [section.title, line(rows[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(section: Section): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  const top = header(section);
  const out = [`| ${top.map(escape).join(' | ')} |`, `|${top.map((_, column) => (isText(column, top.length) ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of section.rows) out.push(`| ${cells(row, section).map(escape).join(' | ')} |`);
  return out.join('\n');
}

export function missedBudgets(sections: Section[]): { section: string; row: Row }[] {
  return sections.flatMap((section) => section.rows.filter((row) => row.ok === false).map((row) => ({ section: section.title, row })));
}
