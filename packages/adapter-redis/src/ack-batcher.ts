import { SETTLED } from '@switchboard/core';
import { Cluster } from 'ioredis';
import type { Reader } from './connection.js';
import { type ErrorContext, mapError } from './errors.js';
import type { ReadWindow } from './read-window.js';

/** Most ids in one XACK. */
const MAX_IDS = 1000;
/**
 * How long unconfirmed acks are collected before their XACK goes out (or MAX_IDS of them): bigger XACKs,
 * and fewer commands in the way of a request/reply round trip. Confirmed acks go out every turn.
 */
const LINGER_MS = 5;
/**
 * Fewest unconfirmed acks that ride along with a read: fewer wait for the linger timer instead, so a
 * sequential consumer (one entry per read, e.g. a responder) does not pay an XACK and its reply on every
 * read, and a busy one still sends big XACKs in the same write as its reads.
 */
const MIN_RIDING = 32;

interface Batch {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Collects acknowledgements and sends them as one `XACK stream group id…` per event-loop turn (at most
 * 1,000 ids a call; unconfirmed ones linger up to LINGER_MS), instead of one round trip per message. With `confirm`, every ack of one XACK shares
 * one promise that resolves once that XACK returned (an ack costs an array slot, not a promise of its
 * own); without, `add` resolves at once and a failed XACK leaves its entries pending for redelivery.
 */
export class AckBatcher {
  private ids: string[] = [];
  private batch: Batch | undefined;
  private scheduled: NodeJS.Immediate | undefined;
  private lingering: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    /** The connection acks go on: not the one sends use, so an XACK never queues behind their scripts. */
    private readonly client: Reader,
    private readonly stream: string,
    private readonly group: string,
    private readonly context: ErrorContext,
    private readonly confirm: boolean,
    /** Called with the ids of each XACK once it returned or failed. */
    private readonly onSettled: (ids: readonly string[]) => void = () => {},
  ) {}

  add(id: string): Promise<void> {
    if (this.ids.length >= MAX_IDS) this.send();
    this.ids.push(id);
    if (!this.confirm) {
      // One timer per linger period, left running when the ids leave earlier (with a read): arming and
      // clearing a timer per batch costs more than a wake-up that finds nothing to send.
      this.lingering ??= setTimeout(() => {
        this.lingering = undefined;
        this.send();
      }, LINGER_MS);
      // Core's shared settled promise: the bus frees the handler's slot at once (no promise turn per message).
      return SETTLED;
    }
    this.scheduled ??= setImmediate(() => this.send());
    this.batch ??= newBatch();
    return this.batch.promise;
  }

  /**
   * Sends what is collected through `window` when it is open (the XACK then leaves in one write with the
   * subscription's next read), else on the ack connection. Fewer than MIN_RIDING unconfirmed acks are
   * left to the linger timer.
   */
  sendWith(window: ReadWindow): void {
    if (this.ids.length >= (this.confirm ? 1 : MIN_RIDING)) this.send(window);
  }

  /** Sends what is collected and resolves once every XACK sent so far returned (failures included). */
  async flush(): Promise<void> {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    this.send();
    await Promise.all(this.inFlight);
  }

  private send(window?: ReadWindow): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    const batch = this.batch;
    const ids = this.ids;
    if (ids.length === 0) return;
    this.batch = undefined;
    this.ids = [];
    const { stream, group } = this;
    const riding = window?.send((reader) => reader.call('XACK', stream, group, ...ids));
    const client = this.client;
    const direct = () =>
      client instanceof Cluster
        ? client.call('XACK', stream, group, ...ids)
        : client.call('XACK', stream, group, ...ids);
    const call = (riding ?? direct()).then(
      () => {
        this.onSettled(ids);
        batch?.resolve();
      },
      (error: unknown) => {
        this.onSettled(ids);
        batch?.reject(mapError(error, { ...this.context, action: `ack ${ids.length} message(s)` }));
      },
    );
    this.inFlight.add(call);
    void call.finally(() => this.inFlight.delete(call));
  }
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
