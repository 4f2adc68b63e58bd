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
 * Makes a topic group that has no committed offsets yet start at the current end of `topic`, by committing
 * the high watermarks for it before it joins. Then everything published after `subscribe()` resolves —
 * even before kafkajs fetched its first batch — reaches the group, and nothing published before does.
 * A group with committed offsets keeps them. `fresh` skips the look-up for a group id never used before.
 */
export async function prepareGroupOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
  fresh: boolean,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await startAtEnd(admin, groupId, topic, fresh);
      return;
    } catch (error) {
      // Right after a topic is created the admin's metadata may still be stale (NOT_LEADER…): retry briefly.
      if ((error as { retriable?: boolean }).retriable !== true || attempt >= 10) {
        throw toMessagingError(error, `cannot set the start offsets of ${groupId} on ${topic}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

async function startAtEnd(admin: Admin, groupId: string, topic: string, fresh: boolean): Promise<void> {
  try {
    if (!fresh) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      if (committed?.partitions.some((p) => p.offset !== '-1')) return;
    }
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
    });
  } catch (error) {
    // Another member of the group joined first: it owns the start position, which is what we want too.
    if ((error as { type?: string }).type === 'UNKNOWN_MEMBER_ID') return;
    if (/active members|not empty|NON_EMPTY_GROUP/i.test(String((error as Error).message))) return;
    throw error;
  }
}
