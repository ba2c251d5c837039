/**
 * Builds the Lambda layer: dist/layer/ (the /opt tree) and dist/lambda-otel-layer.zip at the
 * repository root, then prints the size of each part.
 *
 *   extensions/lambda-otel                       launcher (executable) → lambda-otel/extension.mjs
 *   lambda-otel/register.bash                    the launcher's registration over /dev/tcp (fast start)
 *   lambda-otel/extension.mjs (+ chunks/)        the extension bundle
 *   lambda-otel-handler                          exec wrapper (executable)
 *   nodejs/node_modules/@lambda-otel/instrument/ the plugin (index.js, auto.mjs, middy.js, writers.js)
 *
 * Run: `npm run build:layer` from the repository root. `-- --fast-start=off` builds a layer whose
 * launcher leaves registration to Node unless LAMBDA_OTEL_FAST_START=on: the same tests then run
 * the fallback (extension README, "Start-up technique").
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import yazl from 'yazl';
import { buildExtension, extensionDistDir, extensionRoot } from './build.ts';

const repoRoot = path.resolve(extensionRoot, '..');
const distDir = path.join(repoRoot, 'dist');
const layerDir = path.join(distDir, 'layer');
const zipPath = path.join(distDir, 'lambda-otel-layer.zip');
const staticDir = path.join(extensionRoot, 'layer');
const pluginRoot = path.join(repoRoot, 'packages/instrument');
const pluginTarget = path.join(layerDir, 'nodejs/node_modules/@lambda-otel/instrument');

function step(message: string): void {
  console.log(`[build:layer] ${message}`);
}

/** Builds the plugin with its own build script; returns false (and says why) when it has none yet. */
async function buildPlugin(): Promise<boolean> {
  const pkg = JSON.parse(await readFile(path.join(pluginRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.build) {
    step('plugin: packages/instrument has no build script yet; the layer is built without the plugin');
    return false;
  }
  step('plugin: npm run build -w packages/instrument');
  const result = spawnSync('npm', ['run', 'build', '-w', 'packages/instrument'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`plugin build failed (exit ${result.status})`);
  return true;
}

async function copyPlugin(): Promise<void> {
  const pluginDist = path.join(pluginRoot, 'dist');
  if (!existsSync(pluginDist)) {
    step('plugin: packages/instrument/dist does not exist; skipped');
    return;
  }
  await mkdir(pluginTarget, { recursive: true });
  await cp(pluginDist, pluginTarget, { recursive: true, filter: (source) => !source.endsWith('.map') });
  const source = JSON.parse(await readFile(path.join(pluginRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const manifest = {
    name: source.name,
    version: source.version,
    type: 'module',
    main: './index.js',
    exports: { '.': './index.js', './middy': './middy.js', './auto': './auto.mjs', './package.json': './package.json' },
  };
  await writeFile(path.join(pluginTarget, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
}

async function assembleLayer(fastStart: boolean): Promise<void> {
  await rm(layerDir, { recursive: true, force: true });
  await mkdir(path.join(layerDir, 'extensions'), { recursive: true });
  const launcher = await readFile(path.join(staticDir, 'extensions/lambda-otel'), 'utf8');
  const fastStartDefault = '${LAMBDA_OTEL_FAST_START:-on}';
  if (!launcher.includes(fastStartDefault)) throw new Error(`the launcher has no ${fastStartDefault}`);
  await writeFile(
    path.join(layerDir, 'extensions/lambda-otel'),
    fastStart ? launcher : launcher.replaceAll(fastStartDefault, '${LAMBDA_OTEL_FAST_START:-off}'),
  );
  await chmod(path.join(layerDir, 'extensions/lambda-otel'), 0o755);
  await copyFile(path.join(staticDir, 'lambda-otel-handler'), path.join(layerDir, 'lambda-otel-handler'));
  await chmod(path.join(layerDir, 'lambda-otel-handler'), 0o755);
  await cp(extensionDistDir, path.join(layerDir, 'lambda-otel'), { recursive: true });
  await copyFile(path.join(staticDir, 'lambda-otel/register.bash'), path.join(layerDir, 'lambda-otel/register.bash'));
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

/** Zips the layer tree with each file's mode, so the launcher and the wrapper stay executable. */
async function zipLayer(): Promise<void> {
  await rm(zipPath, { force: true });
  const zip = new yazl.ZipFile();
  for (const file of await listFiles(layerDir)) {
    const info = await stat(file);
    zip.addFile(file, path.relative(layerDir, file).split(path.sep).join('/'), { mode: info.mode, mtime: new Date(0) });
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(zipPath);
    out.on('close', resolve);
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
  });
}

async function sizeOf(target: string): Promise<number> {
  const info = await stat(target);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const file of await listFiles(target)) total += (await stat(file)).size;
  return total;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { values } = parseArgs({ options: { 'fast-start': { type: 'string', default: 'on' } } });
  if (values['fast-start'] !== 'on' && values['fast-start'] !== 'off') throw new Error(`--fast-start is on or off, not ${values['fast-start']}`);
  const fastStart = values['fast-start'] === 'on';
  const hasPlugin = await buildPlugin();
  step('extension: bundling src/main.ts');
  const files = await buildExtension();
  step(`extension: ${files.length} file(s) in extension/dist`);
  step(`assembling dist/layer${fastStart ? '' : ' (fast start off by default)'}`);
  await assembleLayer(fastStart);
  if (hasPlugin) await copyPlugin();
  step('zipping dist/lambda-otel-layer.zip');
  await zipLayer();
  const rows: [string, number][] = [['lambda-otel/extension.mjs', await sizeOf(path.join(layerDir, 'lambda-otel/extension.mjs'))]];
  if (existsSync(path.join(layerDir, 'lambda-otel/chunks')))
    rows.push(['lambda-otel/chunks/ (decoder, exporters)', await sizeOf(path.join(layerDir, 'lambda-otel/chunks'))]);
  for (const name of ['index.js', 'auto.mjs', 'middy.js', 'writers.js']) {
    const file = path.join(pluginTarget, name);
    if (existsSync(file)) rows.push([`@lambda-otel/instrument/${name}`, await sizeOf(file)]);
  }
  if (existsSync(pluginTarget)) rows.push(['@lambda-otel/instrument/ (all)', await sizeOf(pluginTarget)]);
  rows.push(['layer total (dist/layer)', await sizeOf(layerDir)], ['zip (dist/lambda-otel-layer.zip)', await sizeOf(zipPath)]);
  console.log('');
  for (const [name, bytes] of rows) console.log(`  ${name.padEnd(42)} ${kib(bytes).padStart(12)}`);
  console.log('');
  step(`done in ${Date.now() - started} ms${hasPlugin ? '' : ' (without the plugin)'}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`[build:layer] failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
