import { MessagingError } from '@switchboard/core';
import type { Kafka, Producer } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { ProducedRecord } from './codec.js';
import { COMPONENT, toMessagingError } from './errors.js';

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
}

/** Most bytes of record values coalesced into one produce request. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
/** Most records coalesced into one request: kafkajs groups records per partition in quadratic time. */
const MAX_REQUEST_RECORDS = 2000;

interface Entry {
  readonly topic: string;
  readonly records: ProducedRecord[];
  readonly bytes: number;
  readonly doing: string;
  resolve(): void;
  reject(error: unknown): void;
  cancelled: boolean;
  /** Times the broker refused this entry for a lost producer sequence (it then wrote nothing). */
  refusals: number;
}

/** How often a batch the broker refused for a lost sequence is written again on a fresh producer. */
const MAX_REFUSALS = 3;

/**
 * The transport's one kafkajs producer, written to by one request at a time: sends issued while a request is
 * in flight are coalesced into the next `sendBatch` (all topics in one request, each topic's records in call
 * order). A batch can therefore never overtake an earlier one — per-key order holds across the bus's concurrent
 * batches — and a burst of small sends (requests, replies) costs one round trip, not one each. When an
 * idempotent producer loses its sequence state (a broker restart can cause `OUT_OF_ORDER_SEQUENCE_NUMBER`),
 * which the broker answers by refusing the write, a fresh producer (new producer id) takes over and writes the
 * refused batch again; after a few refusals the sends fail with a retryable `UNAVAILABLE`.
 */
export class ProducerSlot {
  private producer: Producer;
  private readonly pending: Entry[] = [];
  /** The batch being written, if any; replaced (abandoned) when every caller in it gave up. */
  private inFlight: { readonly batch: Entry[] } | undefined;
  /** Connecting the producer in use; a failed connect is retried by the next write. */
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: ProducerSettings,
  ) {
    this.producer = this.create();
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
   * with a retryable UNAVAILABLE (records not yet handed to kafkajs are then not written at all).
   */
  async send(topic: string, records: ProducedRecord[], signal: AbortSignal | undefined, doing: string) {
    let bytes = 0;
    for (const record of records) bytes += record.value.byteLength;
    let entry: Entry | undefined;
    const sending = new Promise<void>((resolve, reject) => {
      entry = { topic, records, bytes, doing, resolve, reject, cancelled: false, refusals: 0 };
      this.pending.push(entry);
      this.pump();
    });
    try {
      await (signal ? raceSignal(sending, signal, doing) : sending);
    } catch (error) {
      this.cancel(entry!);
      throw toMessagingError(error, doing);
    }
  }

  private pump(): void {
    if (this.inFlight) return;
    const batch: Entry[] = [];
    let bytes = 0;
    let count = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      if (next.cancelled) {
        this.pending.shift();
        continue;
      }
      const full =
        bytes + next.bytes > MAX_REQUEST_BYTES || count + next.records.length > MAX_REQUEST_RECORDS;
      if (batch.length > 0 && full) break;
      batch.push(this.pending.shift()!);
      bytes += next.bytes;
      count += next.records.length;
    }
    if (batch.length === 0) return;
    const run = { batch };
    this.inFlight = run;
    void this.write(batch).finally(() => {
      if (this.inFlight !== run) return;
      this.inFlight = undefined;
      this.pump();
    });
  }

  private async write(batch: Entry[]): Promise<void> {
    const producer = this.producer;
    try {
      await this.connectCurrent();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    const byTopic = new Map<string, ProducedRecord[]>();
    for (const entry of batch) {
      const list = byTopic.get(entry.topic);
      if (list) for (const record of entry.records) list.push(record);
      else byTopic.set(entry.topic, [...entry.records]);
    }
    try {
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: -1,
        compression: this.settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      });
    } catch (error) {
      const broken = BROKEN_SEQUENCE.has(typeOf(error));
      if (broken) {
        // The broker refused the partition(s) with the lost sequence (they wrote nothing): write the batch again on
        // a fresh producer, ahead of everything queued since, a few times — the connection coming back, not a
        // retry policy. Partitions of the same request that were accepted may get a second copy (at least once).
        this.replace(producer);
        const again = batch.filter((entry) => !entry.cancelled && ++entry.refusals < MAX_REFUSALS);
        this.pending.unshift(...again);
        for (const entry of batch) {
          if (again.includes(entry)) continue;
          entry.reject(
            new MessagingError(
              'UNAVAILABLE',
              `${entry.doing}: the broker refused the producer's sequence (broker restart?) — retry the send`,
              { component: COMPONENT, cause: error },
            ),
          );
        }
        return;
      }
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const entry of batch) entry.resolve();
  }

  private create(): Producer {
    return this.kafka.producer({
      idempotent: this.settings.idempotent,
      maxInFlightRequests: this.settings.idempotent ? 1 : undefined,
      allowAutoTopicCreation: false,
    });
  }

  /**
   * A caller gave up on `entry` (its signal fired). When every caller of the batch in flight gave up, that
   * request is abandoned — a request kafkajs keeps retrying would otherwise hold up every later send — and the
   * next batch goes out on a fresh producer. (The abandoned one may still land: at least once, never lost.)
   */
  private cancel(entry: Entry): void {
    entry.cancelled = true;
    const run = this.inFlight;
    if (!run?.batch.includes(entry) || !run.batch.every((e) => e.cancelled)) return;
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

async function raceSignal(sending: Promise<void>, signal: AbortSignal, doing: string): Promise<void> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(
        new MessagingError('UNAVAILABLE', `${doing}: gave up waiting for the broker — is Kafka reachable?`, {
          component: COMPONENT,
        }),
      );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sending, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
    sending.catch(() => undefined);
  }
}
