// Protobuf wire format <-> OTLP/JSON-shaped model, by walking a MessagePlan with protobufjs'
// Reader/Writer. 64-bit integers go through BigInt so nanosecond timestamps keep every digit
// without the `long` library.
import protobuf from 'protobufjs/light.js';
import type { FieldPlan, MessagePlan } from './schema-plan.ts';

// AnyValue may nest (arrays of kvlists of arrays…); a hostile payload must not exhaust the stack.
export const maxNestingDepth = 128;

export class ProtobufFormatError extends Error {
  override name = 'ProtobufFormatError';
}

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

const twoTo32Number = 0x1_0000_0000;

/** A 64-bit value as two unsigned 32-bit halves (two's complement for negatives). */
interface Bits64 {
  low: number;
  high: number;
}

const decimalPattern = /^-?\d{1,20}$/;

/**
 * int64/fixed64 model values (decimal strings, numbers, bigints) as 32-bit halves. Decimal strings,
 * the usual case (nanosecond timestamps), are converted with plain number arithmetic in chunks of
 * five digits, which keeps every step exact; anything else goes through BigInt.
 */
function toBits(value: unknown, out: Bits64): Bits64 {
  if (typeof value === 'string' && decimalPattern.test(value)) {
    const negative = value.charCodeAt(0) === 45;
    let low = 0;
    let high = 0;
    for (let index = negative ? 1 : 0; index < value.length;) {
      const end = Math.min(value.length, index + 5);
      const chunk = Number(value.slice(index, end));
      const scale = 10 ** (end - index);
      // low < 2^32 and scale ≤ 10^5 < 2^17: every product stays below 2^53.
      const lowProduct = low * scale + chunk;
      low = lowProduct % twoTo32Number;
      high = (high * scale + Math.floor(lowProduct / twoTo32Number)) % twoTo32Number;
      index = end;
    }
    return negative ? negate(low, high, out) : set(low, high, out);
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    const magnitude = Math.abs(value);
    const low = magnitude % twoTo32Number;
    const high = Math.floor(magnitude / twoTo32Number);
    return value < 0 ? negate(low, high, out) : set(low, high, out);
  }
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number') big = BigInt(Math.trunc(value));
  else big = BigInt(String(value));
  const u = BigInt.asUintN(64, big);
  return set(Number(u & 0xffff_ffffn), Number(u >> 32n), out);
}

function set(low: number, high: number, out: Bits64): Bits64 {
  out.low = low;
  out.high = high;
  return out;
}

/** Two's complement of a 64-bit magnitude. */
function negate(low: number, high: number, out: Bits64): Bits64 {
  if (low === 0) return set(0, high === 0 ? 0 : twoTo32Number - high, out);
  return set(twoTo32Number - low, twoTo32Number - 1 - high, out);
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

/**
 * Writes protobuf straight into one growing buffer. A length-delimited field gets a one-byte length
 * first; when its content turns out longer than 127 bytes the content moves right to make room.
 * No per-field objects are allocated, so encoding a large batch leaves little garbage behind.
 */
class ProtoWriter {
  buf: Buffer;
  pos = 0;
  readonly #bits: Bits64 = { low: 0, high: 0 };

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  varint32(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 127) {
      this.buf[this.pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  varint64(low: number, high: number): void {
    if (high === 0) return this.varint32(low);
    this.ensure(10);
    let lo = low >>> 0;
    let hi = high >>> 0;
    while (hi > 0 || lo > 127) {
      this.buf[this.pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
  }

  /** `value` is taken modulo 2^32 as a signed 32-bit integer (as protobufjs does). */
  int32(value: number): void {
    const v = value | 0;
    // Negative values take ten bytes, sign-extended to 64 bits.
    if (v < 0) this.varint64(v >>> 0, 0xffff_ffff);
    else this.varint32(v);
  }

  int64(value: unknown): void {
    const bits = toBits(value, this.#bits);
    this.varint64(bits.low, bits.high);
  }

  fixed64(value: unknown): void {
    const bits = toBits(value, this.#bits);
    this.ensure(8);
    this.buf.writeUInt32LE(bits.low, this.pos);
    this.buf.writeUInt32LE(bits.high, this.pos + 4);
    this.pos += 8;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** Writes `text` in `encoding` (utf8, hex or base64) as a length-delimited value. */
  text(text: string, encoding: 'utf8' | 'hex' | 'base64'): void {
    // Worst cases: 3 bytes per UTF-16 unit, fewer for hex and base64.
    this.ensure(5 + 3 * text.length);
    const start = this.begin();
    this.pos += this.buf.write(text, this.pos, encoding);
    this.end(start);
  }

  /** Reserves one byte for a length; returns where the content starts. */
  begin(): number {
    this.ensure(1);
    this.pos++;
    return this.pos;
  }

  /** Writes the length of the content since `start`, moving the content if the length needs more than one byte. */
  end(start: number): void {
    const length = this.pos - start;
    if (length < 128) {
      this.buf[start - 1] = length;
      return;
    }
    let extra = 1;
    while (length >= 2 ** (7 * (extra + 1))) extra++;
    this.ensure(extra);
    this.buf.copy(this.buf, start + extra, start, this.pos);
    this.pos = start - 1;
    this.varint32(length);
    this.pos += length;
  }
}

function writeValue(field: FieldPlan, value: unknown, writer: ProtoWriter, depth: number): void {
  writer.varint32((field.id << 3) | field.wireType);
  switch (field.kind) {
    case 'string':
      writer.text(String(value), 'utf8');
      return;
    case 'bool':
      writer.varint32(value ? 1 : 0);
      return;
    case 'int32':
    case 'enum':
      writer.int32(Number(value));
      return;
    case 'uint32':
      writer.varint32(Number(value) >>> 0);
      return;
    case 'int64':
      writer.int64(value);
      return;
    case 'fixed64':
      writer.fixed64(value);
      return;
    case 'fixed32':
      writer.fixed32(Number(value));
      return;
    case 'double':
      writer.double(Number(value));
      return;
    case 'bytes':
      writer.text(String(value), 'base64');
      return;
    case 'hexBytes':
      writer.text(String(value), 'hex');
      return;
    case 'message': {
      const start = writer.begin();
      encodeMessage(field.message!, value as Record<string, unknown>, writer, depth + 1);
      writer.end(start);
      return;
    }
  }
}

function encodeMessage(plan: MessagePlan, message: Record<string, unknown>, writer: ProtoWriter, depth: number): void {
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
  const writer = new ProtoWriter(16 * 1024);
  encodeMessage(plan, message as Record<string, unknown>, writer, 0);
  // A copy of the used part, so the (up to twice larger) working buffer can go.
  return Buffer.from(writer.buf.subarray(0, writer.pos));
}
