/**
 * Bundles the extension: src/main.ts → dist/extension.mjs (ESM, Node 22+). The exporter code is
 * loaded with import() after the first /event/next, so esbuild splits it into dist/chunks/; the
 * entry stays small and starts fast. Run: `npm run build -w extension` or import buildExtension().
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { builtinsWithoutFacade } from './builtins-plugin.ts';

export const extensionRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const extensionDistDir = path.join(extensionRoot, 'dist');

export interface BuiltFile {
  readonly path: string;
  readonly bytes: number;
}

/** Builds into extension/dist and returns the files written (entry first). */
export async function buildExtension(): Promise<BuiltFile[]> {
  await rm(extensionDistDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { extension: path.join(extensionRoot, 'src/main.ts') },
    outdir: extensionDistDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    // ES module builds of dependencies (@smithy) are smaller than their CommonJS ones.
    mainFields: ['module', 'main'],
    // Built-ins through process.getBuiltinModule(): no ESM facades, no require() in the output.
    plugins: [builtinsWithoutFacade],
  });
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (output.imports.some((imported) => imported.kind === 'import-statement' && imported.path.startsWith('node:')))
      throw new Error(`${file} imports a Node built-in as an ES module`);
  }
  const files = Object.entries(result.metafile.outputs).map(([file, output]) => ({ path: path.resolve(file), bytes: output.bytes }));
  files.sort((a, b) => Number(b.path.endsWith('extension.mjs')) - Number(a.path.endsWith('extension.mjs')));
  return files;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await buildExtension();
  for (const file of files) console.log(`${path.relative(extensionRoot, file.path).padEnd(40)} ${(file.bytes / 1024).toFixed(1).padStart(8)} KiB`);
}
