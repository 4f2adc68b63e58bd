import type { PartitionAssigner } from 'kafkajs';
import kafkajs from 'kafkajs';

const { AssignerProtocol } = kafkajs;

/** The protocol name members of a Switchboard group announce (kafkajs' round robin is offered second). */
export const ASSIGNER_NAME = 'SwitchboardBusySticky';

/** Partitions by topic on which this member holds deliveries that are not settled yet. */
export type BusyPartitions = () => Record<string, number[]>;

/**
 * A partition assigner that never takes a partition away from a member that still holds unsettled
 * deliveries from it. Each member reports its busy partitions when it (re)joins; the leader leaves those
 * with their holder and spreads the rest so that every member ends up with about the same number.
 *
 * Without it, any rebalance (a member joining, say) would hand a message that is still being handled to
 * another member, which reads the partition from the last commit: a duplicate delivery while the first
 * handler still runs. Idle partitions move as usual, so a group still balances and survives dead members.
 */
export function busyStickyAssigner(busy: BusyPartitions): PartitionAssigner {
  return ({ cluster }) => ({
    name: ASSIGNER_NAME,
    version: 1,
    async assign({ members, topics }) {
      const ids = members.map((member) => member.memberId).sort();
      const owner = new Map<string, string>();
      for (const member of members) {
        const held = parseBusy(AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.userData);
        for (const [topic, partitions] of Object.entries(held)) {
          for (const partition of partitions) owner.set(`${topic}\u0000${partition}`, member.memberId);
        }
      }
      const assignment = new Map<string, Record<string, number[]>>(ids.map((id) => [id, {}]));
      const counts = new Map<string, number>(ids.map((id) => [id, 0]));
      const give = (memberId: string, topic: string, partition: number) => {
        const topicsOf = assignment.get(memberId)!;
        const list = topicsOf[topic] ?? [];
        list.push(partition);
        topicsOf[topic] = list;
        counts.set(memberId, counts.get(memberId)! + 1);
      };
      const free: { topic: string; partition: number }[] = [];
      for (const topic of topics) {
        for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
          const holder = owner.get(`${topic}\u0000${partitionId}`);
          if (holder !== undefined && assignment.has(holder)) give(holder, topic, partitionId);
          else free.push({ topic, partition: partitionId });
        }
      }
      for (const { topic, partition } of free) {
        let least = ids[0]!;
        for (const id of ids) if (counts.get(id)! < counts.get(least)!) least = id;
        give(least, topic, partition);
      }
      return ids.map((memberId) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: assignment.get(memberId)!,
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: Buffer.from(JSON.stringify(busy())),
        }),
      };
    },
  });
}

function parseBusy(userData: Buffer | undefined | null): Record<string, number[]> {
  if (!userData || userData.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(userData.toString('utf8'));
    if (!parsed || typeof parsed !== 'object') return {};
    const busy: Record<string, number[]> = {};
    for (const [topic, partitions] of Object.entries(parsed)) {
      if (Array.isArray(partitions)) busy[topic] = partitions.filter((p): p is number => Number.isInteger(p));
    }
    return busy;
  } catch {
    return {};
  }
}
