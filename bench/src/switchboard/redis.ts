import type { Destination } from '@switchboard/core';
import { connect } from '@switchboard/core';
import { Redis } from 'ioredis';
import { REQUEST_REPLY_N } from '../raw/redis.js';
import { type BusCaseSetup, busMeasurements } from './bus-cases.js';

// Switchboard over Redis Streams with the adapter's defaults (every XADD trims with `MAXLEN ~ 1000000`, as
// the raw baseline does). Request/reply is compared with a raw LPUSH + BRPOP list round trip.

interface RedisNativeLike {
  streamKey(destination: Destination): string;
}

/** How the Redis measurements (and `trace.js redis switchboard`) open a bus and remove what it created. */
export const redisBusSetup: BusCaseSetup = {
  broker: 'redis',
  prefetch: 2000,
  requests: REQUEST_REPLY_N,
  async open(url) {
    const bus = await connect(url, { sendTimeoutMs: 60_000 });
    return {
      bus,
      async cleanup(queue) {
        const stream = (bus.transport.native as RedisNativeLike).streamKey({ kind: 'queue', name: queue });
        await bus.close();
        const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await redis.connect();
          await redis.del(stream, `${stream}:delayed`);
        } finally {
          redis.disconnect();
        }
      },
    };
  },
};

/** Switchboard's Redis measurements (publish, end-to-end, request/reply). */
export const redisSwitchboard = busMeasurements(redisBusSetup);
