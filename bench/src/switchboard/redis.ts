import { performance } from 'node:perf_hooks';
import { transportFromUrl } from '@switchboard/adapter-redis';
import type { Destination } from '@switchboard/core';
import { type Bus, connect, registerTransport } from '@switchboard/core';
import { Redis } from 'ioredis';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';
import { REQUEST_REPLY_N } from '../raw/redis.js';
import { sendWindowed } from './window.js';

// Switchboard over Redis Streams, used as an application would: `connect(url)` with the adapter's
// defaults (so every XADD trims with `MAXLEN ~ 1000000`, as the raw baseline does), `send` calls issued
// concurrently (at most WINDOW unconfirmed; the bus batches them into pipelined XADDs), `receive` with
// handler concurrency. Same binary payloads as the raw baseline. Request/reply: sequential `request`s
// to a `reply` responder in the same process, compared with a raw LPUSH + BRPOP list round trip.

const WINDOW = 4000;

interface RedisNativeLike {
  streamKey(destination: Destination): string;
}

// connect() imports the adapter relative to core or to the working directory; `pnpm bench` runs from the
// repository root, where neither resolves it, so register the bench's own dependency for the scheme.
registerTransport('redis', transportFromUrl);

async function open(url: string): Promise<Bus> {
  return connect(url, { sendTimeoutMs: 60_000 });
}

/** Closes the bus, then deletes the queue's stream and delay set with a plain client. */
async function cleanup(bus: Bus, queue: string, url: string): Promise<void> {
  const stream = (bus.transport.native as RedisNativeLike).streamKey({ kind: 'queue', name: queue });
  await bus.close();
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.del(stream, `${stream}:delayed`);
  } finally {
    redis.disconnect();
  }
}

/** Sends n payloads with at most WINDOW unconfirmed; records send→confirm latencies when asked. */
function sendAll(bus: Bus, queue: string, opts: MeasureOptions, latencies?: number[]): Promise<void> {
  const template = makePayload(opts.bytes);
  return sendWindowed(opts.n, WINDOW, async () => {
    const body = makePayload(opts.bytes, template);
    await bus.send(queue, body);
    latencies?.push(latencySince(body));
  });
}

async function publish(opts: MeasureOptions): Promise<MeasureResult> {
  const bus = await open(opts.url);
  const queue = benchName('bench-sb-redis');
  try {
    await bus.send(queue, makePayload(opts.bytes)); // the first round trip, outside the measured time
    const latenciesMs: number[] = [];
    const start = performance.now();
    await sendAll(bus, queue, opts, latenciesMs);
    return { seconds: (performance.now() - start) / 1000, latenciesMs };
  } finally {
    await cleanup(bus, queue, opts.url);
  }
}

async function endToEnd(opts: MeasureOptions): Promise<MeasureResult> {
  const bus = await open(opts.url);
  const queue = benchName('bench-sb-redis');
  try {
    const latenciesMs: number[] = [];
    const received = countdown(opts.n);
    await bus.receive<Uint8Array>(
      queue,
      (message) => {
        latenciesMs.push(latencySince(message.body));
        received.tick();
      },
      { concurrency: 64, prefetch: 2000 },
    );
    const start = performance.now();
    await sendAll(bus, queue, opts);
    await received.done;
    return { seconds: (performance.now() - start) / 1000, latenciesMs };
  } finally {
    await cleanup(bus, queue, opts.url);
  }
}

async function requestReply(opts: MeasureOptions): Promise<MeasureResult> {
  const n = Math.min(opts.n, REQUEST_REPLY_N);
  const bus = await open(opts.url);
  const queue = benchName('bench-sb-redis-rpc');
  try {
    await bus.reply<Uint8Array, Uint8Array>(queue, (message) => message.body);
    const template = makePayload(opts.bytes);
    // The first request opens the bus's inbox: outside the measured time.
    await bus.request(queue, makePayload(opts.bytes, template), { timeoutMs: 10_000 });
    const latenciesMs: number[] = [];
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const sentAt = performance.now();
      await bus.request<Uint8Array>(queue, makePayload(opts.bytes, template), { timeoutMs: 10_000 });
      latenciesMs.push(performance.now() - sentAt);
    }
    return { seconds: (performance.now() - start) / 1000, latenciesMs, n };
  } finally {
    await cleanup(bus, queue, opts.url);
  }
}

/** Switchboard's Redis measurements, registered in ./index.ts next to the other brokers'. */
export const redisSwitchboard: MeasurementEntry[] = [
  { broker: 'redis', mode: 'publish', impl: 'switchboard', run: publish },
  { broker: 'redis', mode: 'end-to-end', impl: 'switchboard', run: endToEnd },
  { broker: 'redis', mode: 'request-reply', impl: 'switchboard', run: requestReply },
];
