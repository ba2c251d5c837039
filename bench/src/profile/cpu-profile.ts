// Reads a V8 .cpuprofile and sums time per module and per function, optionally only within the first
// `windowMs` of the profile (an init), so that a cause can be named as file, function and ms.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  sampledMs: number;
  /** Inclusive ms per module (URL), each module counted once per stack. */
  byModule: [string, number][];
  /** Inclusive ms per function (name @ module:line). */
  byFunction: [string, number][];
  /** Self ms per function. */
  bySelf: [string, number][];
}

const shortUrl = (url: string): string =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/dist\/layer\//, 'layer/')
    .replace(/^.*\/work\/main\//, '')
    .replace(/^node:internal\//, 'node:internal/') || '(native)';

export function summarizeProfile(file: string, windowMs = Number.POSITIVE_INFINITY): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const selfUs = new Map<number, number>();
  let clockUs = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0;
    clockUs += delta;
    if (clockUs / 1000 > windowMs) break;
    const id = profile.samples[index] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const bySelf = new Map<string, number>();
  const label = (node: ProfileNode): string =>
    `${node.callFrame.functionName || '(anonymous)'} @ ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  let sampledUs = 0;
  for (const [id, us] of selfUs) {
    const leaf = nodes.get(id);
    if (!leaf || leaf.callFrame.functionName === '(idle)') continue;
    sampledUs += us;
    bySelf.set(label(leaf), (bySelf.get(label(leaf)) ?? 0) + us);
    const modules = new Set<string>();
    const functions = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const node = nodes.get(current);
      if (!node || node.callFrame.functionName === '(root)') continue;
      modules.add(shortUrl(node.callFrame.url));
      functions.add(label(node));
    }
    for (const module of modules) byModule.set(module, (byModule.get(module) ?? 0) + us);
    for (const fn of functions) byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const top = (map: Map<string, number>): [string, number][] => [...map].sort((x, y) => y[1] - x[1]).map(([key, us]) => [key, us / 1000]);
  return { sampledMs: sampledUs / 1000, byModule: top(byModule), byFunction: top(byFunction), bySelf: top(bySelf) };
}

export function printSummary(title: string, summary: ProfileSummary, rows = 15, filter?: (key: string) => boolean): void {
  console.log(`\n${title}: ${summary.sampledMs.toFixed(1)} ms on CPU`);
  const print = (heading: string, entries: [string, number][]): void => {
    console.log(`  ${heading}`);
    for (const [key, ms] of entries.filter(([key]) => !filter || filter(key)).slice(0, rows)) console.log(`    ${ms.toFixed(1).padStart(7)} ms  ${key}`);
  };
  print('inclusive, by module', summary.byModule);
  print('inclusive, by function', summary.byFunction);
  print('self, by function', summary.bySelf);
}
