import { randomUUID } from 'node:crypto';
import type { Destination } from '@switchboard/core';
import type { Admin } from 'kafkajs';
import { toMessagingError } from './errors.js';

/**
 * The consumer group id of a subscription: `<prefix>.queue.<queue>` for a queue,
 * `<prefix>.topic.<topic>.group.<group>` for a topic group, and `<prefix>.ephemeral.<topic>.<uuid>` for a
 * subscriber without a group (deleted when it closes). Group ids are only compared whole, so a topic name
 * that itself contains `.group.` cannot make two subscriptions share a group by accident unless they
 * spell the very same id.
 */
export function groupIdOf(prefix: string, destination: Destination, group: string | undefined): string {
  if (destination.kind === 'queue') return `${prefix}.queue.${destination.name}`;
  if (group === undefined) return `${prefix}.ephemeral.${destination.name}.${randomUUID()}`;
  return `${prefix}.topic.${destination.name}.group.${group}`;
}

/**
 * The start offsets of a topic group that has no committed offsets yet: the current end of each partition of
 * `topic`, read before the group joins. The subscription seeks there (and commits it) when it gets the
 * partition, so everything published after `subscribe()` resolves reaches the group and nothing published
 * before does. Returns an empty map for a group with committed offsets (it keeps them). `fresh` skips the
 * look-up for a group id never used before. (kafkajs' own `admin.setOffsets` runs a whole consumer and
 * takes seconds; this costs two requests.)
 */
export async function startOffsetsOf(
  admin: Admin,
  groupId: string,
  topic: string,
  fresh: boolean,
): Promise<Map<number, string>> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (!fresh) {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        if (committed?.partitions.some((p) => p.offset !== '-1')) return new Map();
      }
      const ends = await admin.fetchTopicOffsets(topic);
      return new Map(ends.map(({ partition, high }) => [partition, high]));
    } catch (error) {
      // Right after a topic is created the admin's metadata may still be stale (NOT_LEADER…): retry briefly.
      if ((error as { retriable?: boolean }).retriable !== true || attempt >= 10) {
        throw toMessagingError(error, `cannot read the start offsets of ${topic} for ${groupId}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
