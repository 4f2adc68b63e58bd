import { runConformance } from '@switchboard/conformance/vitest';
import { createBus } from '@switchboard/core';
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { transportFromUrl } from '../src/index.js';
import { fresh, recordInboxAddress } from './helpers.js';

/**
 * A quick-profile subset of the conformance suite against a 3-master Redis Cluster on loopback
 * (`bash scripts/brokers up redis-cluster` and `eval "$(bash scripts/brokers env)"`). Skipped loudly without
 * SWITCHBOARD_REDIS_CLUSTER_URL, and a failure with SWITCHBOARD_REQUIRE_BROKERS=1 (as in CI).
 */
const url = process.env.SWITCHBOARD_REDIS_CLUSTER_URL;

if (url) {
  runConformance({
    name: 'redis-cluster',
    only: [
      'C01',
      'C02',
      'C06',
      'C07',
      'C08',
      'C10',
      'C17',
      'C21',
      'C23',
      'C25',
      'C28',
      'C29',
      'C30',
      'C34',
      'C41',
    ],
    create: () => transportFromUrl(url),
  });

  describe('redis-cluster request/reply', () => {
    const nodes = url
      .split('?')[0]!
      .split(',')
      .map((u) => new URL(u))
      .map((u) => ({ host: u.hostname, port: Number(u.port) }));
    const raw = new Cluster(nodes, { lazyConnect: true });
    afterAll(() => raw.quit());

    /** Subscribers of `channel` over every master (classic Pub/Sub counts per node). */
    async function subscribers(channel: string): Promise<number> {
      let total = 0;
      for (const node of raw.nodes('master')) {
        total += ((await node.pubsub('NUMSUB', channel)) as [string, number])[1];
      }
      return total;
    }

    it('replies reach requesters on other buses; a closed inbox leaves no subscription', async () => {
      await raw.connect().catch(() => undefined);
      const queue = fresh('cluster-rpc');
      const responder = createBus({ transport: transportFromUrl(url) });
      const requesterTransport = transportFromUrl(url);
      const inboxAddress = recordInboxAddress(requesterTransport);
      const requester = createBus({ transport: requesterTransport });
      try {
        await responder.reply<number, number>(queue, (m) => m.body + 1);
        for (let i = 0; i < 20; i++)
          expect(await requester.request<number>(queue, i, { timeoutMs: 5000 })).toBe(i + 1);
        const all = await Promise.all(
          Array.from({ length: 50 }, (_, i) => requester.request<number>(queue, i, { timeoutMs: 10_000 })),
        );
        expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(await subscribers(inboxAddress())).toBe(1);
        await requester.close();
        expect(await subscribers(inboxAddress())).toBe(0);
      } finally {
        await requester.close();
        await responder.close();
        await raw.del(`sb:q:{${queue}}`);
      }
    });
  });
} else if (process.env.SWITCHBOARD_REQUIRE_BROKERS === '1') {
  describe('redis-cluster', () => {
    it('needs SWITCHBOARD_REDIS_CLUSTER_URL (SWITCHBOARD_REQUIRE_BROKERS=1)', () => {
      throw new Error(
        'SWITCHBOARD_REDIS_CLUSTER_URL is not set — run `bash scripts/brokers up redis-cluster` and eval `bash scripts/brokers env`',
      );
    });
  });
} else {
  describe('redis-cluster', () => {
    it.skip('skipped: SWITCHBOARD_REDIS_CLUSTER_URL is not set — run `bash scripts/brokers up redis-cluster` and eval `bash scripts/brokers env`', () =>
      undefined);
  });
}
