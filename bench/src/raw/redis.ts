import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';

// ioredis used well: XADD pipelined BATCH at a time (two pipelines in flight); the consumer reads
// with XREADGROUP COUNT 100 and XACKs each read without waiting for the reply before reading again.
// Every XADD trims with `MAXLEN ~ 1000000`, the bound of the Switchboard adapter's default `maxLength`
// (which trims once per batch), so both sides keep the stream bounded in memory. Request/reply: LPUSH of the request
// (carrying the requester's reply list) onto a request list, BRPOP by the responder, LPUSH of the reply
// onto the per-requester list, BRPOP by the requester — each side on its own connection.

const BATCH = 1000;
const READ_COUNT = 100;
const GROUP = 'bench';
/** The same approximate trimming as @switchboard/adapter-redis's default `maxLength`. */
const TRIM = ['MAXLEN', '~', '1000000'] as const;

async function open(url: string): Promise<Redis> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  return r;
}

async function produce(redis: Redis, stream: string, opts: MeasureOptions, latencies?: number[]) {
  const template = makePayload(opts.bytes);
  let previous: Promise<unknown> = Promise.resolve();
  for (let sent = 0; sent < opts.n; ) {
    const size = Math.min(BATCH, opts.n - sent);
    const pipe = redis.pipeline();
    const bodies: Buffer[] = [];
    for (let i = 0; i < size; i++) {
      const body = makePayload(opts.bytes, template);
      bodies.push(body);
      pipe.xadd(stream, ...TRIM, '*', 'b', body);
    }
    const current = pipe.exec().then(() => {
      if (latencies) for (const b of bodies) latencies.push(latencySince(b));
    });
    await previous;
    previous = current;
    sent += size;
  }
  await previous;
}

type RawEntry = [id: Buffer, fields: Buffer[]];

/** The entries of the first stream of an XREADGROUP reply, in RESP2 or ioredis' flattened RESP3 shape. */
function entriesOf(reply: unknown): RawEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const pair: unknown = Buffer.isBuffer(reply[0]) ? reply : reply[0];
  return Array.isArray(pair) ? ((pair[1] as RawEntry[] | null) ?? []) : [];
}

async function publish(opts: MeasureOptions): Promise<MeasureResult> {
  const redis = await open(opts.url);
  const stream = benchName('bench-redis');
  try {
    const latenciesMs: number[] = [];
    const start = performance.now();
    await produce(redis, stream, opts, latenciesMs);
    return { seconds: (performance.now() - start) / 1000, latenciesMs };
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
}

async function endToEnd(opts: MeasureOptions): Promise<MeasureResult> {
  const [producer, consumer] = await Promise.all([open(opts.url), open(opts.url)]);
  const stream = benchName('bench-redis');
  try {
    await producer.xgroup('CREATE', stream, GROUP, '$', 'MKSTREAM');
    const latenciesMs: number[] = [];
    const received = countdown(opts.n);
    const acks: Promise<unknown>[] = [];
    const consume = async (): Promise<void> => {
      for (let got = 0; got < opts.n; ) {
        const reply = await consumer.callBuffer(
          'XREADGROUP',
          'GROUP',
          GROUP,
          'c1',
          'COUNT',
          READ_COUNT,
          'BLOCK',
          2000,
          'STREAMS',
          stream,
          '>',
        );
        const entries = entriesOf(reply);
        if (entries.length === 0) continue;
        for (const [, fields] of entries) {
          const body = fields[1];
          if (body) latenciesMs.push(latencySince(body));
          received.tick();
        }
        got += entries.length;
        acks.push(consumer.xack(stream, GROUP, ...entries.map(([id]) => id)));
      }
    };
    const start = performance.now();
    const consuming = consume();
    await produce(producer, stream, opts);
    await received.done;
    const seconds = (performance.now() - start) / 1000;
    await consuming;
    await Promise.all(acks);
    return { seconds, latenciesMs };
  } finally {
    await producer.del(stream);
    producer.disconnect();
    consumer.disconnect();
  }
}

/** Round trips measured in request-reply mode (one at a time, so fewer than the throughput modes). */
export const REQUEST_REPLY_N = 5000;

async function requestReply(opts: MeasureOptions): Promise<MeasureResult> {
  const n = Math.min(opts.n, REQUEST_REPLY_N);
  const [requester, responder] = await Promise.all([open(opts.url), open(opts.url)]);
  const requests = benchName('bench-redis-rpc');
  const replies = `${requests}:reply:${process.pid}`;
  const prefix = Buffer.from(`${replies}\n`, 'latin1');
  let serving = true;
  // The responder: BRPOP a request, LPUSH the echoed body onto the list named before the first newline.
  const serve = async (): Promise<void> => {
    while (serving) {
      const popped = await responder.brpopBuffer(requests, 1).catch(() => null);
      if (!popped) continue;
      const request = popped[1];
      const cut = request.indexOf(0x0a);
      void responder.lpush(request.toString('latin1', 0, cut), request.subarray(cut + 1));
    }
  };
  const serving$ = serve();
  try {
    const template = makePayload(opts.bytes);
    const latenciesMs: number[] = [];
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const body = makePayload(opts.bytes, template);
      const sentAt = performance.now();
      void requester.lpush(requests, Buffer.concat([prefix, body]));
      const reply = await requester.brpopBuffer(replies, 10);
      if (!reply) throw new Error('no reply within 10 s');
      latenciesMs.push(performance.now() - sentAt);
    }
    return { seconds: (performance.now() - start) / 1000, latenciesMs, n };
  } finally {
    serving = false;
    responder.disconnect();
    await serving$;
    await requester.del(requests, replies);
    requester.disconnect();
  }
}

export const redisRaw: MeasurementEntry[] = [
  { broker: 'redis', mode: 'publish', impl: 'raw', run: publish },
  { broker: 'redis', mode: 'end-to-end', impl: 'raw', run: endToEnd },
  { broker: 'redis', mode: 'request-reply', impl: 'raw', run: requestReply },
];
