// The sandbox's real memory, for platform.report's maxMemoryUsedMB: the peak RSS (VmHWM) of every
// process in the sandbox's process groups, read from /proc.
import { readdirSync, readFileSync } from 'node:fs';

export interface GroupMemory {
  rssKb: number;
  peakKb: number;
}

export function groupMemory(groupIds: number[]): GroupMemory {
  const wanted = new Set(groupIds);
  const total = { rssKb: 0, peakKb: 0 };
  if (wanted.size === 0) return total;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return total;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (!wanted.has(Number(fields[2]))) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      total.rssKb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      total.peakKb += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}
