// Writes the package's declarations next to its bundles: dist/index.d.ts, one file with every type
// the main entry exports (the sources' `.ts` import paths are gone, so a strict `nodenext` project
// can typecheck it), and dist/middy.d.ts, which re-exports from it as dist/middy.js does. Types from
// @opentelemetry/api and Node stay imports of those packages. Run after scripts/build.ts (prepack).
import { generateDtsBundle } from 'dts-bundle-generator';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
const started = performance.now();

const [index] = generateDtsBundle([{ filePath: join(root, 'src', 'index.ts'), output: { noBanner: true, exportReferencedTypes: false } }], {
  preferredConfigPath: join(root, 'tsconfig.json'),
});
if (index === undefined) throw new Error('instrument: no declarations were generated for src/index.ts');
if (/from ['"]\.{1,2}\//.test(index)) throw new Error('instrument: dist/index.d.ts still imports a relative path');

await mkdir(outdir, { recursive: true });
await writeFile(join(outdir, 'index.d.ts'), index);
await writeFile(join(outdir, 'middy.d.ts'), "export { lambdaOtel, lambdaOtel as default } from './index.js';\n");
console.log(
  `instrument: wrote dist/index.d.ts (${(Buffer.byteLength(index) / 1024).toFixed(1)} KiB) and dist/middy.d.ts in ${Math.round(performance.now() - started)} ms`,
);
