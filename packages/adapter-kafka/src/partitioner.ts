import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';
import kafkajs from 'kafkajs';

/**
 * kafkajs' default partitioner (murmur2 of the key, like the Java client), with one change: a record without
 * a key keeps the partition it was first given. kafkajs asks the partitioner again when it retries a request,
 * and its round robin would then move a keyless record to another partition — while the idempotent producer
 * rolled back and reuses the sequence numbers of the failed attempt. A partition that had accepted the first
 * attempt then takes the retry as a duplicate of it and drops it unwritten (the send still succeeds), and the
 * moved record is written twice. Pinning the partition on the record makes a retry the same batch again, which
 * the broker deduplicates correctly.
 */
export const pinnedPartitioner: ICustomPartitioner = () => {
  const partition = kafkajs.Partitioners.DefaultPartitioner();
  return (args: PartitionerArgs) => {
    const message = args.message;
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    const chosen = partition(args);
    if (message.key === undefined || message.key === null) message.partition = chosen;
    return chosen;
  };
};
