// The ways the same handler runs: bare, with the lambda-otel layer, with the upstream recipe, with a
// no-op extension in bash (the floor), with Datadog's library and with Powertools' Tracer (the peers);
// and, for B's runtime init, the layer's plugin alone.
import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorOptions } from '../../packages/emulator/src/types.ts';
import { layerDir, node24, repoRoot } from '../../test/support/paths.ts';
import { benchDir } from './paths.ts';

export const variantIds = ['A', 'B', 'C', 'F', 'D', 'T'] as const;
export type VariantId = (typeof variantIds)[number];
/**
 * F: the floor, a bare handler plus bench/fixtures/floor-extension-layer, a no-op extension in bash
 * that only registers (INVOKE and SHUTDOWN) and waits: what any extension being there costs.
 * P: the layer's plugin alone (the layer without extensions/), cold starts only, to split B's
 * runtime init between the plugin and the extension's CPU beside it.
 */
export const runIds = ['A', 'B', 'C', 'F', 'P', 'D', 'T'] as const;
/** The peers: other vendors' Lambda tracing, measured beside C. */
export const peerIds = ['D', 'T'] as const;
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

/**
 * D: Datadog's Node layer as it runs without the Datadog extension: /opt/nodejs/node_modules holds
 * datadog-lambda-js and dd-trace (links to this workspace's copies, whose own dependencies resolve
 * from there), the function's handler is the library's redirecting handler, the real one is in
 * DD_LAMBDA_HANDLER. Without /opt/extensions/datadog-agent, dd-trace picks its log exporter: each
 * finished trace is one `{"traces":[[…]]}` line on stdout, for the Datadog forwarder to pick up.
 */
export const datadogLayerDir = join(benchDir, 'build', 'datadog-layer');
const datadogModules = ['datadog-lambda-js', 'dd-trace'];
export const datadogHandler = join(datadogLayerDir, 'nodejs', 'node_modules', 'datadog-lambda-js', 'dist', 'handler.handler');

export function buildDatadogLayer(): void {
  rmSync(datadogLayerDir, { recursive: true, force: true });
  const modules = join(datadogLayerDir, 'nodejs', 'node_modules');
  mkdirSync(modules, { recursive: true });
  for (const name of datadogModules) symlinkSync(join(repoRoot, 'node_modules', name), join(modules, name), 'dir');
}

export const benchHandlerDir = join(benchDir, 'fixtures', 'handler');
/** T: the same handler wrapped by Powertools' Tracer (captureLambdaHandler). */
export const powertoolsHandlerDir = join(benchDir, 'fixtures', 'powertools-handler');
export const floorLayerDir = join(benchDir, 'fixtures', 'floor-extension-layer');

export interface VariantTargets {
  /** Where B's extension and C's exporter send OTLP (the variant's own sink). */
  sinkUrl: string;
  /** B, P: the extension's local OTLP receiver port, free so runs can go side by side (P: nothing listens). */
  receiverPort: number;
  /** C only: the bundled upstream preload. */
  upstreamPreload: string;
  /** T only: host:port of the local UDP listener standing for the X-Ray daemon. */
  xrayDaemonAddress: string;
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
    case 'D':
      return {
        ...common,
        handler: datadogHandler,
        layers: [datadogLayerDir],
        env: {
          DD_LAMBDA_HANDLER: common.handler,
          DD_TRACE_ENABLED: 'true',
          DD_FLUSH_TO_LOG: 'true',
          DD_LOGS_INJECTION: 'true',
          DD_SERVICE: 'bench-fn',
          DD_SITE: 'datadoghq.com',
        },
      };
    case 'T': {
      const [host = '127.0.0.1', port = ''] = targets.xrayDaemonAddress.split(':');
      return {
        ...common,
        functionDir: powertoolsHandlerDir,
        env: {
          AWS_XRAY_DAEMON_ADDRESS: targets.xrayDaemonAddress,
          _AWS_XRAY_DAEMON_ADDRESS: host,
          _AWS_XRAY_DAEMON_PORT: port,
          POWERTOOLS_SERVICE_NAME: 'bench-fn',
        },
      };
    }
  }
}
