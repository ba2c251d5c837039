// Bundles the upstream recipe (upstream/preload.ts) with esbuild into one preload file, the way the
// OpenTelemetry Lambda layer ships it: everything in the bundle but import-in-the-middle.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { benchDir } from './paths.ts';

export const upstreamBuildDir = join(benchDir, 'build', 'upstream');
export const upstreamPreload = join(upstreamBuildDir, 'preload.mjs');

export interface UpstreamBuild {
  preload: string;
  bytes: number;
  buildMs: number;
}

export async function buildUpstream(): Promise<UpstreamBuild> {
  const startedAt = performance.now();
  mkdirSync(upstreamBuildDir, { recursive: true });
  await build({
    entryPoints: [join(benchDir, 'upstream', 'preload.ts')],
    outfile: upstreamPreload,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    external: ['import-in-the-middle', 'import-in-the-middle/*'],
    // CommonJS dependencies inside an ES module bundle still call require() for built-ins.
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return { preload: upstreamPreload, bytes: statSync(upstreamPreload).size, buildMs: performance.now() - startedAt };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await buildUpstream();
  console.log(`upstream recipe: ${result.preload} ${(result.bytes / 1024).toFixed(1)} KiB in ${result.buildMs.toFixed(0)} ms`);
}
