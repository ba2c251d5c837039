// `lambda-emulator serve`: one environment kept alive behind Lambda's Invoke API on loopback, until
// Ctrl-C or SIGTERM (then SHUTDOWN). Init runs at once; after a reset the next invoke inits again.
import { startApiServer } from '../http/server.ts';
import type { LambdaEnvironment } from '../lambda-environment.ts';
import { invokeApiRoutes } from '../serve/invoke-routes.ts';
import type { ServeCommand } from './arguments.ts';
import type { ConsoleView } from './console-view.ts';

export async function serveCommand(serve: ServeCommand, lambda: LambdaEnvironment, view: ConsoleView, stopped: Promise<void>): Promise<number> {
  let server;
  try {
    server = await startApiServer(invokeApiRoutes(lambda), { port: serve.port, unrefConnections: false });
  } catch (error) {
    process.stderr.write(`lambda-emulator: cannot listen on 127.0.0.1:${serve.port}: ${(error as Error).message}\n`);
    return 1;
  }
  view.text(`listening on http://127.0.0.1:${server.port}`);
  view.text(`  aws lambda invoke --endpoint-url http://127.0.0.1:${server.port} --function-name ${lambda.config.functionName} --payload '{}' out.json`);
  await stopped;
  await server.close();
  const shutdown = await lambda.shutdown();
  view.text(`shutdown (${shutdown.reason}) in ${shutdown.durationMs.toFixed(1)} ms`);
  return 0;
}
