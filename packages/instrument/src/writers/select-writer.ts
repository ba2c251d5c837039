import type { InstrumentConfig } from '../config.ts';
import { createConsoleWriter } from './console-writer.ts';
import { createExtensionWriter } from './extension-writer.ts';
import { createFunctionWriter } from './function-writer.ts';
import { createStdoutWriter } from './stdout-writer.ts';
import type { SpanWriter } from './writer.ts';

/**
 * The writer the configuration names: option `writer` or LAMBDA_OTEL_WRITER, default `extension`
 * (which falls back to `stdout` when no extension answers). OpenTelemetry's OTLP exporters are
 * evaluated only when the `otlp` writer is chosen: the extension writer (the layer's default) does
 * not pay for them.
 *
 * @example
 * (await selectWriter(resolveInstrumentConfig({ writer: 'console' }), 'my-fn')).name === 'console'
 */
export function selectWriter(config: InstrumentConfig, source: string): SpanWriter | Promise<SpanWriter> {
  const writer = config.writer;
  if (typeof writer === 'function') return createFunctionWriter(writer);
  switch (writer) {
    case 'stdout':
      return createStdoutWriter({ source });
    case 'console':
      return createConsoleWriter();
    case 'otlp':
      return import('./otlp-writer.ts').then(({ createOtlpWriter }) => createOtlpWriter({ protocol: config.otlpProtocol, url: config.otlpUrlOverride }));
    case 'extension':
      return createExtensionWriter({
        port: config.receiverPort,
        timeoutMs: config.extensionTimeoutMs,
        fallback: () => createStdoutWriter({ source }),
      });
  }
}
