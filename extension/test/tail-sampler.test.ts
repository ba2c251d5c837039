// The tail sampler between the buffer and the export: which entries go out, the reasons on kept
// roots, the caller's decision, logs, and the counts.
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { BufferedEntry } from '../src/buffer/telemetry-buffer.ts';
import type { MetricItem } from '../src/otlp/metrics-model.ts';
import { getAttr } from '../src/otlp/types.ts';
import type { LogItem, SpanItem } from '../src/otlp/types.ts';
import { parseTelemetryBatch } from '../src/receive/telemetry-records.ts';
import { parseSamplingRules } from '../src/sampling/sampling-rules.ts';
import { TailSampler } from '../src/sampling/tail-sampler.ts';
import type { SamplingDecision } from '../src/sampling/decide.ts';

const resource = { attributes: [] };
const scope = { name: 'test' };
// Last 56 bits all ones: kept by any ratio above 0; all zeros: dropped by any ratio below 1.
const luckyTrace = '6352a70e1e2c502e00ffffffffffffff';
const unluckyTrace = '6352a70e1e2c502e0000000000000000';

function root(requestId: string, traceId: string, options: { failed?: boolean; durationMs?: number; coldStart?: boolean; flags?: number } = {}): SpanItem {
  const startNs = 1_764_921_600_000_000_000n;
  return {
    resource,
    scope,
    span: {
      traceId,
      spanId: 'a1a1a1a1a1a1a1a1',
      name: 'handler',
      kind: 2,
      startTimeUnixNano: String(startNs),
      endTimeUnixNano: String(startNs + BigInt((options.durationMs ?? 20) * 1e6)),
      attributes: [
        // The pre-1.45 name, as other SDKs' Lambda instrumentations write it: matched all the same.
        { key: 'faas.invocation_id', value: { stringValue: requestId } },
        { key: 'faas.coldstart', value: { boolValue: options.coldStart ?? false } },
      ],
      ...(options.flags !== undefined ? { flags: options.flags } : {}),
      status: { code: options.failed ? 2 : 0 },
    },
  };
}

function child(traceId: string): SpanItem {
  return {
    resource,
    scope,
    span: {
      traceId,
      spanId: 'b2b2b2b2b2b2b2b2',
      parentSpanId: 'a1a1a1a1a1a1a1a1',
      name: 'db',
      kind: 3,
      startTimeUnixNano: '1',
      endTimeUnixNano: '2',
      attributes: [],
    },
  };
}

function log(requestId: string): LogItem {
  return {
    resource,
    scope,
    log: {
      timeUnixNano: '1',
      observedTimeUnixNano: '1',
      body: { stringValue: 'line' },
      attributes: [{ key: 'faas.invocation_id', value: { stringValue: requestId } }],
    },
  };
}

const entry = (item: SpanItem | LogItem | MetricItem): BufferedEntry =>
  'span' in item
    ? { kind: 'span', item, bytes: 1, atMs: 0 }
    : 'log' in item
      ? { kind: 'log', item, bytes: 1, atMs: 0 }
      : { kind: 'metric', item, bytes: 1, atMs: 0 };

function sampler(rules: string, logs?: string) {
  const decisions: SamplingDecision[] = [];
  return { sampler: new TailSampler({ rules: parseSamplingRules(rules, logs)!, onDecision: (decision) => decisions.push(decision) }), decisions };
}

