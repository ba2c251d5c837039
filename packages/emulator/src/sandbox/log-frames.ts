// Parser for the runtime client's framed log records on _LAMBDA_TELEMETRY_LOG_FD: a 16-byte
// big-endian header (type|level mask, int32 length, int64 µs timestamp), then the message.

export interface LogFrame {
  format: 'text' | 'json';
  level: string;
  timestampUs: bigint;
  message: string;
}

const frameTypeMask = 0xffff_ffe3;
const frameTypes = { 0xa55a0003: 'text', 0xa55a0002: 'json' } as const;
const levels: Record<number, string> = { 4: 'TRACE', 8: 'DEBUG', 12: 'INFO', 16: 'WARN', 20: 'ERROR', 24: 'FATAL' };
const headerBytes = 16;

export class LogFrameParser {
  private pending: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns every frame completed by them. Garbage (a bad header) is skipped a byte at a time. */
  push(chunk: Buffer): LogFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: LogFrame[] = [];
    while (this.pending.length >= headerBytes) {
      const word = this.pending.readUInt32BE(0);
      const format = frameTypes[((word & frameTypeMask) >>> 0) as keyof typeof frameTypes];
      if (!format) {
        this.pending = this.pending.subarray(1);
        continue;
      }
      const length = this.pending.readInt32BE(4);
      if (length < 0) {
        this.pending = this.pending.subarray(1);
        continue;
      }
      if (this.pending.length < headerBytes + length) break;
      frames.push({
        format,
        level: levels[word & 0x1c] ?? 'UNDEFINED',
        timestampUs: this.pending.readBigInt64BE(8),
        message: this.pending.subarray(headerBytes, headerBytes + length).toString('utf8'),
      });
      this.pending = this.pending.subarray(headerBytes + length);
    }
    return frames;
  }
}
