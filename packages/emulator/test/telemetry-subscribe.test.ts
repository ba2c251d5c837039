// Telemetry API subscription bodies, table-style: every buffering range at and past its bounds, the
// schema versions, types and destinations. A bad body is 400 ValidationError.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ApiError } from '../src/errors.ts';
import { parseSubscription } from '../src/api/telemetry/subscribe.ts';

const destination = { protocol: 'HTTP', URI: 'http://sandbox.localdomain:8080/in' };

function parse(body: unknown, managedInstances = false) {
  return parseSubscription(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), managedInstances);
}

function rejected(body: unknown, managedInstances = false): string {
  try {
    parse(body, managedInstances);
  } catch (error) {
    assert.ok(error instanceof ApiError);
    assert.deepEqual([error.status, error.errorType], [400, 'ValidationError']);
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(body)}`);
}

test('buffering: defaults, and each range accepted at its bounds and refused past them', () => {
  assert.deepEqual(parse({ schemaVersion: '2022-12-13', types: ['platform'], destination }).buffering, { maxItems: 10000, maxBytes: 262144, timeoutMs: 1000 });
  const ranges = { maxItems: [1000, 10000], maxBytes: [262144, 1048576], timeoutMs: [25, 30000] } as const;
  for (const [field, [min, max]] of Object.entries(ranges)) {
    for (const ok of [min, max]) {
      const parsed = parse({ schemaVersion: '2022-12-13', types: ['platform'], buffering: { [field]: ok }, destination });
      assert.equal(parsed.buffering[field as keyof typeof ranges], ok, `${field} ${ok}`);
    }
    for (const bad of [min - 1, max + 1, min + 0.5, String(min)]) {
      assert.match(
        rejected({ schemaVersion: '2022-12-13', types: ['platform'], buffering: { [field]: bad }, destination }),
        new RegExp(`buffering\\.${field}`),
      );
    }
  }
});

test('schema versions, types and destinations', () => {
  for (const schemaVersion of ['2022-07-01', '2022-12-13', '2025-01-29']) {
    assert.equal(parse({ schemaVersion, types: ['platform', 'function', 'extension'], destination }).schemaVersion, schemaVersion);
  }
  assert.deepEqual(parse({ schemaVersion: '2022-12-13', types: ['function'], destination: { protocol: 'TCP', port: 9999 } }).destination, {
    protocol: 'TCP',
    port: 9999,
  });
  const bad: unknown[] = [
    'not json',
    [],
    { types: ['platform'], destination },
    { schemaVersion: '2020-08-15', types: ['platform'], destination },
    { schemaVersion: '2022-12-13', types: [], destination },
    { schemaVersion: '2022-12-13', types: ['platform', 'logs'], destination },
    { schemaVersion: '2022-12-13', types: ['platform'] },
    { schemaVersion: '2022-12-13', types: ['platform'], destination: { protocol: 'HTTP', URI: 'https://sandbox.localdomain:8080' } },
    { schemaVersion: '2022-12-13', types: ['platform'], destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:9001' } },
    { schemaVersion: '2022-12-13', types: ['platform'], destination: { protocol: 'TCP', port: 9001 } },
    { schemaVersion: '2022-12-13', types: ['platform'], destination: { protocol: 'UDP', port: 9999 } },
    { schemaVersion: '2022-12-13', types: ['platform'], buffering: 5, destination },
  ];
  for (const body of bad) rejected(body);
  // Managed Instances accept only the 2025-01-29 schema.
  assert.match(rejected({ schemaVersion: '2022-12-13', types: ['platform'], destination }, true), /2025-01-29/);
  assert.equal(parse({ schemaVersion: '2025-01-29', types: ['platform'], destination }, true).schemaVersion, '2025-01-29');
});
