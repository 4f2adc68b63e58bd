import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { brokerUrl } from './harness/brokers.js';

// Where a request/reply round trip spends its time: `node bench/dist/trace.js redis|rabbitmq switchboard|raw [n]`
// times every socket write (W<port>) and read (R<port>) of n sequential round trips (after as many to warm
// up) and prints, for the most common sequences of events, the median time of each event in µs from the
// request's start (S) to its reply's arrival (E), and the median of each hop. W:<bytes> is the size of a
// write. Ports are the last two digits of each connection's local port. The hops assume that one connection
// per side carries both directions (RabbitMQ); with Redis's blocking reads on separate connections, read the
// sequences. A diagnostic, not a benchmark: the timing itself costs a little on both sides. It removes the
// queue or keys it used when done.

const events: [number, string][] = [];
let tracing = false;
const mark = (label: string) => {
  if (tracing) events.push([performance.now(), label]);
};
const sizeOf = (chunk: unknown) =>
  typeof chunk === 'string' ? chunk.length : ((chunk as Uint8Array | undefined)?.byteLength ?? 0);
const portOf = (socket: net.Socket | undefined) => `${(socket?.localPort ?? 0) % 100}`;

const socketWrite = net.Socket.prototype.write;
net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
  mark(`W${portOf(this)}:${sizeOf(args[0])}`);
  return (socketWrite as (...a: unknown[]) => boolean).apply(this, args);
} as typeof socketWrite;
const socketEmit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (this: net.Socket, event: string | symbol, ...args: unknown[]) {
  // ioredis reads on 'data'; amqplib reads on 'readable'.
  if (event === 'data' || event === 'readable') mark(`R${portOf(this)}`);
  return (socketEmit as (...a: unknown[]) => boolean).call(this, event, ...args);
} as typeof socketEmit;
// Connections that read with `onread` (the adapter's lean connections) emit no 'data' events.
const netConnect = net.connect;
net.connect = net.createConnection = function (
  this: unknown,
  options: net.NetConnectOpts,
  ...rest: unknown[]
) {
  const onread = (options as { onread?: { callback: (n: number, buf: Uint8Array) => unknown } }).onread;
  if (onread) {
    const callback = onread.callback;
    onread.callback = function (this: net.Socket, n: number, buf: Uint8Array) {
      mark(`R${portOf(this)}`);
      return callback.call(this, n, buf);
    };
  }
  return (netConnect as (...a: unknown[]) => net.Socket).call(this, options, ...rest);
} as typeof net.connect;
syncBuiltinESMExports();

/** Sequential round trips, and what removes what they created on the broker. */
interface Tracee {
  roundTrip(): Promise<unknown>;
  close(): Promise<void>;
}

/** The bus as the benchmark opens it, answering its own requests. */
async function switchboardTracee(url: string, queue: string): Promise<Tracee> {
  const { rabbitmqBusSetup } = await import('./switchboard/rabbitmq.js');
  const { redisBusSetup } = await import('./switchboard/redis.js');
  const { bus, cleanup } = await (broker === 'redis' ? redisBusSetup : rabbitmqBusSetup).open(url);
  await bus.reply(queue, (message) => message.body);
  return {
    roundTrip: () => bus.request(queue, body, { timeoutMs: 5000 }),
    close: () => cleanup(queue),
  };
}

/** A list round trip by hand: LPUSH the request, the responder BRPOPs it and LPUSHes it back. */
async function rawRedisTracee(url: string, queue: string): Promise<Tracee> {
  const { Redis } = await import('ioredis');
  const [requester, responder] = [new Redis(url), new Redis(url)];
  const replies = `${queue}:reply`;
  let open = true;
  const responding = (async () => {
    while (open) {
      const popped = await responder.brpopBuffer(queue, 1);
      if (popped) void responder.lpush(replies, popped[1]);
    }
  })();
  return {
    roundTrip: async () => {
      void requester.lpush(queue, body);
      return requester.brpopBuffer(replies, 10);
    },
    close: async () => {
      open = false;
      await responding;
      await requester.del(queue, replies);
      requester.disconnect();
      responder.disconnect();
    },
  };
}

