import { MessagingError, watchAbort } from '@switchboard/core';
import type { Kafka, Producer } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { ProducedRecord } from './codec.js';
import { COMPONENT, toMessagingError } from './errors.js';
import { withLinearGrouping } from './linear-grouping.js';
import { pinnedPartitioner } from './partitioner.js';
import { createProducer } from './produce-hook.js';
import { type QueuedSend, type RequestLimits, type Slice, takeRequest } from './request-packing.js';

const { CompressionTypes } = kafkajs;

/** Answers after which an idempotent producer's sequence numbers are unusable: it is replaced. */
const BROKEN_SEQUENCE = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);

/** Settings of a {@link ProducerSlot}. */
export interface ProducerSettings {
  readonly idempotent: boolean;
  readonly compression: 'none' | 'gzip';
  /** Most bytes of records in one produce request: the broker refuses a record batch over `message.max.bytes`. */
  readonly maxRequestBytes: number;
}

/**
 * Most records coalesced into one request. A smaller request leaves the bus's other in-flight batches queued for
 * the next one, built while this one is on the wire. Measured alternately through the bus: 500 gave ~10% more
 * throughput than 1,000 (publish and end to end) at slightly less CPU per message; 250 cost more CPU. (Then
 * kafkajs' grouping was quadratic; with {@link withLinearGrouping}, 1,000 was still not better: end to end
 * 54k against 60k msg/s, mean of 6 alternating runs.)
 */
const MAX_REQUEST_RECORDS = 500;

/** One caller's send, queued until every one of its records is written. */
interface Entry extends QueuedSend {
  readonly topic: string;
  readonly doing: string;
  /** Ends the watch of the caller's signal (core's `watchAbort`) once the entry settles. */
  unwatch: (() => void) | undefined;
  resolve(): void;
  reject(error: unknown): void;
  /** Times the broker refused this entry for a lost producer sequence (it then wrote nothing). */
  refusals: number;
}

/** How often a batch the broker refused for a lost sequence is written again on a fresh producer. */
const MAX_REFUSALS = 3;

/**
 * The transport's one kafkajs producer, written to by one request at a time: sends issued while a request is
 * in flight are coalesced into the next `sendBatch` (all topics in one request, each topic's records in call
 * order), up to `maxRequestBytes` and a record count — a send too big for one request is split over several,
 * in order, and resolves when its last part is written. A request can therefore never overtake an earlier one
 * — per-key order holds across the bus's concurrent batches — and a burst of small sends (requests, replies)
 * costs one round trip, not one each. When an idempotent producer loses its sequence state (a broker restart
 * can cause `OUT_OF_ORDER_SEQUENCE_NUMBER`), which the broker answers by refusing the write, a fresh producer
 * (new producer id) takes over and writes the refused records again; after a few refusals the sends fail with a
 * retryable `UNAVAILABLE`.
 */