describe('TailSampler', () => {
  it('keeps the failed invocation with its children, drops the rest, keeps logs by default, counts by reason', () => {
    const { sampler: tail, decisions } = sampler('errors');
    const failedRoot = root('req-1', luckyTrace, { failed: true });
    const okRoot = root('req-2', unluckyTrace);
    tail.onSpans([failedRoot, okRoot]);
    const chosen = tail.select([
      entry(failedRoot),
      entry(child(luckyTrace)),
      entry(log('req-1')),
      entry(okRoot),
      entry(child(unluckyTrace)),
      entry(log('req-2')),
    ]);
    assert.deepEqual(
      chosen.map((one) => (one.kind === 'span' ? one.item.span.traceId.slice(-4) + ':' + one.item.span.name : `${one.kind}`)),
      ['ffff:handler', 'ffff:db', 'log', 'log'],
    );
    assert.equal(getAttr(failedRoot.span.attributes, 'lambda_otel.sampling.reason'), 'error');
    assert.deepEqual(tail.counts, { kept: { error: 1 }, dropped: { ratio: 1 }, droppedSpans: 2, droppedLogs: 0 });
    assert.equal(decisions.length, 2, 'each invocation is decided once');
    tail.select([entry(child(unluckyTrace))]);
    assert.equal(decisions.length, 2);
  });

  it('drops the logs of dropped invocations when asked', () => {
    const { sampler: tail } = sampler('errors', 'drop');
    tail.onSpans([root('req-1', unluckyTrace)]);
    assert.equal(tail.select([entry(log('req-1'))]).length, 0);
    assert.equal(tail.counts.droppedLogs, 1);
  });

  it('slow and cold invocations are kept, and a ratio picks by trace id', () => {
    const { sampler: tail } = sampler('slow>500ms,coldstart,ratio=0.5');
    const cold = root('req-1', unluckyTrace, { coldStart: true });
    const slow = root('req-2', '11111111111111111111111111111111'.slice(0, 18) + '00000000000000', { durationMs: 750 });
    const lucky = root('req-3', luckyTrace);
    tail.onSpans([cold, slow, lucky]);
    assert.equal(tail.select([entry(cold), entry(slow), entry(lucky)]).length, 3);
    assert.deepEqual(tail.counts.kept, { coldstart: 1, slow: 1, ratio: 1 });
  });

  it("respects the caller's Sampled=0: dropped, unless it failed and errors are kept (then the root says partial)", () => {
    const { sampler: tail } = sampler('errors,ratio=1');
    tail.startInvocation('req-1', `Root=1-6352a70e-1e2c502e00ffffffffffffff;Parent=35465b3a9e2f7c6a;Sampled=0`);
    tail.startInvocation('req-2', `Root=1-6352a70e-1e2c502e0000000000000000;Parent=35465b3a9e2f7c6a;Sampled=0`);
    const failed = root('req-1', luckyTrace, { failed: true });
    const fine = root('req-2', unluckyTrace);
    tail.onSpans([failed, fine]);
    const chosen = tail.select([entry(failed), entry(fine)]);
    assert.deepEqual(chosen, [entry(failed)]);
    assert.equal(getAttr(failed.span.attributes, 'lambda_otel.sampling.partial'), true);
    assert.deepEqual(tail.counts.dropped, { upstream: 1 });
  });

  it('W3C trace flags 00 on a root whose exporter set the flags count as the caller sampling it out', () => {
    const { sampler: tail } = sampler('ratio=1');
    const unsampled = root('req-1', luckyTrace, { flags: 0x300 });
    tail.onSpans([unsampled]);
    assert.equal(tail.select([entry(unsampled)]).length, 0);
    assert.deepEqual(tail.counts.dropped, { upstream: 1 });
  });

  it('an invocation without a root is decided from its platform records; one still running is exported undecided', () => {
    const { sampler: tail } = sampler('errors');
    tail.startInvocation('req-1', 'Root=1-6352a70e-1e2c502e00ffffffffffffff;Parent=35465b3a9e2f7c6a;Sampled=1');
    const early = tail.select([entry(child(luckyTrace))]);
    assert.equal(early.length, 1, 'running: not decided yet');
    tail.onTelemetry(
      parseTelemetryBatch(
        JSON.stringify([
          {
            time: '2026-12-05T08:00:00.300Z',
            type: 'platform.runtimeDone',
            record: { requestId: 'req-1', status: 'timeout', errorType: 'Sandbox.Timedout', metrics: { durationMs: 3000 } },
          },
        ]),
      ),
    );
    assert.equal(tail.select([entry(child(luckyTrace))]).length, 1);
    assert.deepEqual(tail.counts.kept, { error: 1 });
  });

  it('metrics always pass', () => {
    const { sampler: tail } = sampler('errors');
    const metric: MetricItem = { resource, scope, metric: { name: 'faas.invocations' } };
    assert.equal(tail.select([entry(metric)]).length, 1);
  });
});
