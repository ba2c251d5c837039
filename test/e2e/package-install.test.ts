// The package a user installs: `npm pack` of packages/instrument (its prepack builds the bundles and
// the declarations), installed from the tarball into a fresh function project, typechecked under
// strict `nodenext`, bundled with esbuild as users bundle functions, run in the local Lambda without
// the layer, with the `otlp` writer sending straight to a sink: the user's own span arrives under the
// invocation's root span.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, onTestFinished, test } from 'vitest';
import { LambdaEnvironment } from '../../packages/emulator/src/index.ts';
import { startOtlpSink } from '../support/otlp-sink.ts';
import { layerDir, node24, repoRoot } from '../support/paths.ts';
import { freePort } from '../support/ports.ts';

const run = promisify(execFile);
const instrumentDir = join(repoRoot, 'packages', 'instrument');
const rootManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const instrumentManifest = JSON.parse(readFileSync(join(instrumentDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** The environment for a child npm: without the npm_* variables of the `npm test` that runs this file. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
}

/**
 * A user's handler. `tracerAt` says where it gets its tracer: in the handler (after the plugin has
 * registered its provider at the first invocation), or once at module load, as most code does.
 */
const handlerSource = (tracerAt: 'handler' | 'module'): string => `import { SpanStatusCode, trace } from '@opentelemetry/api';
import { logger, ready, wrap, type LambdaContext } from '@lambda-otel/instrument';
import { lambdaOtel } from '@lambda-otel/instrument/middy';

await ready();
${tracerAt === 'module' ? "const tracer = trace.getTracer('orders-service');" : ''}

interface OrderEvent {
  orderId: string;
  items: { sku: string; quantity: number }[];
}

export const handler = wrap(
  async (event: OrderEvent, context: LambdaContext) => {
    ${tracerAt === 'handler' ? "const tracer = trace.getTracer('orders-service');" : ''}
    return tracer.startActiveSpan('price order', async (span) => {
      const quantity = event.items.reduce((sum, item) => sum + item.quantity, 0);
      span.setAttribute('order.quantity', quantity);
      logger.info('order priced', { orderId: event.orderId, requestId: context.awsRequestId });
      span.setStatus({ code: SpanStatusCode.OK });
      span.end();
      return { statusCode: 200, body: JSON.stringify({ orderId: event.orderId, quantity }) };
    });
  },
  { writer: 'otlp', serviceName: 'orders' },
);

// The wrapped handler keeps its type: a result that is not a string body must not typecheck.
export const checked: (event: OrderEvent, context: LambdaContext) => Promise<{ statusCode: number; body: string }> = handler;
// @ts-expect-error: 'kafka' is not a writer name (the declarations are real types, not any)
wrap(async () => 'ok', { writer: 'kafka' });
export const middleware = lambdaOtel({ name: 'orders' });
`;

interface Packed {
  /** Paths in the tarball, sorted. */
  listed: string[];
  /** dist/index.js and dist/index.d.ts as packed. */
  index: string;
  declarations: string;
  /** Bundled functions (index.mjs) per tracer placement. */
  functionDirs: Record<'handler' | 'module', string>;
}

let packed: Packed;
let work: string | undefined;
afterAll(() => (work === undefined ? undefined : rm(work, { recursive: true, force: true })));

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lambda-otel-package-'));
  work = dir;

  // Pack as a publisher would: prepack builds dist/ (bundles and declarations).
  await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: instrumentDir, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 });
  const [tarball] = (await readdir(dir)).filter((name) => name.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  const extract = async (path: string): Promise<string> => (await run('tar', ['-xzOf', join(dir, tarball), path], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  const listed = (await run('tar', ['-tzf', join(dir, tarball)])).stdout.trim().split('\n').sort();

  // A user's function project: the tarball, @opentelemetry/api and Node's types, from the local cache.
  const project = join(dir, 'orders-function');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'orders-function', private: true, type: 'module' }, null, 2));
  await run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--save-exact',
      join(dir, tarball),
      `@opentelemetry/api@${instrumentManifest.dependencies['@opentelemetry/api']}`,
      `@types/node@${rootManifest.devDependencies['@types/node']}`,
    ],
    { cwd: project, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  const functionDirs = { handler: join(dir, 'function-handler-tracer'), module: join(dir, 'function-module-tracer') };
  for (const tracerAt of ['handler', 'module'] as const) {
    await writeFile(join(project, `${tracerAt}-tracer.ts`), handlerSource(tracerAt));
    // Bundled the way AWS documents ES module bundles (the banner gives dependencies a require()).
    await build({
      absWorkingDir: project,
      entryPoints: [join(project, `${tracerAt}-tracer.ts`)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outfile: join(functionDirs[tracerAt], 'index.mjs'),
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      logLevel: 'warning',
    });
  }
  await writeFile(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2023',
        verbatimModuleSyntax: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      files: ['handler-tracer.ts', 'module-tracer.ts'],
    }),
  );
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const typecheck = await run(node24, [tsc, '-p', project], { cwd: project }).catch((error: { stdout: string }) => error);
  assert.equal(typecheck.stdout, '', `tsc found errors in the user's handlers:\n${typecheck.stdout}`);

  packed = { listed, index: await extract('package/dist/index.js'), declarations: await extract('package/dist/index.d.ts'), functionDirs };
}, 300_000);

