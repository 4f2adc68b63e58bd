import { performance } from 'node:perf_hooks';
import type { Bus } from '@switchboard/core';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { BenchBroker, MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';
import { sendWindowed } from './window.js';

/** A bus opened for one measurement, with what removes the broker objects it created. */
export interface OpenedBus {
  readonly bus: Bus;
  /** Deletes what the measurement created on the broker (`destination` is its queue), then closes the bus. */
  cleanup(destination: string): Promise<void>;
}

/** How one broker's Switchboard measurements connect; everything else is the same for every broker. */
export interface BusCaseSetup {
  readonly broker: Exclude<BenchBroker, 'memory'>;
  /** Opens a bus on `url` (with `connect(url)`, as an application would). */
  open(url: string): Promise<OpenedBus>;
  /** Sends in flight at once: the application's concurrency. Default 4,000. */
  readonly window?: number;
  /** Prefetch of the end-to-end receiver (its handler concurrency is 64). Default 1,000. */
  readonly prefetch?: number;
  /** Most sequential requests of the request/reply measurement; absent: no such measurement. */
  readonly requests?: number;
}

/**
 * Switchboard's publish, end-to-end and request/reply measurements for a broker, used as an application
 * would: concurrent `send`s (at most `window` unconfirmed; the bus batches them), a `receive` with handler
 * concurrency, sequential `request`s to a `reply` handler in the same process. Binary payloads from
 * {@link makePayload}, like the raw baselines'. Setup work (creating the queue, opening the inbox) happens
 * outside the measured time.
 */
export function busMeasurements(setup: BusCaseSetup): MeasurementEntry[] {
  const window = setup.window ?? 4000;
  const prefix = `bench-sb-${setup.broker}`;

  function sendAll(bus: Bus, queue: string, opts: MeasureOptions, latencies?: number[]): Promise<void> {
    const template = makePayload(opts.bytes);
    // Without latencies (end to end: the receiver measures them) a send is just the send, as in the raw loops;
    // with them, one async step per send records the confirm's latency, as the raw loops' callbacks do.
    if (!latencies)
      return sendWindowed(opts.n, window, () => bus.send(queue, makePayload(opts.bytes, template)));
    return sendWindowed(opts.n, window, async () => {
      const body = makePayload(opts.bytes, template);
      await bus.send(queue, body);
      latencies.push(latencySince(body));
    });
  }

  async function measure(
    name: string,
    run: (bus: Bus, queue: string) => Promise<MeasureResult>,
    url: string,
  ): Promise<MeasureResult> {
    const { bus, cleanup } = await setup.open(url);
    const queue = benchName(name);
    try {
      return await run(bus, queue);
    } finally {
      await cleanup(queue);
    }
  }

  const publish = (opts: MeasureOptions) =>
    measure(
      prefix,
      async (bus, queue) => {
        await bus.send(queue, makePayload(opts.bytes)); // creates the queue outside the measured time
        const latenciesMs: number[] = [];
        const start = performance.now();
        await sendAll(bus, queue, opts, latenciesMs);
        return { seconds: (performance.now() - start) / 1000, latenciesMs };
      },
      opts.url,
    );

  const endToEnd = (opts: MeasureOptions) =>
    measure(
      prefix,
      async (bus, queue) => {
        const latenciesMs: number[] = [];
        const received = countdown(opts.n);
        await bus.receive<Uint8Array>(
          queue,
          (message) => {
            latenciesMs.push(latencySince(message.body));
            received.tick();
          },
          { concurrency: 64, prefetch: setup.prefetch ?? 1000 },
        );
        const start = performance.now();
        await sendAll(bus, queue, opts);
        await received.done;
        return { seconds: (performance.now() - start) / 1000, latenciesMs };
      },
      opts.url,
    );

  const requestReply = (opts: MeasureOptions) =>
    measure(
      `${prefix}-rpc`,
      async (bus, queue) => {
        const n = Math.min(opts.n, setup.requests ?? 0);
        await bus.reply<Uint8Array, Uint8Array>(queue, (message) => message.body);
        const template = makePayload(opts.bytes);
        await bus.request(queue, makePayload(opts.bytes, template), { timeoutMs: 10_000 }); // opens the inbox
        const latenciesMs: number[] = [];
        const start = performance.now();
        for (let i = 0; i < n; i++) {
          const sentAt = performance.now();
          await bus.request<Uint8Array>(queue, makePayload(opts.bytes, template), { timeoutMs: 10_000 });
          latenciesMs.push(performance.now() - sentAt);
        }
        return { seconds: (performance.now() - start) / 1000, latenciesMs, n };
      },
      opts.url,
    );

  const entries: MeasurementEntry[] = [
    { broker: setup.broker, mode: 'publish', impl: 'switchboard', run: publish },
    { broker: setup.broker, mode: 'end-to-end', impl: 'switchboard', run: endToEnd },
  ];
  if (setup.requests)
    entries.push({ broker: setup.broker, mode: 'request-reply', impl: 'switchboard', run: requestReply });
  return entries;
}
