#!/usr/bin/env node
// The CLI's entry as npm links it: this file exists at install time, before any build, so
// `npm ci` can link `lambda-emulator`. It runs the built bundle, or the TypeScript source on a
// Node that strips types (22.18 and later) when the bundle is not built yet.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
const source = new URL('../src/cli.ts', import.meta.url);
if (existsSync(bundle)) {
  await import(bundle.href);
} else if (process.features.typescript) {
  await import(source.href);
} else {
  console.error(`lambda-emulator: dist/cli.js is not built and Node ${process.version} cannot run the TypeScript source; run \`npm run build\` first`);
  process.exit(1);
}
