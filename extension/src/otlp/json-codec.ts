// OTLP/JSON <-> model. Decoding validates and normalises parsed JSON against the schema plan:
// camelCase or snake_case keys, ids as hex (base64 accepted too), int64 as strings or numbers,
// enums as numbers or names; unknown keys are ignored as the protocol requires.
import type { FieldPlan, MessagePlan } from './schema-plan.ts';
import { maxNestingDepth } from './protobuf-codec.ts';

export class JsonFormatError extends Error {
  override name = 'JsonFormatError';
}

const hexPattern = /^[0-9a-fA-F]*$/;
const base64Pattern = /^[A-Za-z0-9+/_-]*={0,2}$/;
const integerPattern = /^-?\d+$/;

function fail(path: string, expected: string, value: unknown): never {
  const shown = JSON.stringify(value);
  throw new JsonFormatError(`${path} must be ${expected}, got ${shown === undefined ? String(value) : shown.slice(0, 60)}`);
}

function toInteger(path: string, value: unknown, kind: string): bigint {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && integerPattern.test(value)) return BigInt(value);
  return fail(path, `an integer (${kind})`, value);
}

function normaliseValue(field: FieldPlan, value: unknown, path: string, depth: number): unknown {
  switch (field.kind) {
    case 'string':
      return typeof value === 'string' ? value : fail(path, 'a string', value);
    case 'bool':
      return typeof value === 'boolean' ? value : fail(path, 'a boolean', value);
    case 'int64':
      return BigInt.asIntN(64, toInteger(path, value, 'int64')).toString();
    case 'fixed64':
    case 'uint64':
      return BigInt.asUintN(64, toInteger(path, value, 'uint64')).toString();
    case 'sfixed64':
      return BigInt.asIntN(64, toInteger(path, value, 'int64')).toString();
    case 'int32':
    case 'sint32':
      return Number(BigInt.asIntN(32, toInteger(path, value, 'int32')));
    case 'uint32':
    case 'fixed32':
      return Number(BigInt.asUintN(32, toInteger(path, value, 'uint32')));
    case 'enum': {
      if (typeof value === 'string' && field.enumValues && value in field.enumValues) return field.enumValues[value];
      return Number(BigInt.asIntN(32, toInteger(path, value, 'enum number or name')));
    }
    case 'double': {
      if (typeof value === 'number') return value;
      if (value === 'NaN') return Number.NaN;
      if (value === 'Infinity') return Number.POSITIVE_INFINITY;
      if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return fail(path, 'a number', value);
    }
    case 'bytes':
      if (typeof value !== 'string' || !base64Pattern.test(value)) return fail(path, 'base64', value);
      return Buffer.from(value, 'base64').toString('base64');
    case 'hexBytes':
      // OTLP/JSON ids are hex; some producers send the protobuf-JSON default (base64) instead.
      if (typeof value !== 'string') return fail(path, 'a hex string', value);
      if (value.length % 2 === 0 && hexPattern.test(value)) return value.toLowerCase();
      if (base64Pattern.test(value)) return Buffer.from(value, 'base64').toString('hex');
      return fail(path, 'a hex (or base64) id', value);
    case 'message':
      return normaliseMessage(field.message!, value, path, depth + 1);
  }
}

function normaliseMessage(plan: MessagePlan, input: unknown, path: string, depth: number): Record<string, unknown> {
  if (depth > maxNestingDepth) throw new JsonFormatError(`${path} is nested deeper than ${maxNestingDepth} levels`);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail(path, 'an object', input);
  const target: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const field = plan.byJsonKey.get(key);
    if (!field || value === null || value === undefined) continue;
    const fieldPath = `${path}.${field.name}`;
    if (field.repeated) {
      if (!Array.isArray(value)) fail(fieldPath, 'an array', value);
      target[field.name] = (value as unknown[]).map((element, i) => normaliseValue(field, element, `${fieldPath}[${i}]`, depth));
    } else {
      target[field.name] = normaliseValue(field, value, fieldPath, depth);
    }
  }
  plan.applyDefaults(target);
  return target;
}

/** Parses OTLP/JSON text into the model; throws JsonFormatError naming the offending path. */
export function decodeJson(plan: MessagePlan, text: string, rootName: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new JsonFormatError(`not valid JSON: ${(error as Error).message}`);
  }
  return normaliseMessage(plan, parsed, rootName, 0);
}

// proto3 JSON spells non-finite doubles as strings; JSON.stringify would write null.
function replaceNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** Serialises a model object as OTLP/JSON text (the model already has the JSON shape). */
export function encodeJson(message: object): string {
  return JSON.stringify(message, replaceNonFinite);
}
