import { performance } from 'node:perf_hooks';
import { type RabbitMQNative, transportFromUrl } from '@switchboard/adapter-rabbitmq';
import { type Bus, connect, registerTransport } from '@switchboard/core';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';
import { sendWindowed } from './window.js';

// Switchboard over RabbitMQ, used as an application would: `connect(url)` with the adapter's defaults
// (durable quorum queues, persistent messages, publisher confirms on one confirm channel), `send` calls
// issued concurrently (at most WINDOW unconfirmed; the bus batches them into publishes of up to 500
// messages whose confirms are awaited together), `receive` with handler concurrency and prefetch 1000
// like the raw baseline's consumer. Request/reply: sequential `request`s to a `reply` responder in the
// same process over direct reply-to.

const WINDOW = 4000;
const REQUEST_REPLY_N = 2000;

// connect() imports the adapter relative to core or to the working directory; `pnpm bench` runs from the
// repository root, where neither resolves it, so register the bench's own dependency for the schemes.
registerTransport('amqp', transportFromUrl);
registerTransport('amqps', transportFromUrl);

async function open(url: string): Promise<Bus> {
  return connect(url, { sendTimeoutMs: 60_000 });
}

/** Deletes the queue through the native connection, then closes the bus. */
async function cleanup(bus: Bus, queue: string): Promise<void> {
  try {
    const channel = await (bus.transport.native as RabbitMQNative).createChannel();
    channel.on('error', () => undefined);
    await channel.deleteQueue(queue).catch(() => undefined);
    await channel.close().catch(() => undefined);
  } finally {
    await bus.close();
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
  const queue = benchName('bench-sb-rabbitmq');
  try {
    await bus.send(queue, makePayload(opts.bytes)); // declares the queue outside the measured time
    const latenciesMs: number[] = [];
    const start = performance.now();
    await sendAll(bus, queue, opts, latenciesMs);
    return { seconds: (performance.now() - start) / 1000, latenciesMs };
  } finally {
    await cleanup(bus, queue);
  }
}

async function endToEnd(opts: MeasureOptions): Promise<MeasureResult> {
  const bus = await open(opts.url);
  const queue = benchName('bench-sb-rabbitmq');
  try {
    const latenciesMs: number[] = [];
    const received = countdown(opts.n);
    await bus.receive<Uint8Array>(
      queue,
      (message) => {
        latenciesMs.push(latencySince(message.body));
        received.tick();
      },
      { concurrency: 64, prefetch: 1000 },
    );
    const start = performance.now();
    await sendAll(bus, queue, opts);
    await received.done;
    return { seconds: (performance.now() - start) / 1000, latenciesMs };
  } finally {
    await cleanup(bus, queue);
  }
}

async function requestReply(opts: MeasureOptions): Promise<MeasureResult> {
  const n = Math.min(opts.n, REQUEST_REPLY_N);
  const bus = await open(opts.url);
  const queue = benchName('bench-sb-rabbitmq-rpc');
  try {
    await bus.reply<Uint8Array, Uint8Array>(queue, (message) => message.body);
    const template = makePayload(opts.bytes);
    // The first request opens the bus's inbox (the direct reply-to consumer): outside the measured time.
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
    await cleanup(bus, queue);
  }
}

/** Switchboard's RabbitMQ measurements, to be registered in ./index.ts next to the other brokers'. */
export const rabbitmqSwitchboard: MeasurementEntry[] = [
  { broker: 'rabbitmq', mode: 'publish', impl: 'switchboard', run: publish },
  { broker: 'rabbitmq', mode: 'end-to-end', impl: 'switchboard', run: endToEnd },
  { broker: 'rabbitmq', mode: 'request-reply', impl: 'switchboard', run: requestReply },
];
