import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { brokerUrl } from './harness/brokers.js';

// Where a Redis request/reply round trip spends its time: `node bench/dist/trace-redis.js switchboard|raw [n]`
// times every socket write (W<port>) and read (R<port>) of n sequential round trips (after as many to warm
// up) and prints, for the most common sequences of events, the median time of each event in µs from the
// request's start (S) to its reply's arrival (E). Ports are the last two digits of each connection's local
// port. A diagnostic, not a benchmark: the timing itself costs a little on both sides.

const events: [number, string][] = [];
let tracing = false;
const mark = (label: string) => {
  if (tracing) events.push([performance.now(), label]);
};
const portOf = (socket: net.Socket | undefined) => `${(socket?.localPort ?? 0) % 100}`;

const socketWrite = net.Socket.prototype.write;
net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
  mark(`W${portOf(this)}`);
  return (socketWrite as (...a: unknown[]) => boolean).apply(this, args);
} as typeof socketWrite;
const socketEmit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (this: net.Socket, event: string | symbol, ...args: unknown[]) {
  if (event === 'data') mark(`R${portOf(this)}`);
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

async function switchboardRoundTrip(url: string): Promise<() => Promise<unknown>> {
  const { connect } = await import('@switchboard/core');
  const bus = await connect(url);
  await bus.reply('trace-redis', (message) => message.body);
  return () => bus.request('trace-redis', body, { timeoutMs: 5000 });
}

async function rawRoundTrip(url: string): Promise<() => Promise<unknown>> {
  const { Redis } = await import('ioredis');
  const [requester, responder] = [new Redis(url), new Redis(url)];
  const requests = 'trace-redis-raw';
  const replies = `${requests}:reply`;
  void (async () => {
    for (;;) {
      const popped = await responder.brpopBuffer(requests, 1);
      if (popped) void responder.lpush(replies, popped[1]);
    }
  })();
  return async () => {
    void requester.lpush(requests, body);
    return requester.brpopBuffer(replies, 10);
  };
}

const body = Buffer.alloc(256, 1);
const impl = process.argv[2] === 'raw' ? 'raw' : 'switchboard';
const n = Number(process.argv[3] ?? 3000);
const url = brokerUrl('redis');
const roundTrip = impl === 'raw' ? await rawRoundTrip(url) : await switchboardRoundTrip(url);
for (let i = 0; i < n; i++) await roundTrip();
tracing = true;
for (let i = 0; i < n; i++) {
  mark('S');
  await roundTrip();
  mark('E');
}
tracing = false;

const bySequence = new Map<string, number[][]>();
let start = 0;
let labels: string[] = [];
let times: number[] = [];
for (const [time, label] of events) {
  if (label === 'S') [start, labels, times] = [time, [], []];
  else if (label === 'E') {
    const key = [...labels, 'E'].join(' ');
    bySequence.set(key, [...(bySequence.get(key) ?? []), [...times, time - start]]);
  } else {
    labels.push(label);
    times.push(time - start);
  }
}
const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;
console.log(`${impl}: ${n} round trips to ${url.replace(/\/\/[^@/]*@/, '//')}, µs from S`);
for (const [sequence, rows] of [...bySequence].sort((a, b) => b[1].length - a[1].length).slice(0, 3)) {
  const medians = rows[0]!.map((_, column) => Math.round(1000 * median(rows.map((row) => row[column]!))));
  console.log(`${rows.length}× S ${sequence}\n   0 ${medians.join(' ')}`);
}
process.exit(0);
