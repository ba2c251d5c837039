// The OTLP messages the extension reads and writes, as a protobufjs JSON descriptor
// (`Root.fromJSON`). Field numbers follow opentelemetry-proto (common/v1, resource/v1, trace/v1,
// logs/v1, metrics/v1 and the collector trace/logs/metrics service messages). Field names are the proto3 JSON names
// (lowerCamelCase) so decoded objects already have the OTLP/JSON shape. Fields added upstream later
// (e.g. Resource.entity_refs) are absent on purpose: unknown fields are skipped when decoding.

const kv = 'opentelemetry.proto.common.v1.KeyValue';
const anyValue = 'opentelemetry.proto.common.v1.AnyValue';
const scope = 'opentelemetry.proto.common.v1.InstrumentationScope';
const resource = 'opentelemetry.proto.resource.v1.Resource';
const numberDataPoint = 'opentelemetry.proto.metrics.v1.NumberDataPoint';
const exemplar = 'opentelemetry.proto.metrics.v1.Exemplar';
const temporality = 'opentelemetry.proto.metrics.v1.AggregationTemporality';

export const otlpSchema = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: {
              nested: {
                v1: {
                  nested: {
                    AnyValue: {
                      oneofs: {
                        value: {
                          oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'],
                        },
                      },
                      fields: {
                        stringValue: { type: 'string', id: 1 },
                        boolValue: { type: 'bool', id: 2 },
                        intValue: { type: 'int64', id: 3 },
                        doubleValue: { type: 'double', id: 4 },
                        arrayValue: { type: 'opentelemetry.proto.common.v1.ArrayValue', id: 5 },
                        kvlistValue: { type: 'opentelemetry.proto.common.v1.KeyValueList', id: 6 },
                        bytesValue: { type: 'bytes', id: 7 },
                      },
                    },
                    ArrayValue: { fields: { values: { rule: 'repeated', type: anyValue, id: 1 } } },
                    KeyValueList: { fields: { values: { rule: 'repeated', type: kv, id: 1 } } },
                    KeyValue: {
                      fields: {
                        key: { type: 'string', id: 1 },
                        value: { type: anyValue, id: 2 },
                      },
                    },
                    InstrumentationScope: {
                      fields: {
                        name: { type: 'string', id: 1 },
                        version: { type: 'string', id: 2 },
                        attributes: { rule: 'repeated', type: kv, id: 3 },
                        droppedAttributesCount: { type: 'uint32', id: 4 },
                      },
                    },
                  },
                },
              },
            },
            resource: {
              nested: {
                v1: {
                  nested: {
                    Resource: {
                      fields: {
                        attributes: { rule: 'repeated', type: kv, id: 1 },
                        droppedAttributesCount: { type: 'uint32', id: 2 },
                      },
                    },
                  },
                },
              },
            },
            trace: {
              nested: {
                v1: {
                  nested: {
                    ResourceSpans: {
                      fields: {
                        resource: { type: resource, id: 1 },
                        scopeSpans: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.ScopeSpans', id: 2 },
                        schemaUrl: { type: 'string', id: 3 },
                      },
                    },
                    ScopeSpans: {
                      fields: {
                        scope: { type: scope, id: 1 },
                        spans: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.Span', id: 2 },
                        schemaUrl: { type: 'string', id: 3 },
                      },
                    },
                    Span: {
                      fields: {
                        traceId: { type: 'bytes', id: 1 },
                        spanId: { type: 'bytes', id: 2 },
                        traceState: { type: 'string', id: 3 },
                        parentSpanId: { type: 'bytes', id: 4 },
                        flags: { type: 'fixed32', id: 16 },
                        name: { type: 'string', id: 5 },
                        kind: { type: 'opentelemetry.proto.trace.v1.Span.SpanKind', id: 6 },
                        startTimeUnixNano: { type: 'fixed64', id: 7 },
                        endTimeUnixNano: { type: 'fixed64', id: 8 },
                        attributes: { rule: 'repeated', type: kv, id: 9 },
                        droppedAttributesCount: { type: 'uint32', id: 10 },
                        events: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.Span.Event', id: 11 },
                        droppedEventsCount: { type: 'uint32', id: 12 },
                        links: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.Span.Link', id: 13 },
                        droppedLinksCount: { type: 'uint32', id: 14 },
                        status: { type: 'opentelemetry.proto.trace.v1.Status', id: 15 },
                      },
                      nested: {
                        SpanKind: {
                          values: {
                            SPAN_KIND_UNSPECIFIED: 0,
                            SPAN_KIND_INTERNAL: 1,
                            SPAN_KIND_SERVER: 2,
                            SPAN_KIND_CLIENT: 3,
                            SPAN_KIND_PRODUCER: 4,
                            SPAN_KIND_CONSUMER: 5,
                          },
                        },
                        Event: {
                          fields: {
                            timeUnixNano: { type: 'fixed64', id: 1 },
                            name: { type: 'string', id: 2 },
                            attributes: { rule: 'repeated', type: kv, id: 3 },
                            droppedAttributesCount: { type: 'uint32', id: 4 },
                          },
                        },
                        Link: {
                          fields: {
                            traceId: { type: 'bytes', id: 1 },
                            spanId: { type: 'bytes', id: 2 },
                            traceState: { type: 'string', id: 3 },
                            attributes: { rule: 'repeated', type: kv, id: 4 },
                            droppedAttributesCount: { type: 'uint32', id: 5 },
                            flags: { type: 'fixed32', id: 6 },
                          },
                        },
                      },
                    },
                    Status: {
                      fields: {
                        message: { type: 'string', id: 2 },
                        code: { type: 'opentelemetry.proto.trace.v1.Status.StatusCode', id: 3 },
                      },
                      nested: {
                        StatusCode: { values: { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 } },
                      },
                    },
                  },
                },
              },
            },
            logs: {
              nested: {
                v1: {
                  nested: {
                    ResourceLogs: {
                      fields: {
                        resource: { type: resource, id: 1 },
                        scopeLogs: { rule: 'repeated', type: 'opentelemetry.proto.logs.v1.ScopeLogs', id: 2 },
                        schemaUrl: { type: 'string', id: 3 },
                      },
                    },
                    ScopeLogs: {
                      fields: {
                        scope: { type: scope, id: 1 },
                        logRecords: { rule: 'repeated', type: 'opentelemetry.proto.logs.v1.LogRecord', id: 2 },
                        schemaUrl: { type: 'string', id: 3 },
                      },
                    },
                    SeverityNumber: {
                      values: {
                        SEVERITY_NUMBER_UNSPECIFIED: 0,
                        SEVERITY_NUMBER_TRACE: 1,
                        SEVERITY_NUMBER_TRACE2: 2,
                        SEVERITY_NUMBER_TRACE3: 3,
                        SEVERITY_NUMBER_TRACE4: 4,
                        SEVERITY_NUMBER_DEBUG: 5,
                        SEVERITY_NUMBER_DEBUG2: 6,
                        SEVERITY_NUMBER_DEBUG3: 7,
                        SEVERITY_NUMBER_DEBUG4: 8,
                        SEVERITY_NUMBER_INFO: 9,
                        SEVERITY_NUMBER_INFO2: 10,
                        SEVERITY_NUMBER_INFO3: 11,
                        SEVERITY_NUMBER_INFO4: 12,
                        SEVERITY_NUMBER_WARN: 13,
                        SEVERITY_NUMBER_WARN2: 14,
                        SEVERITY_NUMBER_WARN3: 15,
                        SEVERITY_NUMBER_WARN4: 16,
                        SEVERITY_NUMBER_ERROR: 17,
                        SEVERITY_NUMBER_ERROR2: 18,
                        SEVERITY_NUMBER_ERROR3: 19,
                        SEVERITY_NUMBER_ERROR4: 20,
                        SEVERITY_NUMBER_FATAL: 21,
                        SEVERITY_NUMBER_FATAL2: 22,
                        SEVERITY_NUMBER_FATAL3: 23,
                        SEVERITY_NUMBER_FATAL4: 24,
                      },
                    },
                    LogRecord: {
                      fields: {
                        timeUnixNano: { type: 'fixed64', id: 1 },
                        observedTimeUnixNano: { type: 'fixed64', id: 11 },
                        severityNumber: { type: 'opentelemetry.proto.logs.v1.SeverityNumber', id: 2 },
                        severityText: { type: 'string', id: 3 },
                        body: { type: anyValue, id: 5 },
                        attributes: { rule: 'repeated', type: kv, id: 6 },
                        droppedAttributesCount: { type: 'uint32', id: 7 },
                        flags: { type: 'fixed32', id: 8 },
                        traceId: { type: 'bytes', id: 9 },
                        spanId: { type: 'bytes', id: 10 },
                        eventName: { type: 'string', id: 12 },
                      },
                    },
                  },
                },
              },
            },
            metrics: {
              nested: {
                v1: {
                  nested: {
                    ResourceMetrics: {
                      fields: {
                        resource: { type: resource, id: 1 },
                        scopeMetrics: { rule: 'repeated', type: 'opentelemetry.proto.metrics.v1.ScopeMetrics', id: 2 },
                        schemaUrl: { type: 'string', id: 3 },
                      },
                    },
                    ScopeMetrics: {
                      fields: {
                        scope: { type: scope, id: 1 },
                        metrics: { rule: 'repeated', type: 'opentelemetry.proto.metrics.v1.Metric', id: 2 },
                        schemaUrl: { type: 'string', id: 3 },
                      },
                    },
                    Metric: {
                      oneofs: { data: { oneof: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] } },
                      fields: {
                        name: { type: 'string', id: 1 },
                        description: { type: 'string', id: 2 },
                        unit: { type: 'string', id: 3 },
                        gauge: { type: 'opentelemetry.proto.metrics.v1.Gauge', id: 5 },
                        sum: { type: 'opentelemetry.proto.metrics.v1.Sum', id: 7 },
                        histogram: { type: 'opentelemetry.proto.metrics.v1.Histogram', id: 9 },
                        exponentialHistogram: { type: 'opentelemetry.proto.metrics.v1.ExponentialHistogram', id: 10 },
                        summary: { type: 'opentelemetry.proto.metrics.v1.Summary', id: 11 },
                        metadata: { rule: 'repeated', type: kv, id: 12 },
                      },
                    },
                    Gauge: { fields: { dataPoints: { rule: 'repeated', type: numberDataPoint, id: 1 } } },
                    Sum: {
                      fields: {
                        dataPoints: { rule: 'repeated', type: numberDataPoint, id: 1 },
                        aggregationTemporality: { type: temporality, id: 2 },
                        isMonotonic: { type: 'bool', id: 3 },
                      },
                    },
                    Histogram: {
                      fields: {
                        dataPoints: { rule: 'repeated', type: 'opentelemetry.proto.metrics.v1.HistogramDataPoint', id: 1 },
                        aggregationTemporality: { type: temporality, id: 2 },
                      },
                    },
                    ExponentialHistogram: {
                      fields: {
                        dataPoints: { rule: 'repeated', type: 'opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint', id: 1 },
                        aggregationTemporality: { type: temporality, id: 2 },
                      },
                    },
                    Summary: { fields: { dataPoints: { rule: 'repeated', type: 'opentelemetry.proto.metrics.v1.SummaryDataPoint', id: 1 } } },
                    AggregationTemporality: {
                      values: {
                        AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
                        AGGREGATION_TEMPORALITY_DELTA: 1,
                        AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
                      },
                    },
                    NumberDataPoint: {
                      oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
                      fields: {
                        attributes: { rule: 'repeated', type: kv, id: 7 },
                        startTimeUnixNano: { type: 'fixed64', id: 2 },
                        timeUnixNano: { type: 'fixed64', id: 3 },
                        asDouble: { type: 'double', id: 4 },
                        asInt: { type: 'sfixed64', id: 6 },
                        exemplars: { rule: 'repeated', type: exemplar, id: 5 },
                        flags: { type: 'uint32', id: 8 },
                      },
                    },
                    HistogramDataPoint: {
                      // proto3 `optional` fields: present means set, even when 0.
                      oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
                      fields: {
                        attributes: { rule: 'repeated', type: kv, id: 9 },
                        startTimeUnixNano: { type: 'fixed64', id: 2 },
                        timeUnixNano: { type: 'fixed64', id: 3 },
                        count: { type: 'fixed64', id: 4 },
                        sum: { type: 'double', id: 5 },
                        bucketCounts: { rule: 'repeated', type: 'fixed64', id: 6 },
                        explicitBounds: { rule: 'repeated', type: 'double', id: 7 },
                        exemplars: { rule: 'repeated', type: exemplar, id: 8 },
                        flags: { type: 'uint32', id: 10 },
                        min: { type: 'double', id: 11 },
                        max: { type: 'double', id: 12 },
                      },
                    },
                    ExponentialHistogramDataPoint: {
                      oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
                      fields: {
                        attributes: { rule: 'repeated', type: kv, id: 1 },
                        startTimeUnixNano: { type: 'fixed64', id: 2 },
                        timeUnixNano: { type: 'fixed64', id: 3 },
                        count: { type: 'fixed64', id: 4 },
                        sum: { type: 'double', id: 5 },
                        scale: { type: 'sint32', id: 6 },
                        zeroCount: { type: 'fixed64', id: 7 },
                        positive: { type: 'opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint.Buckets', id: 8 },
                        negative: { type: 'opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint.Buckets', id: 9 },
                        flags: { type: 'uint32', id: 10 },
                        exemplars: { rule: 'repeated', type: exemplar, id: 11 },
                        min: { type: 'double', id: 12 },
                        max: { type: 'double', id: 13 },
                        zeroThreshold: { type: 'double', id: 14 },
                      },
                      nested: {
                        Buckets: {
                          fields: {
                            offset: { type: 'sint32', id: 1 },
                            bucketCounts: { rule: 'repeated', type: 'uint64', id: 2 },
                          },
                        },
                      },
                    },
                    SummaryDataPoint: {
                      fields: {
                        attributes: { rule: 'repeated', type: kv, id: 7 },
                        startTimeUnixNano: { type: 'fixed64', id: 2 },
                        timeUnixNano: { type: 'fixed64', id: 3 },
                        count: { type: 'fixed64', id: 4 },
                        sum: { type: 'double', id: 5 },
                        quantileValues: { rule: 'repeated', type: 'opentelemetry.proto.metrics.v1.SummaryDataPoint.ValueAtQuantile', id: 6 },
                        flags: { type: 'uint32', id: 8 },
                      },
                      nested: {
                        ValueAtQuantile: {
                          fields: {
                            quantile: { type: 'double', id: 1 },
                            value: { type: 'double', id: 2 },
                          },
                        },
                      },
                    },
                    Exemplar: {
                      oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
                      fields: {
                        filteredAttributes: { rule: 'repeated', type: kv, id: 7 },
                        timeUnixNano: { type: 'fixed64', id: 2 },
                        asDouble: { type: 'double', id: 3 },
                        asInt: { type: 'sfixed64', id: 6 },
                        spanId: { type: 'bytes', id: 4 },
                        traceId: { type: 'bytes', id: 5 },
                      },
                    },
                  },
                },
              },
            },
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: {
                      nested: {
                        ExportTraceServiceRequest: {
                          fields: { resourceSpans: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1 } },
                        },
                        ExportTraceServiceResponse: {
                          fields: { partialSuccess: { type: 'opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess', id: 1 } },
                        },
                        ExportTracePartialSuccess: {
                          fields: {
                            rejectedSpans: { type: 'int64', id: 1 },
                            errorMessage: { type: 'string', id: 2 },
                          },
                        },
                      },
                    },
                  },
                },
                metrics: {
                  nested: {
                    v1: {
                      nested: {
                        ExportMetricsServiceRequest: {
                          fields: { resourceMetrics: { rule: 'repeated', type: 'opentelemetry.proto.metrics.v1.ResourceMetrics', id: 1 } },
                        },
                        ExportMetricsServiceResponse: {
                          fields: { partialSuccess: { type: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess', id: 1 } },
                        },
                        ExportMetricsPartialSuccess: {
                          fields: {
                            rejectedDataPoints: { type: 'int64', id: 1 },
                            errorMessage: { type: 'string', id: 2 },
                          },
                        },
                      },
                    },
                  },
                },
                logs: {
                  nested: {
                    v1: {
                      nested: {
                        ExportLogsServiceRequest: {
                          fields: { resourceLogs: { rule: 'repeated', type: 'opentelemetry.proto.logs.v1.ResourceLogs', id: 1 } },
                        },
                        ExportLogsServiceResponse: {
                          fields: { partialSuccess: { type: 'opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess', id: 1 } },
                        },
                        ExportLogsPartialSuccess: {
                          fields: {
                            rejectedLogRecords: { type: 'int64', id: 1 },
                            errorMessage: { type: 'string', id: 2 },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** Fully qualified names of the top-level messages the codec reads and writes. */
export const MessageName = {
  traceRequest: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  traceResponse: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  logsRequest: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
  logsResponse: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
  metricsRequest: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  metricsResponse: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
} as const;
export type MessageName = (typeof MessageName)[keyof typeof MessageName];
