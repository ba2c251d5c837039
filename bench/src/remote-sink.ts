// The main thread's handle on a sink running in a worker thread (src/sink-worker.ts).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { SinkRequest, SinkSnapshot } from './sink-worker.ts';

export interface RemoteSink {
  url: string;
  port: number;
  snapshot(): Promise<SinkSnapshot>;
  close(): Promise<void>;
}

type Reply = { kind: 'ready'; url: string; port: number } | { kind: 'snapshot'; snapshot: SinkSnapshot } | { kind: 'closed' };

export async function startRemoteSink(): Promise<RemoteSink> {
  const worker = new Worker(new URL('./sink-worker.ts', import.meta.url));
  const next = async (): Promise<Reply> => {
    // The losing listener is removed, so that listeners do not pile up on the worker over a run.
    const settled = new AbortController();
    try {
      const [reply] = (await Promise.race([
        once(worker, 'message', { signal: settled.signal }),
        once(worker, 'error', { signal: settled.signal }).then(([error]) => Promise.reject(error)),
      ])) as [Reply];
      return reply;
    } finally {
      settled.abort();
    }
  };
  const ready = await next();
  if (ready.kind !== 'ready') throw new Error(`sink worker: expected ready, got ${ready.kind}`);
  let queue = Promise.resolve();
  const ask = <T extends Reply['kind']>(request: SinkRequest, expected: T): Promise<Extract<Reply, { kind: T }>> => {
    const result = queue.then(async () => {
      worker.postMessage(request);
      const reply = await next();
      if (reply.kind !== expected) throw new Error(`sink worker: expected ${expected}, got ${reply.kind}`);
      return reply as Extract<Reply, { kind: T }>;
    });
    queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };
  return {
    url: ready.url,
    port: ready.port,
    snapshot: async () => (await ask({ kind: 'snapshot' }, 'snapshot')).snapshot,
    close: async () => {
      await ask({ kind: 'close' }, 'closed');
      await worker.terminate();
    },
  };
}
