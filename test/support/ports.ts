// Ports for OTLP sinks and receivers in tests and benchmarks: the emulator's own picker (below the
// kernel's ephemeral range, so no listen(0) elsewhere can take them).
export { freeLoopbackPort as freePort } from '../../packages/emulator/src/loopback-port.ts';
