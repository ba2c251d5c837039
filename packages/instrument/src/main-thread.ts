/**
 * False only in a worker thread. The runtime client starts worker threads only in Managed Instances
 * mode (AWS_LAMBDA_MAX_CONCURRENCY set, whatever its value) and runs every handler in them; in any
 * other mode the code runs in the main thread. Reading this from node:worker_threads at import would
 * load that module (a few ms of init) in every function for a mode most never use, so it is loaded
 * only in that mode, at the first call.
 *
 * @example
 * if (isMainThread()) process.on('SIGTERM', onSigterm);
 */
export function isMainThread(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWS_LAMBDA_MAX_CONCURRENCY === undefined) return true;
  return process.getBuiltinModule('node:worker_threads').isMainThread;
}
