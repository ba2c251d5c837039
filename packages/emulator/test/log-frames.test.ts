// The runtime client's framed log records, parsed from arbitrary chunk boundaries.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { LogFrameParser } from '../src/sandbox/log-frames.ts';

function frame(type: number, message: string, timestampUs: bigint): Buffer {
  const body = Buffer.from(message, 'utf8');
  const header = Buffer.alloc(16);
  header.writeUInt32BE(type >>> 0, 0);
  header.writeInt32BE(body.length, 4);
  header.writeBigInt64BE(timestampUs, 8);
  return Buffer.concat([header, body]);
}

test('text and JSON frames, with level masks, split across chunks', () => {
  const bytes = Buffer.concat([
    frame(0xa55a0003 | 12, '2024-01-01T00:00:00.000Z\treq\tINFO\tline one\nline two\n', 1_700_000_000_000_000n),
    frame(0xa55a0002 | 20, '{"level":"ERROR","message":"bad"}', 1_700_000_000_000_001n),
  ]);
  const parser = new LogFrameParser();
  const frames = [];
  for (let at = 0; at < bytes.length; at += 7) frames.push(...parser.push(bytes.subarray(at, at + 7)));
  assert.deepEqual(frames, [
    { format: 'text', level: 'INFO', timestampUs: 1_700_000_000_000_000n, message: '2024-01-01T00:00:00.000Z\treq\tINFO\tline one\nline two\n' },
    { format: 'json', level: 'ERROR', timestampUs: 1_700_000_000_000_001n, message: '{"level":"ERROR","message":"bad"}' },
  ]);
});

test('garbage before a frame is skipped', () => {
  const parser = new LogFrameParser();
  const frames = parser.push(Buffer.concat([Buffer.from('junk'), frame(0xa55a0003 | 16, 'warned', 1n)]));
  assert.deepEqual(
    frames.map((item) => [item.level, item.message]),
    [['WARN', 'warned']],
  );
});
