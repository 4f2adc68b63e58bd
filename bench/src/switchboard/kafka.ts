import { performance } from 'node:perf_hooks';
import { type Bus, connect } from '@switchboard/core';
import type { Admin } from 'kafkajs';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';

// Switchboard over Kafka, used as an application would: `connect(url)`, then `send` calls issued
// concurrently (at most WINDOW unconfirmed at once; the bus batches them into acks=all produce requests)
// and `receive` with handler concurrency. Like the raw baseline: one partition, same payloads.
// `connect('kafka://…')` loads @switchboard/adapter-kafka, which must be installed next to the bench.

const WINDOW = 4000;

async function open(url: string): Promise<Bus> {
  const separator = url.includes('?') ? '&' : '?';
  return connect(`${url}${separator}partitions=1`, { sendTimeoutMs: 60_000 });
}

/** Sends n payloads with at most WINDOW unconfirmed; records send→confirm latencies when asked. */
async function sendAll(bus: Bus, queue: string, opts: MeasureOptions, latencies?: number[]): Promise<void> {
  const template = makePayload(opts.bytes);
  let inflight = 0;
  let wake: (() => void) | undefined;
  let failure: unknown;
  const settled = countdown(opts.n);
  for (let i = 0; i < opts.n; i++) {
    while (inflight >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
    const body = makePayload(opts.bytes, template);
    inflight++;
    bus
      .send(queue, body)
      .then(
        () => {
          if (latencies) latencies.push(latencySince(body));
        },
        (error: unknown) => {
          failure ??= error;
        },
      )
      .finally(() => {
        inflight--;
        settled.tick();
        wake?.();
        wake = undefined;
      });
  }
  await settled.done;
  if (failure) throw failure;
}

async function cleanup(bus: Bus, queue: string): Promise<void> {
  const admin = (bus.transport.native as { admin?: Admin }).admin;
  await admin?.deleteTopics({ topics: [queue] }).catch(() => undefined);
  await bus.close();
}

async function publish(opts: MeasureOptions): Promise<MeasureResult> {
  const bus = await open(opts.url);
  const queue = benchName('bench-sb-kafka');
  try {
    await bus.send(queue, makePayload(opts.bytes)); // creates the topic outside the measured time
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
  const queue = benchName('bench-sb-kafka');
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
    await cleanup(bus, queue);
  }
}

/** Switchboard's Kafka measurements, registered in ./index.ts next to the other brokers'. */
export const kafkaSwitchboard: MeasurementEntry[] = [
  { broker: 'kafka', mode: 'publish', impl: 'switchboard', run: publish },
  { broker: 'kafka', mode: 'end-to-end', impl: 'switchboard', run: endToEnd },
];
