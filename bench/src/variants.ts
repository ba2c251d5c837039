// The three ways the same handler runs: bare, with the lambda-otel layer, with the upstream recipe;
// and, to split B's overhead between its parts, the layer's plugin alone and its extension alone.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorOptions } from '../../packages/emulator/src/types.ts';
import { layerDir, node24 } from '../../test/support/paths.ts';
import { benchDir } from './paths.ts';

export const variantIds = ['A', 'B', 'C'] as const;
export type VariantId = (typeof variantIds)[number];
/**
 * P: the plugin alone (the layer without extensions/); E: the extension alone (no exec wrapper);
 * X: a no-op extension (bench/fixtures/noop-extension-layer), a no-op Node extension registered for INVOKE: what any such extension costs here.
 */
export const runIds = ['A', 'B', 'C', 'P', 'E', 'X'] as const;
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

export interface VariantTargets {
  /** Where B's extension and C's exporter send OTLP (the variant's own sink). */
  sinkUrl: string;
  /** B, P, E: the extension's local OTLP receiver port, free so runs can go side by side (P: nothing listens). */
  receiverPort: number;
  /** C only: the bundled upstream preload. */
  upstreamPreload: string;
}

/** Emulator options for one variant; everything but the telemetry setup is the same for all three. */
export function variantOptions(id: RunId, targets: VariantTargets, functionDir = benchHandlerDir): EmulatorOptions {
  const common: EmulatorOptions = {
    functionDir,
    handler: 'index.handler',
    nodePath: node24,
    timeoutSec: 10,
    memoryMb: 512,
    functionName: 'bench-fn',
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
    case 'E':
      return {
        ...common,
        layers: [measuredLayerDir],
        // No root span arrives without the plugin: no completion grace, or every invoke would wait it out.
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: targets.sinkUrl, LAMBDA_OTEL_RECEIVER_PORT: String(targets.receiverPort), LAMBDA_OTEL_COMPLETION_GRACE_MS: '0' },
      };
    case 'X':
      return { ...common, layers: [join(benchDir, 'fixtures', 'noop-extension-layer')] };
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