export class ProducerSlot {
  private producer: Producer;
  private readonly pending: Entry[] = [];
  /** The request being written, if any; replaced (abandoned) when every caller in it gave up. */
  private inFlight: { readonly slices: Slice<Entry>[] } | undefined;
  /** Connecting the producer in use; a failed connect is retried by the next write. */
  private connecting: Promise<void> | undefined;
  private readonly limits: RequestLimits;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: ProducerSettings,
  ) {
    this.producer = this.create();
    this.limits = { bytes: settings.maxRequestBytes, records: MAX_REQUEST_RECORDS };
  }

  /** The producer in use now. */
  get current(): Producer {
    return this.producer;
  }

  connect(): Promise<void> {
    return this.connectCurrent();
  }

  async disconnect(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }

  /**
   * Writes `records` with acks=all and resolves once the broker has them. When `signal` aborts first, rejects
   * with a retryable UNAVAILABLE (records not yet handed to kafkajs are then not written at all). Every
   * rejection is a MessagingError naming `doing`.
   */
  send(
    topic: string,
    records: ProducedRecord[],
    signal: AbortSignal | undefined,
    doing: string,
  ): Promise<void> {
    if (signal?.aborted) return Promise.reject(gaveUp(doing));
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = {
        topic,
        records,
        next: 0,
        doing,
        unwatch: undefined,
        resolve: () => {
          entry.unwatch?.();
          resolve();
        },
        reject: (error: unknown) => {
          entry.unwatch?.();
          reject(toMessagingError(error, doing));
        },
        cancelled: false,
        refusals: 0,
      };
      // The bus shares one signal between many sends (a deadline bucket): watchAbort keeps one listener per
      // signal, not one per send.
      if (signal) entry.unwatch = watchAbort(signal, () => this.cancel(entry));
      this.pending.push(entry);
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight) return;
    const slices = takeRequest(this.pending, this.limits);
    if (slices.length === 0) return;
    const run = { slices };
    this.inFlight = run;
    void this.write(slices).finally(() => {
      if (this.inFlight !== run) return;
      this.inFlight = undefined;
      this.pump();
    });
  }

  private async write(slices: Slice<Entry>[]): Promise<void> {
    const producer = this.producer;
    try {
      await this.connectCurrent();
    } catch (error) {
      this.fail(slices, error);
      return;
    }
    const byTopic = new Map<string, ProducedRecord[]>();
    for (const { send, start, end } of slices) {
      const list = byTopic.get(send.topic);
      if (!list) byTopic.set(send.topic, withLinearGrouping(send.records.slice(start, end)));
      else for (let i = start; i < end; i++) list.push(send.records[i]!);
    }
    try {
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: -1,
        compression: this.settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      });
    } catch (error) {
      if (BROKEN_SEQUENCE.has(typeOf(error))) this.requeue(slices, producer, error);
      else this.fail(slices, error);
      return;
    }
    for (const { send, end } of slices) if (end === send.records.length) send.resolve();
  }

  /** Rejects every send with records in `slices`; their records not yet written are dropped. */
  private fail(slices: Slice<Entry>[], error: unknown): void {
    for (const { send } of slices) {
      if (send.cancelled) continue;
      send.cancelled = true;
      send.reject(error);
    }
  }

  /**
   * The broker refused the partition(s) with the lost sequence (they wrote nothing): put the request's records
   * back at the head of the queue, to be written on a fresh producer ahead of everything queued since, a few
   * times — the connection coming back, not a retry policy. Partitions of the same request that were accepted
   * may get a second copy (at least once).
   */
  private requeue(slices: Slice<Entry>[], broken: Producer, error: unknown): void {
    this.replace(broken);
    for (let i = slices.length - 1; i >= 0; i--) {
      const { send, start } = slices[i]!;
      if (send.cancelled) continue;
      if (++send.refusals >= MAX_REFUSALS) {
        this.fail(
          [slices[i]!],
          new MessagingError(
            'UNAVAILABLE',
            `${send.doing}: the broker refused the producer's sequence (broker restart?) — retry the send`,
            { component: COMPONENT, cause: error },
          ),
        );
        continue;
      }
      send.next = start;
      if (this.pending[0] !== send) this.pending.unshift(send);
    }
  }

  private create(): Producer {
    return createProducer(this.kafka, {
      idempotent: this.settings.idempotent,
      maxInFlightRequests: this.settings.idempotent ? 1 : undefined,
      allowAutoTopicCreation: false,
      createPartitioner: pinnedPartitioner,
    }).producer;
  }

  /**
   * A caller gave up on `entry` (its signal fired): it rejects with a retryable UNAVAILABLE. When every caller
   * of the batch in flight gave up, that request is abandoned — a request kafkajs keeps retrying would otherwise
   * hold up every later send — and the next batch goes out on a fresh producer. (The abandoned one may still
   * land: at least once, never lost.)
   */
  private cancel(entry: Entry): void {
    if (entry.cancelled) return;
    entry.cancelled = true;
    entry.reject(gaveUp(entry.doing));
    const run = this.inFlight;
    if (!run?.slices.some((s) => s.send === entry) || !run.slices.every((s) => s.send.cancelled)) return;
    this.replace(this.producer);
    this.inFlight = undefined;
    this.pump();
  }

  private connectCurrent(): Promise<void> {
    const producer = this.producer;
    this.connecting ??= producer.connect().catch((error: unknown) => {
      if (this.producer === producer) this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** Swaps in a fresh producer (new producer id, new sequences); the old one is disconnected in the background. */
  private replace(broken: Producer): void {
    if (this.producer !== broken) return;
    this.producer = this.create();
    this.connecting = undefined;
    void broken.disconnect().catch(() => undefined);
  }
}

function typeOf(error: unknown): string {
  const e = error as { type?: string; cause?: { type?: string }; originalError?: { type?: string } };
  return e?.type ?? e?.cause?.type ?? e?.originalError?.type ?? '';
}

function gaveUp(doing: string): MessagingError {
  return new MessagingError('UNAVAILABLE', `${doing}: gave up waiting for the broker — is Kafka reachable?`, {
    component: COMPONENT,
  });
}
