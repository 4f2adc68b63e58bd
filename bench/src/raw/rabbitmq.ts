import { performance } from 'node:perf_hooks';
import { type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';

// amqplib used well: a confirm channel with WINDOW unconfirmed messages in flight (honouring
// back-pressure), a durable quorum queue as Switchboard declares, and a consumer with prefetch
// PREFETCH acking ACK_EVERY messages at a time (multiple=true). Request/reply: direct reply-to by hand.

const WINDOW = 1000;
const PREFETCH = 1000;
const ACK_EVERY = 100;
/** Round trips are latency-bound: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms to each. */
const LOW_LATENCY = { noDelay: true };
/** Sequential round trips of request/reply: as many as Switchboard's measurement makes. */
const MAX_REQUESTS = 2000;

async function withQueue<T>(
  url: string,
  fn: (conn: ChannelModel, queue: string) => Promise<T>,
  socketOptions?: { noDelay: boolean },
): Promise<T> {
  const conn = await connect(url, socketOptions);
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

/**
 * Direct reply-to by hand on `conn`: a responder consumes `queue` (a durable quorum queue, as Switchboard
 * declares) with prefetch and answers with `sendToQueue(replyTo)` carrying the correlation id, then acks;
 * the requester consumes `amq.rabbitmq.reply-to` with noAck and publishes each request on that same channel
 * with `replyTo: amq.rabbitmq.reply-to`. `roundTrip(id)` resolves when the reply with correlation id `id`
 * arrives; one at a time. Also what `bench/dist/trace.js rabbitmq raw` traces.
 */
export async function directReplyTo(
  conn: ChannelModel,
  queue: string,
  body: Buffer,
): Promise<{ roundTrip: (id: string) => Promise<void>; close: () => Promise<void> }> {
  const responder = await conn.createChannel();
  await responder.prefetch(PREFETCH);
  await responder.consume(queue, (msg) => {
    if (!msg) return;
    responder.sendToQueue(msg.properties.replyTo, msg.content, {
      correlationId: msg.properties.correlationId,
    });
    responder.ack(msg);
  });
  const requester = await conn.createChannel();
  let waiting: { id: string; resolve: () => void } | undefined;
  await requester.consume(
    'amq.rabbitmq.reply-to',
    (msg) => {
      if (msg && waiting && msg.properties.correlationId === waiting.id) waiting.resolve();
    },
    { noAck: true },
  );
  const roundTrip = (id: string) =>
    new Promise<void>((resolve) => {
      waiting = { id, resolve };
      requester.sendToQueue(queue, body, {
        correlationId: id,
        replyTo: 'amq.rabbitmq.reply-to',
        persistent: true,
      });
    });
  const close = async () => {
    await Promise.all([requester.close(), responder.close()]);
  };
  return { roundTrip, close };
}

/** Sequential round trips over {@link directReplyTo}. */
async function requestReply(opts: MeasureOptions): Promise<MeasureResult> {
  const n = Math.min(opts.n, MAX_REQUESTS);
  return withQueue(
    opts.url,
    async (conn, queue) => {
      const { roundTrip, close } = await directReplyTo(conn, queue, makePayload(opts.bytes));
      await roundTrip('warm-up');
      const latenciesMs: number[] = [];
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        const sentAt = performance.now();
        await roundTrip(String(i));
        latenciesMs.push(performance.now() - sentAt);
      }
      const seconds = (performance.now() - start) / 1000;
      await close();
      return { seconds, latenciesMs, n };
    },
    LOW_LATENCY,
  );
}

export const rabbitmqRaw: MeasurementEntry[] = [
  { broker: 'rabbitmq', mode: 'publish', impl: 'raw', run: publish },
  { broker: 'rabbitmq', mode: 'end-to-end', impl: 'raw', run: endToEnd },
  { broker: 'rabbitmq', mode: 'request-reply', impl: 'raw', run: requestReply },
];
