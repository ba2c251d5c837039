/** The plugin's version, written into the stdout envelope and the instrumentation scope. */
export const INSTRUMENT_VERSION = '0.1.0';
export const INSTRUMENTATION_SCOPE = '@lambda-otel/instrument';
