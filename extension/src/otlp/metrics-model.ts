// The metrics signal in the extension's model (OTLP/JSON shape, see types.ts): what /v1/metrics
// carries, one item per metric with its resource and scope, and the regrouping into a request.
import { group } from './types.ts';
import type { InstrumentationScope, KeyValue, Resource } from './types.ts';

export const AggregationTemporality = { unspecified: 0, delta: 1, cumulative: 2 } as const;
export type AggregationTemporality = (typeof AggregationTemporality)[keyof typeof AggregationTemporality];

export interface Exemplar {
  filteredAttributes?: KeyValue[];
  timeUnixNano?: string;
  asDouble?: number;
  /** int64 as a decimal string. */
  asInt?: string;
  spanId?: string;
  traceId?: string;
}

export interface NumberDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano: string;
  asDouble?: number;
  /** int64 as a decimal string. */
  asInt?: string;
  exemplars?: Exemplar[];
  flags?: number;
}

export interface HistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano: string;
  /** uint64 as a decimal string. */
  count: string;
  sum?: number;
  /** One more than `explicitBounds`; uint64 as decimal strings. */
  bucketCounts: string[];
  explicitBounds: number[];
  exemplars?: Exemplar[];
  flags?: number;
  min?: number;
  max?: number;
}

export interface ExponentialHistogramBuckets {
  offset?: number;
  bucketCounts: string[];
}

export interface ExponentialHistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano: string;
  count: string;
  sum?: number;
  scale?: number;
  zeroCount?: string;
  positive?: ExponentialHistogramBuckets;
  negative?: ExponentialHistogramBuckets;
  flags?: number;
  exemplars?: Exemplar[];
  min?: number;
  max?: number;
  zeroThreshold?: number;
}

export interface SummaryDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano: string;
  count: string;
  sum?: number;
  quantileValues: { quantile?: number; value?: number }[];
  flags?: number;
}

/** One metric: a name, a unit and exactly one kind of data. */
export interface Metric {
  name: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints: NumberDataPoint[] };
  sum?: { dataPoints: NumberDataPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints: HistogramDataPoint[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints: ExponentialHistogramDataPoint[]; aggregationTemporality?: number };
  summary?: { dataPoints: SummaryDataPoint[] };
  metadata?: KeyValue[];
}

export interface ScopeMetrics {
  scope?: InstrumentationScope;
  metrics: Metric[];
  schemaUrl?: string;
}

export interface ResourceMetrics {
  resource?: Resource;
  scopeMetrics: ScopeMetrics[];
  schemaUrl?: string;
}

export interface ExportMetricsServiceRequest {
  resourceMetrics: ResourceMetrics[];
}

/** One metric with the resource and scope it was reported under (see SpanItem). */
export interface MetricItem {
  resource: Resource;
  scope: InstrumentationScope;
  metric: Metric;
  resourceSchemaUrl?: string;
  scopeSchemaUrl?: string;
}

/** Splits a request into one item per metric. */
export function flattenMetrics(req: ExportMetricsServiceRequest): MetricItem[] {
  const items: MetricItem[] = [];
  for (const rm of req.resourceMetrics ?? []) {
    const resource = rm.resource ?? { attributes: [] };
    for (const sm of rm.scopeMetrics ?? []) {
      const scope = sm.scope ?? { name: '' };
      for (const metric of sm.metrics ?? []) {
        const item: MetricItem = { resource, scope, metric };
        if (rm.schemaUrl) item.resourceSchemaUrl = rm.schemaUrl;
        if (sm.schemaUrl) item.scopeSchemaUrl = sm.schemaUrl;
        items.push(item);
      }
    }
  }
  return items;
}

/** Rebuilds a request from items (metric twin of groupSpans). */
export function groupMetrics(items: readonly MetricItem[]): ExportMetricsServiceRequest {
  return {
    resourceMetrics: group(items, (i) => items[i]!.metric).map((g) => {
      const rm: ResourceMetrics = {
        resource: g.resource,
        scopeMetrics: [...g.scopes.values()].map((s) => {
          const sm: ScopeMetrics = { scope: s.scope, metrics: s.records };
          if (s.scopeSchemaUrl) sm.schemaUrl = s.scopeSchemaUrl;
          return sm;
        }),
      };
      if (g.resourceSchemaUrl) rm.schemaUrl = g.resourceSchemaUrl;
      return rm;
    }),
  };
}

/** How many data points a metric holds (what OTLP's partial success counts). */
export function dataPointCount(metric: Metric): number {
  const data = metric.gauge ?? metric.sum ?? metric.histogram ?? metric.exponentialHistogram ?? metric.summary;
  return data?.dataPoints.length ?? 0;
}

function attributesLength(attributes: readonly KeyValue[] | undefined): number {
  let n = 0;
  for (const kv of attributes ?? []) n += 8 + kv.key.length + (kv.value.stringValue?.length ?? 12);
  return n;
}

/**
 * Approximate encoded size of one metric item, with its resource and scope (see estimateBytes in
 * types.ts): cheap, leaning high, used to cut requests before encoding.
 */
export function estimateMetricBytes(item: MetricItem): number {
  const { metric } = item;
  let n = 32 + attributesLength(item.resource.attributes) + item.scope.name.length + (item.scope.version?.length ?? 0);
  n += metric.name.length + (metric.description?.length ?? 0) + (metric.unit?.length ?? 0);
  const points: readonly { attributes: KeyValue[]; bucketCounts?: string[]; explicitBounds?: number[] }[] =
    metric.gauge?.dataPoints ?? metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? metric.summary?.dataPoints ?? [];
  for (const point of points) n += 48 + attributesLength(point.attributes) + 9 * ((point.bucketCounts?.length ?? 0) + (point.explicitBounds?.length ?? 0));
  for (const point of metric.exponentialHistogram?.dataPoints ?? []) {
    n += 64 + attributesLength(point.attributes) + 10 * ((point.positive?.bucketCounts.length ?? 0) + (point.negative?.bucketCounts.length ?? 0));
  }
  return n;
}
