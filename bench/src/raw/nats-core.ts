import { performance } from 'node:perf_hooks';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';

// Core NATS (no JetStream) used well, selected by `mode=core` in the URL (`nats://127.0.0.1:4222?mode=core`),
// as the Switchboard adapter is: messages are written without waiting, and a flush (PING/PONG) every BATCH
// messages proves the server has read them — at most FLUSHES flushes in flight. A message's latency runs to
// the flush behind it (publish) or to its arrival at a plain subscription in the same process (end-to-end).

const BATCH = 256;
const FLUSHES = 4;

/** True when the URL selects core NATS (`mode=core`). */
export function isCoreUrl(url: string): boolean {
  return /[?&]mode=core(&|$)/.test(url);
}

async function open(url: string): Promise<NatsConnection> {
  const [hosts = ''] = url.replace(/^nats:\/\//, '').split('?');
  return connect({ servers: hosts.split(',') });
}

/** Publishes n messages on `subject`, a flush behind every BATCH; resolves once the last flush is answered. */
async function produce(nc: NatsConnection, subject: string, opts: MeasureOptions, latencies?: number[]) {
  const template = makePayload(opts.bytes);
  const inflight: Promise<void>[] = [];
  let batch: Buffer[] = [];
  const flushBatch = () => {
    const sent = batch;
    batch = [];
    inflight.push(
      nc.flush().then(() => {
        if (latencies) for (const body of sent) latencies.push(latencySince(body));
      }),
    );
  };
  for (let i = 0; i < opts.n; i++) {
    const body = makePayload(opts.bytes, template);
    nc.publish(subject, body);
    if (latencies) batch.push(body);
    if ((i + 1) % BATCH === 0) {
      flushBatch();
      if (inflight.length >= FLUSHES) await inflight.shift();
    }
  }
  flushBatch();
  await Promise.all(inflight);
}

async function publish(opts: MeasureOptions): Promise<MeasureResult> {
  const nc = await open(opts.url);
  try {
    const subject = benchName('bench_nats_core');
    const latenciesMs: number[] = [];
    const start = performance.now();
    await produce(nc, subject, opts, latenciesMs);
    return { seconds: (performance.now() - start) / 1000, latenciesMs };
  } finally {
    await nc.close();
  }
}

async function endToEnd(opts: MeasureOptions): Promise<MeasureResult> {
  const nc = await open(opts.url);
  try {
    const subject = benchName('bench_nats_core');
    const latenciesMs: number[] = [];
    const received = countdown(opts.n);
    nc.subscribe(subject, {
      queue: 'bench',
      callback: (_error, msg) => {
        latenciesMs.push(latencySince(msg.data));
        received.tick();
      },
    });
    await nc.flush();
    const start = performance.now();
    await produce(nc, subject, opts);
    await received.done;
    return { seconds: (performance.now() - start) / 1000, latenciesMs };
  } finally {
    await nc.close();
  }
}

/** `entries`' publish and end-to-end measurements registered again under the `nats-core` broker name. */
export function asNatsCore(entries: readonly MeasurementEntry[]): MeasurementEntry[] {
  return entries
    .filter((entry) => entry.mode === 'publish' || entry.mode === 'end-to-end')
    .map((entry) => ({ ...entry, broker: 'nats-core' }));
}

/**
 * The NATS baselines by URL: core NATS where the URL says `mode=core` (publish and end-to-end; request/reply
 * is core NATS in both modes), else the given JetStream measurement.
 */
export function natsByMode(jetStream: MeasurementEntry[]): MeasurementEntry[] {
  const core: Partial<Record<MeasurementEntry['mode'], MeasurementEntry['run']>> = {
    publish,
    'end-to-end': endToEnd,
  };
  return jetStream.map((entry) => {
    const coreRun =
      core[entry.mode] ?? ((opts: MeasureOptions) => entry.run({ ...opts, url: opts.url.split('?')[0]! }));
    return { ...entry, run: (opts) => (isCoreUrl(opts.url) ? coreRun(opts) : entry.run(opts)) };
  });
}
