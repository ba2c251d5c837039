// Bundles the plugin with esbuild into packages/instrument/dist/:
//   index.js  wrap(), logger, onShutdown (no top-level await, so CommonJS code can require() it)
//   middy.js  the middy middleware (shares chunks with index.js)
//   auto.mjs  the layer's entry; imports ./index.js so there is one plugin instance
//   chunk-*.js lazily loaded parts (OTLP serializers), loaded after the first response
import { build, type Plugin } from 'esbuild';
import { rm, stat, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
const started = performance.now();

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
  // Some OpenTelemetry files are CommonJS-flavoured; give bundled ESM a require() for node built-ins.
  banner: { js: "import { createRequire as __lambdaOtelCreateRequire } from 'node:module'; const require = __lambdaOtelCreateRequire(import.meta.url);" },
} as const;

/** auto.mjs must use the index.js next to it, never a second bundled copy. */
const indexAsExternal: Plugin = {
  name: 'index-as-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.ts$/ }, () => ({ path: './index.js', external: true }));
  },
};

console.log('instrument: bundling index.js, middy.js, auto.mjs …');
await rm(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { index: join(root, 'src/index.ts'), middy: join(root, 'src/adapters/middy.ts') },
  outdir,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.js' },
});
await build({
  ...common,
  entryPoints: { auto: join(root, 'src/auto/auto-handler.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  plugins: [indexAsExternal],
});

let totalBytes = 0;
for (const name of (await readdir(outdir)).sort()) {
  const { size } = await stat(join(outdir, name));
  totalBytes += size;
  console.log(`  ${name.padEnd(28)} ${(size / 1024).toFixed(1).padStart(8)} KiB`);
}
console.log(`instrument: built ${outdir} (${(totalBytes / 1024).toFixed(1)} KiB) in ${Math.round(performance.now() - started)} ms`);
