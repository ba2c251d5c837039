/**
 * Counters, histograms and gauges kept in memory between collections, collected as OTLP metrics in
 * delta or cumulative temporality. Pure bookkeeping: the caller passes the time, nothing is read
 * from the clock or the environment. One series per metric name and attribute set.
 */
import { msToUnixNano } from '../invocations/trace-context.ts';
import { AggregationTemporality } from '../otlp/metrics-model.ts';
import type { HistogramDataPoint, Metric, NumberDataPoint } from '../otlp/metrics-model.ts';
import { attr } from '../otlp/types.ts';
import type { KeyValue } from '../otlp/types.ts';

export type Temporality = 'delta' | 'cumulative';

export type InstrumentKind = 'counter' | 'histogram' | 'gauge';

export interface InstrumentDefinition {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly kind: InstrumentKind;
  /** Histogram bucket upper bounds, ascending. */
  readonly bounds?: readonly number[];
}

export type Attributes = Readonly<Record<string, string | boolean>>;

interface Series {
  readonly attributes: KeyValue[];
  /** Counter total or gauge value. */
  value: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  bucketCounts: number[];
  /** Changed since the last collection (delta temporality reports only these). */
  touched: boolean;
}

/**
 * @example
 * const metrics = new MetricsAggregator('delta', Date.now());
 * metrics.add(invocations, 1, { 'faas.trigger': 'http' });
 * metrics.record(invokeDuration, 0.042, {});
 * const collected = metrics.collect(Date.now()); // Metric[]
 */
export class MetricsAggregator {
  readonly #temporality: Temporality;
  readonly #instruments = new Map<string, { definition: InstrumentDefinition; series: Map<string, Series> }>();
  /** Start of the current delta interval, or of the cumulative series (the aggregator's creation). */
  #intervalStartMs: number;
  readonly #startMs: number;

  constructor(temporality: Temporality, startMs: number) {
    this.#temporality = temporality;
    this.#startMs = startMs;
    this.#intervalStartMs = startMs;
  }

  get temporality(): Temporality {
    return this.#temporality;
  }

  /** Adds to a counter. Negative amounts are ignored: counters only grow. */
  add(definition: InstrumentDefinition, amount: number, attributes: Attributes = {}): void {
    if (!(amount >= 0)) return;
    const series = this.#series(definition, attributes);
    series.value += amount;
    series.touched = true;
  }

  /** Records one histogram measurement. */
  record(definition: InstrumentDefinition, value: number, attributes: Attributes = {}): void {
    if (!Number.isFinite(value)) return;
    const series = this.#series(definition, attributes);
    series.count++;
    series.sum += value;
    series.min = Math.min(series.min, value);
    series.max = Math.max(series.max, value);
    const bounds = definition.bounds ?? [];
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    series.bucketCounts[bucket]!++;
    series.touched = true;
  }

  /** Sets a gauge to its latest value. */
  set(definition: InstrumentDefinition, value: number, attributes: Attributes = {}): void {
    if (!Number.isFinite(value)) return;
    const series = this.#series(definition, attributes);
    series.value = value;
    series.touched = true;
  }

  /** True when something was recorded since the last collection. */
  get hasNews(): boolean {
    for (const { series } of this.#instruments.values()) for (const one of series.values()) if (one.touched) return true;
    return false;
  }

  /**
   * The metrics at `nowMs`. Delta: what changed since the last collection, then the series start
   * over. Cumulative: every series since the start. An instrument with nothing to say is left out.
   */
  collect(nowMs: number): Metric[] {
    const delta = this.#temporality === 'delta';
    const temporality = delta ? AggregationTemporality.delta : AggregationTemporality.cumulative;
    const startTimeUnixNano = msToUnixNano(delta ? this.#intervalStartMs : this.#startMs);
    const timeUnixNano = msToUnixNano(nowMs);
    const metrics: Metric[] = [];
    for (const { definition, series } of this.#instruments.values()) {
      const reported = [...series.values()].filter((one) => !delta || one.touched || definition.kind === 'gauge');
      const fresh = reported.filter((one) => one.touched);
      if (fresh.length === 0 && (delta || reported.length === 0)) continue;
      const base = { name: definition.name, unit: definition.unit, description: definition.description };
      if (definition.kind === 'histogram') {
        metrics.push({
          ...base,
          histogram: {
            aggregationTemporality: temporality,
            dataPoints: reported.map((one) => histogramPoint(one, definition, startTimeUnixNano, timeUnixNano)),
          },
        });
      } else if (definition.kind === 'counter') {
        metrics.push({
          ...base,
          sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints: reported.map((one) => numberPoint(one, startTimeUnixNano, timeUnixNano)) },
        });
      } else {
        // A gauge is a last value: no start time, and it is reported only when it was set again.
        metrics.push({ ...base, gauge: { dataPoints: fresh.map((one) => ({ attributes: one.attributes, timeUnixNano, ...numberValue(one.value) })) } });
      }
    }
    for (const { series } of this.#instruments.values()) {
      for (const [key, one] of series) {
        one.touched = false;
        if (delta) series.delete(key);
      }
    }
    if (delta) this.#intervalStartMs = nowMs;
    return metrics;
  }

  #series(definition: InstrumentDefinition, attributes: Attributes): Series {
    let instrument = this.#instruments.get(definition.name);
    if (!instrument) {
      instrument = { definition, series: new Map() };
      this.#instruments.set(definition.name, instrument);
    }
    const entries = Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = JSON.stringify(entries);
    let series = instrument.series.get(key);
    if (!series) {
      series = {
        attributes: entries.map(([name, value]) => attr(name, value)),
        value: 0,
        count: 0,
        sum: 0,
        min: Infinity,
        max: -Infinity,
        bucketCounts: new Array<number>((definition.bounds?.length ?? 0) + 1).fill(0),
        touched: false,
      };
      instrument.series.set(key, series);
    }
    return series;
  }
}

function numberValue(value: number): { asInt: string } | { asDouble: number } {
  return Number.isSafeInteger(value) ? { asInt: String(value) } : { asDouble: value };
}

function numberPoint(series: Series, startTimeUnixNano: string, timeUnixNano: string): NumberDataPoint {
  return { attributes: series.attributes, startTimeUnixNano, timeUnixNano, ...numberValue(series.value) };
}

function histogramPoint(series: Series, definition: InstrumentDefinition, startTimeUnixNano: string, timeUnixNano: string): HistogramDataPoint {
  return {
    attributes: series.attributes,
    startTimeUnixNano,
    timeUnixNano,
    count: String(series.count),
    sum: series.sum,
    ...(series.count > 0 ? { min: series.min, max: series.max } : {}),
    explicitBounds: [...(definition.bounds ?? [])],
    bucketCounts: series.bucketCounts.map(String),
  };
}
