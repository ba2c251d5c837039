// Protobuf wire format <-> OTLP/JSON-shaped model, by walking a MessagePlan with protobufjs'
// Reader/Writer. 64-bit integers go through BigInt so nanosecond timestamps keep every digit
// without the `long` library.
import protobuf from 'protobufjs/light.js';
import { WireType, type FieldPlan, type MessagePlan } from './schema-plan.ts';

// AnyValue may nest (arrays of kvlists of arrays…); a hostile payload must not exhaust the stack.
export const maxNestingDepth = 128;

export class ProtobufFormatError extends Error {
  override name = 'ProtobufFormatError';
}

const twoTo32 = 0x1_0000_0000n;

function readVarint64(reader: protobuf.Reader): bigint {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (reader.pos >= reader.len) throw new ProtobufFormatError('truncated varint');
    const byte = reader.buf[reader.pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return BigInt.asUintN(64, result);
    shift += 7n;
  }
  throw new ProtobufFormatError('varint longer than 10 bytes');
}

function readFixed64(reader: protobuf.Reader): string {
  const low = reader.fixed32();
  const high = reader.fixed32();
  // Below 2^53 a double holds the value exactly and avoids a BigInt.
  if (high < 0x200000) return String(high * 4294967296 + low);
  return ((BigInt(high) << 32n) | BigInt(low)).toString();
}

function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function readValue(field: FieldPlan, reader: protobuf.Reader, depth: number): unknown {
  switch (field.kind) {
    case 'string':
      return reader.string();
    case 'bool':
      return reader.bool();
    case 'int32':
    case 'enum':
      return reader.int32();
    case 'uint32':
      return reader.uint32();
    case 'int64':
      return BigInt.asIntN(64, readVarint64(reader)).toString();
    case 'fixed64':
      return readFixed64(reader);
    case 'fixed32':
      return reader.fixed32();
    case 'double':
      return reader.double();
    case 'bytes':
      return bytesToBase64(reader.bytes());
    case 'hexBytes':
      return bytesToHex(reader.bytes());
    case 'message': {
      const length = reader.uint32();
      const end = reader.pos + length;
      if (end > reader.len) throw new ProtobufFormatError(`field ${field.name} claims ${length} bytes past the end of the message`);
      return decodeMessage(field.message!, reader, end, depth + 1);
    }
  }
}

function decodeMessage(plan: MessagePlan, reader: protobuf.Reader, end: number, depth: number): Record<string, unknown> {
  if (depth > maxNestingDepth) throw new ProtobufFormatError(`messages nested deeper than ${maxNestingDepth} levels`);
  const target: Record<string, unknown> = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wireType = tag & 7;
    if (id === 0) throw new ProtobufFormatError(`invalid field number 0 in ${plan.fullName}`);
    const field = plan.byId.get(id);
    if (!field) {
      reader.skipType(wireType); // unknown (newer) field: ignored as the protocol requires
      continue;
    }
    if (wireType !== field.wireType) {
      throw new ProtobufFormatError(`${plan.fullName}.${field.name} has wire type ${wireType}, expected ${field.wireType}`);
    }
    const value = readValue(field, reader, depth);
    if (field.repeated) {
      const list = target[field.name] as unknown[] | undefined;
      if (list) list.push(value);
      else target[field.name] = [value];
    } else {
      // A oneof holds one member: the last one on the wire wins.
      if (field.inOneof) for (const other of plan.fields) if (other.inOneof) delete target[other.name];
      target[field.name] = value;
    }
  }
  if (reader.pos !== end) throw new ProtobufFormatError(`${plan.fullName} overruns its length`);
  plan.applyDefaults(target);
  return target;
}

/** Decodes protobuf bytes into the model. Throws ProtobufFormatError (or RangeError on truncation). */
export function decodeProtobuf(plan: MessagePlan, bytes: Uint8Array): Record<string, unknown> {
  const reader = protobuf.Reader.create(bytes);
  return decodeMessage(plan, reader, reader.len, 0);
}

// Writer.uint64/fixed64 accept any {low, high} pair (protobufjs LongBits.from), no `long` needed.
interface LowHigh {
  low: number;
  high: number;
  unsigned: boolean;
}

function toBits(value: unknown): LowHigh {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number') big = BigInt(Math.trunc(value));
  else big = BigInt(String(value));
  const u = BigInt.asUintN(64, big);
  return { low: Number(u % twoTo32), high: Number(u / twoTo32), unsigned: true };
}

function isDefault(field: FieldPlan, value: unknown): boolean {
  switch (field.kind) {
    case 'string':
    case 'bytes':
    case 'hexBytes':
      return value === '';
    case 'bool':
      return value === false;
    case 'int64':
    case 'fixed64':
      return value === '0' || value === 0 || value === 0n;
    case 'message':
      return false;
    default:
      return value === 0;
  }
}

function writeValue(field: FieldPlan, value: unknown, writer: protobuf.Writer, depth: number): void {
  writer.uint32((field.id << 3) | field.wireType);
  switch (field.kind) {
    case 'string':
      writer.string(String(value));
      return;
    case 'bool':
      writer.bool(Boolean(value));
      return;
    case 'int32':
    case 'enum':
      writer.int32(Number(value));
      return;
    case 'uint32':
      writer.uint32(Number(value));
      return;
    case 'int64':
      writer.uint64(toBits(value) as unknown as number);
      return;
    case 'fixed64':
      writer.fixed64(toBits(value) as unknown as number);
      return;
    case 'fixed32':
      writer.fixed32(Number(value) >>> 0);
      return;
    case 'double':
      writer.double(Number(value));
      return;
    case 'bytes':
      writer.bytes(Buffer.from(String(value), 'base64'));
      return;
    case 'hexBytes':
      writer.bytes(Buffer.from(String(value), 'hex'));
      return;
    case 'message':
      writer.fork();
      encodeMessage(field.message!, value as Record<string, unknown>, writer, depth + 1);
      writer.ldelim();
      return;
  }
}

function encodeMessage(plan: MessagePlan, message: Record<string, unknown>, writer: protobuf.Writer, depth: number): void {
  if (depth > maxNestingDepth) throw new ProtobufFormatError(`messages nested deeper than ${maxNestingDepth} levels`);
  for (const field of plan.fields) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    if (field.repeated) {
      if (!Array.isArray(value)) continue;
      for (const element of value) if (element !== undefined && element !== null) writeValue(field, element, writer, depth);
    } else if (field.inOneof || !isDefault(field, value)) {
      writeValue(field, value, writer, depth);
    }
  }
}

/** Encodes a model object as protobuf bytes. */
export function encodeProtobuf(plan: MessagePlan, message: object): Buffer {
  const writer = protobuf.Writer.create();
  encodeMessage(plan, message as Record<string, unknown>, writer, 0);
  const bytes = writer.finish();
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
