import { performance } from 'node:perf_hooks';
import { type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';

// amqplib used well: a confirm channel with WINDOW unconfirmed messages in flight (honouring
// back-pressure), a durable quorum queue as Switchboard declares, and a consumer with prefetch
// PREFETCH acking ACK_EVERY messages at a time (multiple=true).

const WINDOW = 1000;
const PREFETCH = 1000;
const ACK_EVERY = 100;

async function withQueue<T>(url: string, fn: (conn: ChannelModel, queue: string) => Promise<T>): Promise<T> {
  const conn = await connect(url);
  const queue = benchName('bench-rabbitmq');
  try {
    const ch = await conn.createChannel();
    await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    try {
      return await fn(conn, queue);
    } finally {
      await ch.deleteQueue(queue).catch(() => {});
      await ch.close().catch(() => {});
    }
  } finally {
    await conn.close();
  }
}

async function produce(ch: ConfirmChannel, queue: string, opts: MeasureOptions, latencies?: number[]) {
  const template = makePayload(opts.bytes);
  let inflight = 0;
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const confirmed = countdown(opts.n);
  for (let i = 0; i < opts.n; i++) {
    while (inflight >= WINDOW) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
    const body = makePayload(opts.bytes, template);
    inflight++;
    const ok = ch.sendToQueue(queue, body, { persistent: true }, (err) => {
      if (err) failure = err instanceof Error ? err : new Error(String(err));
      else if (latencies) latencies.push(latencySince(body));
      inflight--;
      confirmed.tick();
      wake?.();
      wake = undefined;
    });
    if (!ok) await new Promise<void>((r) => ch.once('drain', () => r()));
  }
  await confirmed.done;
  if (failure) throw failure;
}

async function publish(opts: MeasureOptions): Promise<MeasureResult> {
  return withQueue(opts.url, async (conn, queue) => {
    const ch = await conn.createConfirmChannel();
    const latenciesMs: number[] = [];
    const start = performance.now();
    await produce(ch, queue, opts, latenciesMs);
    const seconds = (performance.now() - start) / 1000;
    await ch.close();
    return { seconds, latenciesMs };
  });
}

async function endToEnd(opts: MeasureOptions): Promise<MeasureResult> {
  return withQueue(opts.url, async (conn, queue) => {
    const pub = await conn.createConfirmChannel();
    const sub = await conn.createChannel();
    await sub.prefetch(PREFETCH);
    const latenciesMs: number[] = [];
    const received = countdown(opts.n);
    let got = 0;
    await sub.consume(queue, (msg) => {
      if (!msg) return;
      latenciesMs.push(latencySince(msg.content));
      got++;
      if (got % ACK_EVERY === 0 || got === opts.n) sub.ack(msg, true);
      received.tick();
    });
    const start = performance.now();
    await produce(pub, queue, opts);
    await received.done;
    const seconds = (performance.now() - start) / 1000;
    await Promise.all([pub.close(), sub.close()]);
    return { seconds, latenciesMs };
  });
}

export const rabbitmqRaw: MeasurementEntry[] = [
  { broker: 'rabbitmq', mode: 'publish', impl: 'raw', run: publish },
  { broker: 'rabbitmq', mode: 'end-to-end', impl: 'raw', run: endToEnd },
];
