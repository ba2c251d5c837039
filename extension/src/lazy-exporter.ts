/**
 * The exporter, loaded on first use: its code (protobuf, HTTP, signing) is not needed before the
 * first /event/next, so start-up stays fast. `warmUp()` starts loading it in the background.
 */
import type { ExporterConfig } from './export/config.ts';
import type { TelemetryExporter } from './export/exporter.ts';
import type { Logger } from './logger.ts';

export class LazyExporter {
  readonly #config: ExporterConfig;
  readonly #logger: Logger;
  #exporter: Promise<TelemetryExporter> | undefined;

  constructor(config: ExporterConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  get(): Promise<TelemetryExporter> {
    this.#exporter ??= import('./export/create-exporter.ts').then((module) => module.createExporter(this.#config, this.#logger));
    // A failed load is retried on the next call rather than cached.
    this.#exporter.catch(() => {
      this.#exporter = undefined;
    });
    return this.#exporter;
  }

  warmUp(): void {
    this.get().catch(() => undefined);
  }

  /** Shuts the exporter down if it was ever loaded, waiting at most `timeoutMs`. */
  async shutdown(timeoutMs: number): Promise<void> {
    if (!this.#exporter) return;
    const exporter = await this.#exporter;
    await Promise.race([exporter.shutdown(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}
