/**
 * An esbuild plugin that loads Node's built-in modules with process.getBuiltinModule() instead of
 * an ES import. An ES import of a built-in makes Node build the module's ESM facade, which reads
 * every export, lazy ones included: for node:http that loads undici and costs ~25 ms of start-up
 * on its own. Here each built-in becomes a tiny ES module whose named exports are pure reads of
 * the module object, so esbuild keeps only the exports the code uses. `require('fs')` in bundled
 * CommonJS dependencies gets the same module object, so no bundle needs a `require` of its own.
 * A dynamic import() of a built-in is left alone.
 */
import { createRequire, isBuiltin } from 'node:module';
import type { Plugin } from 'esbuild';

const nodeRequire = createRequire(import.meta.url);
// Two namespaces: one built-in may be both imported (ESM) and required (CommonJS) in one bundle.
const esmNamespace = 'node-builtin-esm';
const cjsNamespace = 'node-builtin-cjs';

/** ES module source for one built-in: a default export and one pure read per named export. */
function esmSource(specifier: string): string {
  const names = Object.getOwnPropertyNames(nodeRequire(specifier)).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
  return [
    `const __builtin = process.getBuiltinModule(${JSON.stringify(specifier)});`,
    'const __readExport = (name) => __builtin[name];',
    'export default __builtin;',
    ...names.map((name) => `export const ${name} = /* @__PURE__ */ __readExport(${JSON.stringify(name)});`),
  ].join('\n');
}

export const builtinsWithoutFacade: Plugin = {
  name: 'builtins-without-facade',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      const path = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      if (args.kind === 'import-statement') return { path, namespace: esmNamespace };
      if (args.kind === 'require-call') return { path, namespace: cjsNamespace };
      // A dynamic import() of a built-in stays as it is: it costs nothing until it runs.
      return undefined;
    });
    build.onLoad({ filter: /.*/, namespace: esmNamespace }, (args) => ({ contents: esmSource(args.path), loader: 'js' }));
    build.onLoad({ filter: /.*/, namespace: cjsNamespace }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};
