import { performance } from 'node:perf_hooks';
import { type Bus, createBus, memoryTransport } from '@switchboard/core';
import { benchName, countdown, makePayload } from '../harness/payload.js';
import { sendWindowed } from '../harness/send-window.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';

// Switchboard on its in-memory broker, used as an application would: JSON bodies (a string of `bytes`
// characters carrying the send time), concurrent sends, a receiver with handler concurrency. The 'raw'
// line for memory is the bare loop Switchboard cannot beat: JSON encode → in-process queue → decode →
// async handler, with no broker, retries, headers or acks.

const WINDOW = 1000;
const CONCURRENCY = 64;

function newBus(highWaterMark = 10_000): Bus {
  return createBus({ transport: memoryTransport({ broker: benchName('bench'), highWaterMark }) });
}

/** A JSON body of about `bytes` bytes whose `t` field is the send time. */
function jsonBody(bytes: number): { t: number; pad: string } {
  return { t: performance.now(), pad: 'x'.repeat(Math.max(0, bytes - 30)) };
}

async function publish(opts: MeasureOptions): Promise<MeasureResult> {
  const bus = newBus(opts.n + 1);
  const queue = benchName('publish');
  const latencies: number[] = [];
  const started = performance.now();
  await sendWindowed(opts.n, WINDOW, () => {
    const body = jsonBody(opts.bytes);
    return bus.send(queue, body).then(() => {
      latencies.push(performance.now() - body.t);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  await bus.close();
  return { seconds, latenciesMs: latencies };
}

async function endToEnd(opts: MeasureOptions): Promise<MeasureResult> {
  const bus = newBus();
  const queue = benchName('e2e');
  const latencies: number[] = [];
  const received = countdown(opts.n);
  await bus.receive<{ t: number }>(
    queue,
    (message) => {
      latencies.push(performance.now() - message.body.t);
      received.tick();
    },
    { concurrency: CONCURRENCY },
  );
  const started = performance.now();
  await sendWindowed(opts.n, WINDOW, () => bus.send(queue, jsonBody(opts.bytes)));
  await received.done;
  const seconds = (performance.now() - started) / 1000;
  await bus.close();
  return { seconds, latenciesMs: latencies };
}

async function requestReply(opts: MeasureOptions): Promise<MeasureResult> {
  const n = Math.min(opts.n, 20_000);
  const bus = newBus();
  const queue = benchName('rpc');
  await bus.reply<{ t: number }, number>(queue, (message) => message.body.t);
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const sentAt = await bus.request<number>(queue, jsonBody(opts.bytes), { timeoutMs: 10_000 });
    latencies.push(performance.now() - sentAt);
  }
  const seconds = (performance.now() - started) / 1000;
  await bus.close();
  return { seconds, latenciesMs: latencies, n };
}

/**
 * 1,000,000 messages (or n, if larger) from 20 eager senders through a consumer that yields to the event
 * loop on every message: the queue's high-water mark must hold the senders back, so RSS stays bounded.
 */
async function backpressure(opts: MeasureOptions): Promise<MeasureResult> {
  const n = Math.max(opts.n, 1_000_000);
  const bus = newBus();
  const queue = benchName('slow');
  const received = countdown(n);
  await bus.receive(
    queue,
    async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      received.tick();
    },
    { concurrency: 1 },
  );
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  const perSender = Math.ceil(n / 20);
  const body = makePayload(opts.bytes).toString('latin1');
  await Promise.all(
    Array.from({ length: 20 }, async (_, sender) => {
      const count = Math.min(perSender, n - sender * perSender);
      for (let i = 0; i < count; i++) await bus.send(queue, body);
    }),
  );
  await received.done;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await bus.close();
  return { seconds, n, rssGrowthMb: (peak - baseline) / (1024 * 1024) };
}

/** The bare in-process loop (the memory 'raw' baseline): encode, queue, decode, async handler. */
async function bareLoop(opts: MeasureOptions): Promise<MeasureResult> {
  const latencies: number[] = [];
  const received = countdown(opts.n);
  const handler = async (body: { t: number }) => {
    latencies.push(performance.now() - body.t);
    received.tick();
  };
  const queue: Buffer[] = [];
  const started = performance.now();
  for (let i = 0; i < opts.n; i++) {
    queue.push(Buffer.from(JSON.stringify(jsonBody(opts.bytes))));
    if (queue.length >= WINDOW) {
      for (const bytes of queue.splice(0)) void handler(JSON.parse(bytes.toString('utf8')));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  for (const bytes of queue.splice(0)) void handler(JSON.parse(bytes.toString('utf8')));
  await received.done;
  return { seconds: (performance.now() - started) / 1000, latenciesMs: latencies };
}

export const memoryMeasurements: MeasurementEntry[] = [
  { broker: 'memory', mode: 'publish', impl: 'switchboard', run: publish },
  { broker: 'memory', mode: 'end-to-end', impl: 'switchboard', run: endToEnd },
  { broker: 'memory', mode: 'end-to-end', impl: 'raw', run: bareLoop },
  { broker: 'memory', mode: 'request-reply', impl: 'switchboard', run: requestReply },
  { broker: 'memory', mode: 'backpressure', impl: 'switchboard', run: backpressure },
];
