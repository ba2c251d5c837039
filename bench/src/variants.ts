// The three ways the same handler runs: bare, with the lambda-otel layer, with the upstream recipe.
import { join } from 'node:path';
import type { EmulatorOptions } from '../../packages/emulator/src/types.ts';
import { layerDir, node24 } from '../../test/support/paths.ts';
import { benchDir } from './paths.ts';

export const variantIds = ['A', 'B', 'C'] as const;
export type VariantId = (typeof variantIds)[number];

export const variantLabels: Record<VariantId, string> = {
  A: 'bare',
  B: 'lambda-otel',
  C: 'upstream recipe',
};

export const benchHandlerDir = join(benchDir, 'fixtures', 'handler');

export interface VariantTargets {
  /** Where B's extension and C's exporter send OTLP (the variant's own sink). */
  sinkUrl: string;
  /** B only: the extension's local OTLP receiver port, free so runs can go side by side. */
  receiverPort: number;
  /** C only: the bundled upstream preload. */
  upstreamPreload: string;
}

/** Emulator options for one variant; everything but the telemetry setup is the same for all three. */
export function variantOptions(id: VariantId, targets: VariantTargets, functionDir = benchHandlerDir): EmulatorOptions {
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
        layers: [layerDir],
        env: {
          AWS_LAMBDA_EXEC_WRAPPER: '/opt/lambda-otel-handler',
          OTEL_EXPORTER_OTLP_ENDPOINT: targets.sinkUrl,
          LAMBDA_OTEL_RECEIVER_PORT: String(targets.receiverPort),
        },
      };
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
