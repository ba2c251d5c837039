// Peak resident memory of a process and its descendants, from /proc (Linux): VmHWM is the kernel's
// own high-water mark, so sampling it once before shutdown sees the peak without polling.
import { readFileSync, readdirSync } from 'node:fs';

/** Peak RSS in MiB of `pid` plus every descendant (a launcher script and the node it starts). */
export function peakRssMiB(pid: number): number {
  let kib = 0;
  for (const member of processTree(pid)) kib += statusKiB(member, 'VmHWM');
  return kib / 1024;
}

/** Current RSS in MiB of `pid` plus every descendant. */
export function currentRssMiB(pid: number): number {
  let kib = 0;
  for (const member of processTree(pid)) kib += statusKiB(member, 'VmRSS');
  return kib / 1024;
}

function processTree(pid: number): number[] {
  const found = [pid];
  for (let index = 0; index < found.length; index++) {
    const current = found[index] as number;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${current}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${current}/task/${task}/children`, 'utf8').trim();
        if (children) found.push(...children.split(/\s+/).map(Number));
      } catch {
        // the task ended while we looked
      }
    }
  }
  return found;
}

function statusKiB(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}
