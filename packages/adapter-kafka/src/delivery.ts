import type { Delivery, NackOptions } from '@switchboard/core';
import { SETTLED } from '@switchboard/core';
import type { DecodedRecord } from './codec.js';
import type { OffsetTracker } from './offset-tracker.js';

/** What a delivery reports its settlement to: the subscription that handed it out. */
export interface DeliveryOwner {
  /** Counts `offset` of `partition` as done (undefined: the slot is freed, the offset stays uncommitted). */
  settle(tracker: OffsetTracker, partition: number, offset: number | undefined): void;
  /** Writes a copy of `record` with `headers` back for the owner's group; resolves once the broker has it. */
  republish(record: DecodedRecord, headers: Readonly<Record<string, string>>): Promise<void>;
}

/** A consumed record handed to the bus. Settled once; later calls are no-ops. */
export class KafkaDelivery implements Delivery {
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly key: string | undefined;
  readonly redeliveries = 0;
  private settled = false;

  constructor(
    private readonly owner: DeliveryOwner,
    private readonly tracker: OffsetTracker,
    private readonly partition: number,
    private readonly offset: number,
    private readonly record: DecodedRecord,
  ) {
    this.body = record.body;
    this.headers = record.headers;
    this.key = record.key;
  }

  /**
   * Settles synchronously and returns core's `SETTLED` (none per message), which lets the bus free the
   * handler's slot at once.
   */
  ack(): Promise<void> {
    if (!this.settled) {
      this.settled = true;
      this.owner.settle(this.tracker, this.partition, this.offset);
    }
    return SETTLED;
  }

  /** Re-publishes a copy with `options.headers` for this group, then counts the original as done. */
  async nack(options: NackOptions): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    try {
      await this.owner.republish(this.record, options.headers);
    } catch (error) {
      // The offset stays uncommitted: the record is redelivered after a restart or rebalance.
      this.owner.settle(this.tracker, this.partition, undefined);
      throw error;
    }
    this.owner.settle(this.tracker, this.partition, this.offset);
  }
}