test('the tarball has the built plugin, its declarations, README and LICENSE, and nothing else', () => {
  assert.deepEqual(
    packed.listed.filter((path) => !path.startsWith('package/dist/')),
    ['package/LICENSE', 'package/README.md', 'package/package.json'],
    'only dist/, README, LICENSE and package.json: no sources, tests or scripts',
  );
  for (const file of ['index.js', 'index.d.ts', 'middy.js', 'middy.d.ts', 'writers.js', 'auto.mjs'])
    assert.ok(packed.listed.includes(`package/dist/${file}`), `dist/${file} in ${packed.listed.join(', ')}`);
  assert.doesNotMatch(packed.declarations, /from ['"]\.{1,2}\//, 'the shipped declarations import no relative (.ts) paths');
  assert.equal(
    readFileSync(join(repoRoot, 'LICENSE'), 'utf8'),
    readFileSync(join(instrumentDir, 'LICENSE'), 'utf8'),
    "the package's LICENSE is the repository's",
  );
  // The layer is built by `npm run build` before the tests, from the same tree.
  const layerIndex = join(layerDir, 'nodejs', 'node_modules', '@lambda-otel', 'instrument', 'index.js');
  assert.equal(packed.index, readFileSync(layerIndex, 'utf8'), 'the npm package and the layer carry the same index.js');
});

/** Runs one invocation of a bundled user function without the layer; returns the sink's view of it. */
async function invokeUserFunction(functionDir: string) {
  const sink = await startOtlpSink();
  onTestFinished(() => sink.close());
  const env = new LambdaEnvironment({
    functionDir,
    handler: 'index.handler',
    layers: [],
    nodePath: node24,
    timeoutSec: 5,
    memoryMb: 128,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, LAMBDA_OTEL_RECEIVER_PORT: String(await freePort()) },
  });
  onTestFinished(() =>
    env.shutdown().then(
      () => undefined,
      () => undefined,
    ),
  );
  const event = {
    orderId: 'o-1001',
    items: [
      { sku: 'book', quantity: 2 },
      { sku: 'pen', quantity: 3 },
    ],
  };
  const result = await env.invoke(event);
  assert.equal(result.status, 'success', result.errorMessage);
  assert.deepEqual(result.response, { statusCode: 200, body: JSON.stringify({ orderId: 'o-1001', quantity: 5 }) });
  // Without an extension Lambda freezes the runtime after the response: the spans leave at the
  // latest with the graceful-shutdown flush.
  await env.shutdown();
  const spans = sink.spans();
  const root = spans.find((span) => span.attributes['faas.invocation.id'] === result.requestId);
  assert.ok(root, `the invocation's root span reached the sink; got ${spans.map((s) => s.name).join(', ')}`);
  assert.equal(root.scope, '@lambda-otel/instrument');
  assert.equal(root.resource['service.name'], 'orders');
  const log = env.logs.find((line) => line.source === 'runtime' && line.line.includes('"order priced"'));
  assert.ok(log, 'the logger wrote its JSON line');
  const fields = JSON.parse(log.line) as Record<string, unknown>;
  assert.equal(fields.trace_id, root.traceId);
  assert.equal(fields.requestId, result.requestId);
  return { root, own: spans.find((span) => span.name === 'price order') };
}

test("in the local Lambda without the layer, the user's span arrives under the invocation's root span", async () => {
  const { root, own } = await invokeUserFunction(packed.functionDirs.handler);
  assert.ok(own, 'the user span reached the sink');
  assert.equal(own.scope, 'orders-service');
  assert.equal(own.traceId, root.traceId);
  assert.equal(own.parentSpanId, root.spanId, "the user's span is a child of the invocation's root span");
  assert.equal(own.attributes['order.quantity'], 5);
});

// Known defect, kept visible: dist/index.js bundles its own copy of @opentelemetry/api. A tracer
// taken at module load from the user's copy is a proxy of that copy, and only the plugin's copy gets
// the provider at the first invocation, so its spans go nowhere. Passes once the plugin shares the
// user's @opentelemetry/api (external in the bundle, a peer dependency); then drop `.fails`.
test.fails("a tracer taken at module load: the user's span arrives under the root span", async () => {
  const { root, own } = await invokeUserFunction(packed.functionDirs.module);
  assert.ok(own, 'the user span reached the sink');
  assert.equal(own.parentSpanId, root.spanId);
});
