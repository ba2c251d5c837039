// Turns the reflected OTLP schema into per-message "plans" that the protobuf and JSON codecs walk.
// The schema is parsed on first use only (protobufjs `Root.fromJSON`), so an extension that never
// decodes or encodes pays nothing at startup. No generated code: the codecs interpret the plans,
// which keeps the bundle small and avoids protobufjs' eval-based code generation.
import protobuf from 'protobufjs/light.js';
import { otlpSchema, type MessageName } from './otlp-schema.ts';

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/** How a field's value is represented in the OTLP/JSON-shaped model. */
export type FieldKind =
  | 'string'
  | 'bool'
  | 'int32'
  | 'uint32'
  | 'enum'
  | 'int64'
  | 'uint64'
  | 'sint32'
  | 'fixed64'
  | 'sfixed64'
  | 'fixed32'
  | 'double'
  | 'bytes' // base64 in the model
  | 'hexBytes' // trace/span ids: lowercase hex in the model
  | 'message';

export interface FieldPlan {
  id: number;
  /** lowerCamelCase (proto3 JSON) name, used as the model key. */
  name: string;
  /** The proto field name (snake_case), also accepted in JSON input. */
  protoName: string;
  kind: FieldKind;
  wireType: number;
  repeated: boolean;
  /** Oneof members are written even when they hold a default value: their presence is the value. */
  inOneof: boolean;
  /** The oneof the field belongs to (proto3 `optional` fields each have their own). */
  oneof: string | undefined;
  /** A repeated number field: one length-delimited run of values on the wire (proto3's default). */
  packed: boolean;
  message?: MessagePlan;
  enumValues?: Readonly<Record<string, number>>;
}

export interface MessagePlan {
  fullName: string;
  fields: FieldPlan[];
  byId: Map<number, FieldPlan>;
  byJsonKey: Map<string, FieldPlan>;
  /** Fills fields the model requires (and repeated fields) when the input left them out. */
  applyDefaults(target: Record<string, unknown>): void;
}

// Ids are bytes on the wire but hex strings in OTLP/JSON and in the model.
const hexIdFields = new Set(['traceId', 'spanId', 'parentSpanId']);

// Fields our model declares as required; proto3 omits defaults on the wire, so they are restored.
const requiredDefaults: Record<string, Record<string, () => unknown>> = {
  'opentelemetry.proto.trace.v1.Span': {
    traceId: () => '',
    spanId: () => '',
    name: () => '',
    kind: () => 0,
    startTimeUnixNano: () => '0',
    endTimeUnixNano: () => '0',
  },
  'opentelemetry.proto.trace.v1.Span.Event': { timeUnixNano: () => '0', name: () => '' },
  'opentelemetry.proto.trace.v1.Span.Link': { traceId: () => '', spanId: () => '' },
  'opentelemetry.proto.trace.v1.Status': { code: () => 0 },
  'opentelemetry.proto.logs.v1.LogRecord': { timeUnixNano: () => '0', observedTimeUnixNano: () => '0' },
  'opentelemetry.proto.common.v1.KeyValue': { key: () => '', value: () => ({}) },
  'opentelemetry.proto.common.v1.InstrumentationScope': { name: () => '' },
  'opentelemetry.proto.metrics.v1.Metric': { name: () => '' },
  'opentelemetry.proto.metrics.v1.NumberDataPoint': { timeUnixNano: () => '0' },
  'opentelemetry.proto.metrics.v1.HistogramDataPoint': { timeUnixNano: () => '0', count: () => '0' },
  'opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint': { timeUnixNano: () => '0', count: () => '0' },
  'opentelemetry.proto.metrics.v1.SummaryDataPoint': { timeUnixNano: () => '0', count: () => '0' },
};

const scalarKinds: Record<string, { kind: FieldKind; wireType: number }> = {
  string: { kind: 'string', wireType: WireType.lengthDelimited },
  bool: { kind: 'bool', wireType: WireType.varint },
  int32: { kind: 'int32', wireType: WireType.varint },
  uint32: { kind: 'uint32', wireType: WireType.varint },
  int64: { kind: 'int64', wireType: WireType.varint },
  uint64: { kind: 'uint64', wireType: WireType.varint },
  sint32: { kind: 'sint32', wireType: WireType.varint },
  fixed64: { kind: 'fixed64', wireType: WireType.fixed64 },
  sfixed64: { kind: 'sfixed64', wireType: WireType.fixed64 },
  fixed32: { kind: 'fixed32', wireType: WireType.fixed32 },
  double: { kind: 'double', wireType: WireType.fixed64 },
  bytes: { kind: 'bytes', wireType: WireType.lengthDelimited },
};

let root: protobuf.Root | undefined;
const plans = new Map<string, MessagePlan>();

function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function buildPlan(type: protobuf.Type): MessagePlan {
  const existing = plans.get(type.fullName);
  if (existing) return existing;
  const fullName = type.fullName.replace(/^\./, '');
  const plan: MessagePlan = {
    fullName,
    fields: [],
    byId: new Map(),
    byJsonKey: new Map(),
    applyDefaults: () => {},
  };
  // Registered before its fields are built: AnyValue and ArrayValue refer to each other.
  plans.set(type.fullName, plan);

  for (const field of [...type.fieldsArray].sort((a, b) => a.id - b.id)) {
    field.resolve();
    const resolved = field.resolvedType;
    let fieldPlan: FieldPlan;
    const common = {
      id: field.id,
      name: field.name,
      protoName: toSnakeCase(field.name),
      repeated: field.repeated,
      inOneof: field.partOf !== null && field.partOf !== undefined,
      oneof: field.partOf?.name,
      packed: false,
    };
    if (resolved instanceof protobuf.Type) {
      fieldPlan = { ...common, kind: 'message', wireType: WireType.lengthDelimited, message: buildPlan(resolved) };
    } else if (resolved instanceof protobuf.Enum) {
      fieldPlan = { ...common, kind: 'enum', wireType: WireType.varint, enumValues: resolved.values };
    } else {
      const scalar = scalarKinds[field.type];
      if (!scalar) throw new Error(`OTLP schema: unsupported field type ${field.type} for ${fullName}.${field.name}`);
      const kind = scalar.kind === 'bytes' && hexIdFields.has(field.name) ? 'hexBytes' : scalar.kind;
      // Strings and bytes are never packed; every other repeated scalar is.
      const packed = field.repeated && scalar.wireType !== WireType.lengthDelimited;
      fieldPlan = { ...common, kind, wireType: scalar.wireType, packed };
    }
    plan.fields.push(fieldPlan);
    plan.byId.set(fieldPlan.id, fieldPlan);
    plan.byJsonKey.set(fieldPlan.name, fieldPlan);
    plan.byJsonKey.set(fieldPlan.protoName, fieldPlan);
  }

  const repeatedNames = plan.fields.filter((f) => f.repeated).map((f) => f.name);
  const required = Object.entries(requiredDefaults[fullName] ?? {});
  plan.applyDefaults = (target) => {
    for (const name of repeatedNames) if (target[name] === undefined) target[name] = [];
    for (const [name, make] of required) if (target[name] === undefined) target[name] = make();
  };
  return plan;
}

/** The plan for one top-level message; parses the schema on first call. */
export function planFor(name: MessageName): MessagePlan {
  root ??= protobuf.Root.fromJSON(otlpSchema as unknown as protobuf.INamespace);
  return buildPlan(root.lookupType(name));
}
