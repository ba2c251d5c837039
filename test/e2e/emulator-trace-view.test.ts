// The trace view of `lambda-emulator run` on the demo function with the layer: the emulator receives
// the spans itself (no endpoint configured), prints each invocation's waterfall as plain text when
// stdout is not a TTY, and writes one self-contained HTML page that a real browser (Debian's
// chromium, driven by playwright-core) shows with the right spans, nesting and error marks.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, test } from 'vitest';
import { OtlpReceiver } from '../../packages/emulator/src/trace/otlp-receiver.ts';
import { BasicTracerProvider } from '../support/otel-test-provider.ts';
import { layerDir, node24, repoRoot } from '../support/paths.ts';

const cli = join(repoRoot, 'packages', 'emulator', 'src', 'cli.ts');
const hello = join(repoRoot, 'examples', 'hello');
const artifacts = join(repoRoot, 'test', 'artifacts');
const dir = mkdtempSync(join(tmpdir(), 'emulator-trace-'));
const htmlPath = join(dir, 'trace.html');
let run: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  run = await new Promise((resolveRun) => {
    const args = [cli, 'run', '--function', hello, '--handler', 'index.handler', '--layer', layerDir];
    args.push('--env', 'AWS_LAMBDA_EXEC_WRAPPER=/opt/lambda-otel-handler', '--trace-html', htmlPath, '--allow-failures');
    for (const event of ['event.json', 'event-ada.json', 'event-bad.json']) args.push('--event', join(hello, event));
    execFile(node24, args, { cwd: repoRoot, timeout: 90_000 }, (error, stdout, stderr) => {
      resolveRun({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the terminal waterfall: one per invocation, plain text within 100 columns, child spans nested, the error marked', () => {
  assert.equal(run.code, 0, `--allow-failures reports the failure and exits 0:\n${run.stderr}`);
  assert.match(run.stderr, /1 of 3 invocation\(s\) did not succeed \(--allow-failures: exit 0\)/);
  assert.match(run.stderr, /trace view: spans received at http:\/\/127\.0\.0\.1:\d+/);
  const lines = run.stdout.split('\n');
  assert.ok(!run.stdout.includes('\u001b['), 'no escape codes when stdout is not a TTY');
  // Waterfall lines: a header, a span row (`!` marks an error) or an indented attribute/log line.
  const waterfall = lines.filter((line) => /^(== |!| )/.test(line) && !line.startsWith('  response: '));
  assert.ok(waterfall.length >= 20, run.stdout);
  for (const line of waterfall) assert.ok([...line].length <= 100, `fits 100 columns: ${JSON.stringify(line)}`);
  const headers = lines.filter((line) => /^== [0-9a-f-]{36} (success|error) /.test(line));
  assert.equal(headers.length, 3, run.stdout);
  assert.match(headers[2]!, / error .* trace [0-9a-f]{32}/);
  assert.ok(
    lines.some((line) => /^ {4}`- lookup title +client +unset [.#]{30} +\+[\d.]+ms [\d.]+ms$/.test(line)),
    'the nested client span',
  );
  assert.ok(
    lines.some((line) => /^!`- validate event +internal error /.test(line)),
    'the failed child span starts with !',
  );
  assert.ok(
    lines.some((line) => /^ +> INFO hello handler got \{"name":"Ada"\}$/.test(line)),
    'log lines under their span',
  );
  assert.ok(
    lines.some((line) => line.startsWith('[platform] REPORT RequestId: ') && line.includes('Init Duration: ')),
    'live REPORT lines',
  );
});

test('the HTML page in chromium: every invocation, its spans nested, the error marked, a click shows attributes and events', async () => {
  const html = readFileSync(htmlPath, 'utf8');
  assert.ok(!/(src|href)=["']?https?:/i.test(html), 'nothing loaded from the network');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(htmlPath).href);
    const sections = page.locator('section.invocation');
    assert.equal(await sections.count(), 3);
    const rowsPer = await sections.evaluateAll((all) => all.map((section) => section.querySelectorAll('.span-row').length));
    // Cold start: root, Initialization, validate, compose, lookup; warm: four; the failure: root and validate.
    assert.deepEqual(rowsPer, [5, 4, 2]);
    const failed = sections.nth(2);
    assert.ok((await failed.getAttribute('class'))?.includes('failed'));
    assert.equal(await failed.locator('.span-row.error').count(), 2, 'the root and the child that threw are marked');
    assert.equal(await sections.nth(1).locator('.span-row.error').count(), 0);
    const errorColor = await failed
      .locator('.span-row.error')
      .first()
      .evaluate((row) => row.ownerDocument.defaultView!.getComputedStyle(row).color);
    assert.equal(errorColor, 'rgb(207, 34, 46)', 'an error row is red');
    const warm = sections.nth(1);
    const compose = warm.locator('.span-row', { hasText: 'compose greeting' });
    const lookup = warm.locator('.span-row', { hasText: 'lookup title' });
    assert.equal(await lookup.getAttribute('data-parent-span-id'), await compose.getAttribute('data-span-id'));
    assert.deepEqual([await compose.getAttribute('data-depth'), await lookup.getAttribute('data-depth')], ['1', '2']);
    await failed.locator('.span-row', { hasText: 'validate event' }).click();
    const details = page.locator('#details');
    assert.equal(await details.locator('h2').textContent(), 'validate event');
    const detailText = (await details.textContent()) ?? '';
    assert.match(detailText, /hello\.name\.type\s*number/);
    assert.match(detailText, /Events \(1\)exception at \+[\d.]+ ms/);
    assert.match(detailText, /exception\.type\s*TypeError/);
    assert.match(detailText, /Links \(0\)/);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'trace-view.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(
      requests.filter((url) => !url.startsWith('file:')),
      [],
      'the page fetched nothing',
    );
  } finally {
    await browser.close();
  }
});

test('the receiver takes what an OpenTelemetry SDK sends: OTel serializers, protobuf and JSON, gzip or not', async () => {
  const receiver = new OtlpReceiver();
  const url = await receiver.start();
  try {
    const source = new BasicTracerProvider();
    const spans = await source.spansNamed(['outer', 'inner']);
    const cases: [string, 'protobuf' | 'json', boolean][] = [
      ['application/x-protobuf', 'protobuf', false],
      ['application/x-protobuf', 'protobuf', true],
      ['application/json', 'json', false],
    ];
    for (const [contentType, format, gzip] of cases) {
      const bytes = Buffer.from(source.serialize(spans, format));
      const response = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'Content-Type': contentType, ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) },
        body: gzip ? gzipSync(bytes) : bytes,
      });
      assert.equal(response.status, 200, `${contentType} gzip=${gzip}`);
    }
    assert.equal(receiver.spans.length, 6);
    const [outer, inner] = receiver.spans;
    assert.deepEqual([outer!.name, inner!.name, inner!.parentSpanId], ['outer', 'inner', outer!.spanId]);
    assert.equal(outer!.attributes['test.number'], 42);
    assert.equal(outer!.service, 'sink-check');
    for (const span of receiver.spans) assert.ok(span.endMs >= span.startMs && span.startMs > 1.7e12, `${span.name}: epoch ms`);
    const metrics = await fetch(`${url}/v1/metrics`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: new Uint8Array() });
    assert.equal(metrics.status, 200);
    const bad = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: new Uint8Array([0xff, 0xff]) });
    assert.equal(bad.status, 400);
    assert.equal(receiver.rejected.length, 1);
  } finally {
    await receiver.close();
  }
});