/** The benchmark's raw request/reply: direct reply-to by hand through a quorum queue, on one connection. */
async function rawRabbitmqTracee(url: string, queue: string): Promise<Tracee> {
  const { connect } = await import('amqplib');
  const { directReplyTo } = await import('./raw/rabbitmq.js');
  const connection = await connect(url, { noDelay: true });
  const setup = await connection.createChannel();
  await setup.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  const { roundTrip, close } = await directReplyTo(connection, queue, body);
  let id = 0;
  return {
    roundTrip: () => roundTrip(String(id++)),
    close: async () => {
      await close();
      await setup.deleteQueue(queue);
      await connection.close();
    },
  };
}

const body = Buffer.alloc(256, 1);
const broker = process.argv[2] === 'rabbitmq' ? 'rabbitmq' : 'redis';
const impl = process.argv[3] === 'raw' ? 'raw' : 'switchboard';
const n = Number(process.argv[4] ?? 3000);
const url = brokerUrl(broker);
const queue = `bench-trace-${broker}-${impl}`;
const rawTracee = broker === 'redis' ? rawRedisTracee : rawRabbitmqTracee;
const tracee = await (impl === 'raw' ? rawTracee : switchboardTracee)(url, queue);
for (let i = 0; i < n; i++) await tracee.roundTrip();
tracing = true;
for (let i = 0; i < n; i++) {
  mark('S');
  await tracee.roundTrip();
  mark('E');
}
tracing = false;
await tracee.close();

/** Per round trip: when the request was written, its hop, the responder, the reply's hop, the reply's handling, E. */
const hops: number[][] = [];
const bySequence = new Map<string, number[][]>();
let start = 0;
let labels: string[] = [];
let times: number[] = [];
for (const [time, label] of events) {
  if (label === 'S') [start, labels, times] = [time, [], []];
  else if (label === 'E') {
    const row = [...times, time - start];
    hops.push(hopsOf(labels, row));
    const key = [...labels, 'E'].join(' ');
    bySequence.set(key, [...(bySequence.get(key) ?? []), row]);
  } else {
    labels.push(label);
    times.push(time - start);
  }
}

/**
 * Splits a round trip (event labels and times, the last time E's) at its first read (the request's delivery,
 * whose hop runs from the last write before it), the first write after that (the reply) and the first read
 * of its last run of reads (the reply's arrival). Any order of events yields numbers, NaN where one is missing.
 */
function hopsOf(labels: string[], times: number[]): number[] {
  const isRead = (label: string) => label.startsWith('R');
  const delivery = labels.findIndex(isRead);
  let arrival = labels.length - 1;
  while (arrival > 0 && isRead(labels[arrival - 1]!)) arrival--;
  const requested = labels.findLastIndex((label, i) => i < delivery && !isRead(label));
  const responded = labels.findIndex((label, i) => i > delivery && !isRead(label));
  const at = (index: number) => (index < 0 ? Number.NaN : times[index]!);
  const end = times.at(-1)!;
  return [
    at(requested),
    at(delivery) - at(requested),
    at(responded) - at(delivery),
    at(arrival) - at(responded),
    end - at(arrival),
    end,
  ];
}

const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;
console.log(`${impl}: ${n} round trips to ${url.replace(/\/\/[^@/]*@/, '//')}, µs from S`);
const [written, requestHop, responder, replyHop, replyHandled, total] = hops[0]!.map((_, column) =>
  Math.round(1000 * median(hops.map((row) => row[column]!))),
);
console.log(
  `medians: request written ${written}, request hop ${requestHop}, responder ${responder}, ` +
    `reply hop ${replyHop}, reply handled ${replyHandled}; round trip ${total}`,
);
for (const [sequence, rows] of [...bySequence].sort((a, b) => b[1].length - a[1].length).slice(0, 3)) {
  const medians = rows[0]!.map((_, column) => Math.round(1000 * median(rows.map((row) => row[column]!))));
  console.log(`${rows.length}× S ${sequence}\n   0 ${medians.join(' ')}`);
}
process.exit(0);
