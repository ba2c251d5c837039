// Bundles the plugin with esbuild into packages/instrument/dist/. Every file below is one bundle:
//   index.js    wrap(), the middy middleware, logger, onShutdown, ready, flush: everything the first
//               invocation needs, in one file (each extra ES module in the init path costs ~0.5 ms),
//               without top-level await, so CommonJS code can require() it
//   writers.js  the span writers and OTLP serializers, imported by index.js at the first export,
//               after the first response
//   middy.js    re-exports the middleware from ./index.js (one plugin instance)
//   auto.mjs    the layer's entry: loads the function's handler and wraps it with ./index.js
import { build, type Plugin } from 'esbuild';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
const started = performance.now();

const common = {
  bundle: true,
  splitting: false,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
  outdir,
} as const;

/**
 * Node's built-in modules are loaded with process.getBuiltinModule(), never `import`, and only the
 * exports the code uses are read. An ES import of a built-in builds its ESM facade, which reads every export, lazy ones
 * included (node:http's undici, fs.promises, util.parseArgs, streams …): that alone cost ~20 ms of
 * init. Each built-in becomes a small ES module whose named exports are pure reads of the required
 * module, so esbuild drops every export nobody imports.
 */
const nodeRequire = createRequire(import.meta.url);
const builtinsWithoutFacade: Plugin = {
  name: 'builtins-without-facade',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) =>
      args.kind === 'import-statement' && isBuiltin(args.path) ? { path: args.path, namespace: 'node-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => {
      const names = Object.getOwnPropertyNames(nodeRequire(args.path)).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
      const lines = [
        `const __builtinModule = process.getBuiltinModule(${JSON.stringify(args.path)});`,
        'const __readBuiltin = (name) => __builtinModule[name];',
        'export default __builtinModule;',
        ...names.map((name) => `export const ${name} = /* @__PURE__ */ __readBuiltin(${JSON.stringify(name)});`),
      ];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/** index.js loads the writers from the writers.js bundle beside it, never from an inlined copy. */
const writersAsSeparateBundle: Plugin = {
  name: 'writers-as-separate-bundle',
  setup(b) {
    b.onResolve({ filter: /\/writers\/select-writer\.ts$/ }, (args) => (args.kind === 'dynamic-import' ? { path: './writers.js', external: true } : undefined));
  },
};

/** auto.mjs must use the index.js next to it, never a second bundled copy. */
const indexAsExternal: Plugin = {
  name: 'index-as-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.ts$/ }, () => ({ path: './index.js', external: true }));
  },
};

console.log('instrument: bundling index.js, writers.js, auto.mjs, middy.js …');
await rm(outdir, { recursive: true, force: true });
await build({ ...common, entryPoints: { index: join(root, 'src/index.ts') }, plugins: [builtinsWithoutFacade, writersAsSeparateBundle] });
// The writers bundle has its own copies of the few helpers it shares with index.js (logger,
// diagnostics); their state is process-wide (processSingleton), so both copies see the same.
await build({ ...common, entryPoints: { writers: join(root, 'src/writers/select-writer.ts') }, plugins: [builtinsWithoutFacade] });
await build({
  ...common,
  entryPoints: { auto: join(root, 'src/auto/auto-handler.ts') },
  outExtension: { '.js': '.mjs' },
  plugins: [indexAsExternal, builtinsWithoutFacade],
});
await writeFile(join(outdir, 'middy.js'), "export { lambdaOtel, lambdaOtel as default } from './index.js';\n");

// No import.meta and no require() in the output: users bundle index.js into CommonJS functions too.
for (const name of await readdir(outdir)) {
  const code = await readFile(join(outdir, name), 'utf8');
  if (/import\.meta|Dynamic require of/.test(code)) throw new Error(`${name} uses import.meta or require(): it would break CommonJS bundles`);
}

let totalBytes = 0;
for (const name of (await readdir(outdir)).sort()) {
  const { size } = await stat(join(outdir, name));
  totalBytes += size;
  console.log(`  ${name.padEnd(28)} ${(size / 1024).toFixed(1).padStart(8)} KiB`);
}
console.log(`instrument: built ${outdir} (${(totalBytes / 1024).toFixed(1)} KiB) in ${Math.round(performance.now() - started)} ms`);
