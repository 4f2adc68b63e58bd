import { runConformance } from '@switchboard/conformance/vitest';
import { describe, it } from 'vitest';
import { transportFromUrl } from '../src/index.js';

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
