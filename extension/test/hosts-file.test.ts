import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { addressInHosts, hostsFileAddress } from '../src/receive/hosts-file.ts';

const hosts = [
  '# hosts(5)',
  '127.0.0.1 localhost localhost.localdomain',
  '::1 localhost sandbox.localdomain',
  '169.254.100.1\tsandbox.localdomain sandbox # the sandbox',
  '',
].join('\n');

test('the first IPv4 line listing the name, case-insensitively, comments ignored', () => {
  assert.equal(addressInHosts(hosts, 'sandbox.localdomain'), '169.254.100.1');
  assert.equal(addressInHosts(hosts, 'SANDBOX'), '169.254.100.1');
  assert.equal(addressInHosts(hosts, 'localhost'), '127.0.0.1');
  assert.equal(addressInHosts(hosts, 'the'), undefined);
  assert.equal(addressInHosts('127.0.0.1 localhost\n', 'sandbox.localdomain'), undefined);
});

test('a missing or unreadable file gives no address (the caller asks DNS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hosts-'));
  writeFileSync(join(dir, 'hosts'), hosts);
  assert.equal(hostsFileAddress('sandbox.localdomain', join(dir, 'hosts')), '169.254.100.1');
  assert.equal(hostsFileAddress('sandbox.localdomain', join(dir, 'missing')), undefined);
});
