// On-disk sizes: the built layer (every file, and its zip) and the upstream recipe (its preload bundle
// plus import-in-the-middle and its dependencies, which ship beside the bundle as in the upstream layer).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from '../../../test/support/paths.ts';
import { measuredLayerDir as layerDir } from '../variants.ts';

export interface SizeReport {
  layerBytes: number;
  layerZipBytes: number;
  layerFiles: { path: string; bytes: number }[];
  upstreamPreloadBytes: number;
  upstreamExternalBytes: number;
  /** When the newest file of the layer was written (the layer measured is the one on disk). */
  layerBuiltAt: string;
}

export function measureSizes(upstreamPreload: string): SizeReport {
  const layerFiles = existsSync(layerDir) ? listFiles(layerDir).map((path) => ({ path: relative(layerDir, path), bytes: statSync(path).size })) : [];
  const zip = join(repoRoot, 'dist', 'lambda-otel-layer.zip');
  const require = createRequire(upstreamPreload);
  const externals = ['import-in-the-middle', 'cjs-module-lexer', 'es-module-lexer', 'module-details-from-path'];
  let upstreamExternalBytes = 0;
  for (const name of externals) {
    try {
      upstreamExternalBytes += listFiles(dirname(require.resolve(`${name}/package.json`))).reduce((sum, path) => sum + statSync(path).size, 0);
    } catch {
      // not installed: counted as nothing, the preload would fail to load its hook anyway
    }
  }
  return {
    layerBytes: layerFiles.reduce((sum, file) => sum + file.bytes, 0),
    layerZipBytes: existsSync(zip) ? statSync(zip).size : Number.NaN,
    layerFiles,
    upstreamPreloadBytes: existsSync(upstreamPreload) ? statSync(upstreamPreload).size : Number.NaN,
    upstreamExternalBytes,
    layerBuiltAt: layerFiles.length
      ? new Date(Math.max(...layerFiles.map((file) => statSync(join(layerDir, file.path)).mtimeMs))).toISOString().replace(/\.\d+Z$/, 'Z')
      : 'missing',
  };
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
