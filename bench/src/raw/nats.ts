import { performance } from 'node:perf_hooks';
import { AckPolicy, type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';

// @nats-io/jetstream used well: WINDOW JetStream publishes in flight, each awaited for its PubAck;
// the consumer is a durable pull consumer read with consume() and acked per message.

const WINDOW = 256;
/** Requests are sequential round trips: this many are enough for stable percentiles. */
const MAX_REQUESTS = 20_000;

async function withStream<T>(
  url: string,
  fn: (nc: NatsConnection, stream: string) => Promise<T>,
): Promise<T> {
  const nc = await connect({ servers: url.replace(/^nats:\/\//, '') });
  const jsm = await jetstreamManager(nc);
  const stream = benchName('bench_nats').replace(/-/g, '_');
  try {
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    return await fn(nc, stream);
  } finally {
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
}

async function produce(js: JetStreamClient, subject: string, opts: MeasureOptions, latencies?: number[]) {
  const template = makePayload(opts.bytes);
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < opts.n; i++) {
    const body = makePayload(opts.bytes, template);
    const p: Promise<void> = js.publish(subject, body).then(() => {
      if (latencies) latencies.push(latencySince(body));
      inflight.delete(p);
    });
    inflight.add(p);
    if (inflight.size >= WINDOW) await Promise.race(inflight);
  }
  await Promise.all(inflight);
}

async function publish(opts: MeasureOptions): Promise<MeasureResult> {
  return withStream(opts.url, async (nc, stream) => {
    const latenciesMs: number[] = [];
    const start = performance.now();
    await produce(jetstream(nc), `${stream}.m`, opts, latenciesMs);
    return { seconds: (performance.now() - start) / 1000, latenciesMs };
  });
}

async function endToEnd(opts: MeasureOptions): Promise<MeasureResult> {
  return withStream(opts.url, async (nc, stream) => {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(stream, { durable_name: 'bench', ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    const consumer = await js.consumers.get(stream, 'bench');
    const messages = await consumer.consume({ max_messages: 1000 });
    const latenciesMs: number[] = [];
    const received = countdown(opts.n);
    const consuming = (async () => {
      let got = 0;
      for await (const m of messages) {
        latenciesMs.push(latencySince(m.data));
        m.ack();
        received.tick();
        if (++got >= opts.n) break;
      }
    })();
    const start = performance.now();
    await produce(js, `${stream}.m`, opts);
    await received.done;
    const seconds = (performance.now() - start) / 1000;
    await consuming;
    await messages.close();
    return { seconds, latenciesMs };
  });
}

/** Core NATS request/reply by hand: a subscription that echoes, and sequential `nc.request` round trips. */
async function requestReply(opts: MeasureOptions): Promise<MeasureResult> {
  const n = Math.min(opts.n, MAX_REQUESTS);
  const nc = await connect({ servers: opts.url.replace(/^nats:\/\//, '') });
  try {
    const subject = benchName('bench_nats_rpc');
    nc.subscribe(subject, { callback: (_error, msg) => void msg.respond(msg.data) });
    await nc.flush();
    const body = makePayload(opts.bytes);
    await nc.request(subject, body, { timeout: 10_000 });
    const latenciesMs: number[] = [];
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const sentAt = performance.now();
      await nc.request(subject, body, { timeout: 10_000 });
      latenciesMs.push(performance.now() - sentAt);
    }
    return { seconds: (performance.now() - start) / 1000, latenciesMs, n };
  } finally {
    await nc.close();
  }
}

export const natsRaw: MeasurementEntry[] = [
  { broker: 'nats', mode: 'publish', impl: 'raw', run: publish },
  { broker: 'nats', mode: 'end-to-end', impl: 'raw', run: endToEnd },
  { broker: 'nats', mode: 'request-reply', impl: 'raw', run: requestReply },
];
