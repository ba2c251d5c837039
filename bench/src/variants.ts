// The ways the same handler runs: bare, with the lambda-otel layer, with the upstream recipe, with a
// no-op extension in bash (the floor); and, for B's runtime init, the layer's plugin alone.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorOptions } from '../../packages/emulator/src/types.ts';
import { layerDir, node24 } from '../../test/support/paths.ts';
import { benchDir } from './paths.ts';

export const variantIds = ['A', 'B', 'C', 'F'] as const;
export type VariantId = (typeof variantIds)[number];
/**
 * F: the floor, a bare handler plus bench/fixtures/floor-extension-layer, a no-op extension in bash
 * that only registers (INVOKE and SHUTDOWN) and waits: what any extension being there costs.
 * P: the layer's plugin alone (the layer without extensions/), cold starts only, to split B's
 * runtime init between the plugin and the extension's CPU beside it.
 */
export const runIds = ['A', 'B', 'C', 'F', 'P'] as const;
export type RunId = (typeof runIds)[number];

/** A copy of dist/layer taken when the run starts, so that a rebuild meanwhile cannot change B mid-run. */
export const measuredLayerDir = join(benchDir, 'build', 'layer');
/** The same copy without its extensions/ folder, for P. */
export const pluginOnlyLayerDir = join(benchDir, 'build', 'layer-plugin-only');

export function snapshotLayer(): void {
  for (const dir of [measuredLayerDir, pluginOnlyLayerDir]) rmSync(dir, { recursive: true, force: true });
  cpSync(layerDir, measuredLayerDir, { recursive: true, preserveTimestamps: true });
  cpSync(measuredLayerDir, pluginOnlyLayerDir, {
    recursive: true,
    filter: (source) => !source.startsWith(join(measuredLayerDir, 'extensions')),
  });
}

export const benchHandlerDir = join(benchDir, 'fixtures', 'handler');
export const floorLayerDir = join(benchDir, 'fixtures', 'floor-extension-layer');

export interface VariantTargets {
  /** Where B's extension and C's exporter send OTLP (the variant's own sink). */
  sinkUrl: string;
  /** B, P: the extension's local OTLP receiver port, free so runs can go side by side (P: nothing listens). */
  receiverPort: number;
  /** C only: the bundled upstream preload. */
  upstreamPreload: string;
}

/** Emulator options for one variant; everything but the telemetry setup is the same for all. `cpus`: the sandbox's CPU quota. */
export function variantOptions(id: RunId, targets: VariantTargets, cpus?: number, functionDir = benchHandlerDir): EmulatorOptions {
  const common: EmulatorOptions = {
    functionDir,
    handler: 'index.handler',
    nodePath: node24,
    timeoutSec: 10,
    memoryMb: 512,
    functionName: 'bench-fn',
    ...(cpus === undefined ? {} : { cpus }),
  };
  switch (id) {
    case 'A':
      return common;
    case 'B':
      return {
        ...common,
        layers: [measuredLayerDir],
        env: {
          AWS_LAMBDA_EXEC_WRAPPER: '/opt/lambda-otel-handler',
          OTEL_EXPORTER_OTLP_ENDPOINT: targets.sinkUrl,
          LAMBDA_OTEL_RECEIVER_PORT: String(targets.receiverPort),
        },
      };
    case 'P':
      return {
        ...common,
        layers: [pluginOnlyLayerDir],
        env: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/lambda-otel-handler', LAMBDA_OTEL_RECEIVER_PORT: String(targets.receiverPort) },
      };
    case 'F':
      return { ...common, layers: [floorLayerDir] };
    case 'C':
      return {
        ...common,
        env: {
          NODE_OPTIONS: `--import ${targets.upstreamPreload}`,
          OTEL_EXPORTER_OTLP_ENDPOINT: targets.sinkUrl,
        },
      };
  }
}
