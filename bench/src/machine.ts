// What the numbers were measured on.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { node24, repoRoot } from '../../test/support/paths.ts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  ric: string;
  date: string;
}

export function describeMachine(): Machine {
  let node = 'unknown';
  try {
    node = execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as unknown
  }
  let ric = 'unknown';
  try {
    ric = (JSON.parse(readFileSync(`${repoRoot}/node_modules/aws-lambda-ric/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    // reported as unknown
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: totalmem() / 1024 ** 3,
    node,
    ric,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}
