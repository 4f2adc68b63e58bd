import { performance } from 'node:perf_hooks';
import type { JetStreamManager } from '@nats-io/jetstream';
import { type Bus, connect } from '@switchboard/core';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';
import { sendWindowed } from './window.js';

// Switchboard over NATS, used as an application would: `connect(url)` (JetStream mode, the default), then
// `send` calls issued concurrently (at most WINDOW unconfirmed; the bus batches them and the adapter pipelines
// the PubAcks), `receive` with handler concurrency, and `request` one at a time against a `reply` handler.
// Each run uses its own subject/stream prefix and deletes its streams. `connect('nats://…')` loads
// @switchboard/adapter-nats, which must be installed next to the bench.

const WINDOW = 4000;
/** Requests are sequential round trips: this many are enough for stable percentiles. */
const MAX_REQUESTS = 20_000;

async function open(url: string): Promise<{ bus: Bus; prefix: string }> {
  const prefix = `bench${process.pid}${Date.now().toString(36)}`;
  const separator = url.includes('?') ? '&' : '?';
  const bus = await connect(`${url}${separator}prefix=${prefix}&storage=file`, { sendTimeoutMs: 60_000 });
  return { bus, prefix };
}

/** Deletes the streams this run created and closes the bus. */
async function cleanup(bus: Bus, prefix: string): Promise<void> {
  const jsm = (bus.transport.native as { jsm?: JetStreamManager }).jsm;
  if (jsm) {
    const names: string[] = [];
    for await (const name of jsm.streams.names()) if (name.startsWith(`${prefix}_`)) names.push(name);
    await Promise.all(names.map((name) => jsm.streams.delete(name).catch(() => false)));
  }
  await bus.close();
}

/** Sends n payloads with at most WINDOW unconfirmed; records send→confirm latencies when asked. */
function sendAll(bus: Bus, queue: string, opts: MeasureOptions, latencies?: number[]): Promise<void> {
  const template = makePayload(opts.bytes);
  return sendWindowed(opts.n, WINDOW, async () => {
    const body = makePayload(opts.bytes, template);
    await bus.send(queue, body);
    if (latencies) latencies.push(latencySince(body));
  });
}

async function publish(opts: MeasureOptions): Promise<MeasureResult> {
  const { bus, prefix } = await open(opts.url);
  const queue = benchName('bench-sb-nats');
  try {
    await bus.send(queue, makePayload(opts.bytes)); // creates the stream outside the measured time
    const latenciesMs: number[] = [];
    const start = performance.now();
    await sendAll(bus, queue, opts, latenciesMs);
    return { seconds: (performance.now() - start) / 1000, latenciesMs };
  } finally {
    await cleanup(bus, prefix);
  }
}

async function endToEnd(opts: MeasureOptions): Promise<MeasureResult> {
  const { bus, prefix } = await open(opts.url);
  const queue = benchName('bench-sb-nats');
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
    await cleanup(bus, prefix);
  }
}

/** Sequential requests (core NATS request/reply under the bus), answered by a `reply` handler. */
async function requestReply(opts: MeasureOptions): Promise<MeasureResult> {
  const n = Math.min(opts.n, MAX_REQUESTS);
  const { bus, prefix } = await open(opts.url);
  const queue = benchName('bench-sb-nats-rpc');
  try {
    await bus.reply<Uint8Array, Uint8Array>(queue, (message) => message.body);
    const body = makePayload(opts.bytes);
    await bus.request<Uint8Array>(queue, body, { timeoutMs: 10_000 }); // warm: inbox, subscriptions
    const latenciesMs: number[] = [];
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const sentAt = performance.now();
      await bus.request<Uint8Array>(queue, body, { timeoutMs: 10_000 });
      latenciesMs.push(performance.now() - sentAt);
    }
    return { seconds: (performance.now() - start) / 1000, latenciesMs, n };
  } finally {
    await cleanup(bus, prefix);
  }
}

/** Switchboard's NATS measurements, registered in ./index.ts next to the other brokers'. */
export const natsSwitchboard: MeasurementEntry[] = [
  { broker: 'nats', mode: 'publish', impl: 'switchboard', run: publish },
  { broker: 'nats', mode: 'end-to-end', impl: 'switchboard', run: endToEnd },
  { broker: 'nats', mode: 'request-reply', impl: 'switchboard', run: requestReply },
];
