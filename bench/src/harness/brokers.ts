import { connect } from 'node:net';
import type { BenchBroker } from './types.js';

const DEFAULT_URLS: Record<BenchBroker, string> = {
  memory: 'memory://',
  rabbitmq: 'amqp://guest:guest@127.0.0.1:5672',
  redis: 'redis://127.0.0.1:6379',
  kafka: 'kafka://127.0.0.1:9092',
  nats: 'nats://127.0.0.1:4222',
  'nats-core': 'nats://127.0.0.1:4222?mode=core',
};

/** The broker's URL: `SWITCHBOARD_<BROKER>_URL` (as set by `scripts/brokers env`), else its loopback default. */
export function brokerUrl(broker: BenchBroker, env: NodeJS.ProcessEnv = process.env): string {
  if (broker === 'nats-core') {
    const nats = brokerUrl('nats', env);
    return nats.includes('mode=core') ? nats : `${nats}${nats.includes('?') ? '&' : '?'}mode=core`;
  }
  return env[`SWITCHBOARD_${broker.toUpperCase()}_URL`]?.trim() || DEFAULT_URLS[broker];
}

/** `undefined` when the broker's first host:port accepts a TCP connection within `timeoutMs`, else why not. */
export async function unreachable(
  broker: BenchBroker,
  url: string,
  timeoutMs = 1500,
): Promise<string | undefined> {
  if (broker === 'memory') return undefined;
  const m = /^[a-z]+:\/\/(?:[^@/]*@)?([^:/,]+):(\d+)/.exec(url);
  if (!m?.[1] || !m[2]) return `cannot read host:port from ${url}`;
  const host = m[1];
  const port = Number(m[2]);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (why: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done(`${host}:${port} did not answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => done(undefined));
    socket.once('error', (err) => done(`${host}:${port}: ${err.message}`));
  });
}
