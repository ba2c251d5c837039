// The few statistics the report needs: median and 95th percentile (nearest rank), and ratios.

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function p95(values: number[]): number {
  return percentile(values, 95);
}

/** Nearest-rank percentile; NaN for no values. */
export function percentile(values: number[], pct: number): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((pct / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function ratio(value: number, base: number): number {
  return Number.isFinite(value) && Number.isFinite(base) && base !== 0 ? value / base : Number.NaN;
}
