import { MessagingError } from '../errors.js';
import type { SendResult } from '../message.js';
import type { Destination, PublishOptions, WireMessage } from '../transport/contract.js';
import { defer } from '../util/defer.js';
import { type DeadlineBucket, type DeadlineHolder, Deadlines } from './deadlines.js';

/** How the batcher hands a batch to the transport. */
export type PublishFn = (
  destination: Destination,
  messages: WireMessage[],
  options: PublishOptions,
) => Promise<void>;

/** Limits of a {@link SendBatcher}. */
export interface BatcherLimits {
  /** Most messages in one publish call. */
  readonly maxBatch: number;
  /** Most publish calls in flight per destination; further sends wait and join the next batch. */
  readonly maxInFlight: number;
  /**
   * A publish not confirmed within this many ms (up to a tenth more, at most 1 s: deadlines are bucketed)
   * rejects its sends with a retryable TIMEOUT, and its signal aborts.
   */
  readonly sendTimeoutMs: number;
}

/** One send waiting for its batch to be confirmed. */
class Entry {
  resolve!: (result: SendResult) => void;
  reject!: (error: unknown) => void;
  done = false;
  constructor(
    readonly message: WireMessage,
    readonly expectConsumer: boolean,
  ) {}
}

/** One batch handed to the transport, until it lands (confirmed, failed or past its deadline). */
class Flight implements DeadlineHolder {
  landed = false;
  bucket: DeadlineBucket | undefined;
  constructor(
    private readonly batcher: SendBatcher,
    readonly lane: Lane,
    readonly batch: Entry[],
  ) {}

  expired(): void {
    this.batcher.land(this, this.batcher.timedOut(this));
  }
}

/** The entry whose promise is being constructed: lets one shared executor take its resolvers (no closure per send). */
let constructing: Entry | undefined;

function takeResolvers(resolve: (result: SendResult) => void, reject: (error: unknown) => void): void {
  constructing!.resolve = resolve;
  constructing!.reject = reject;
}

interface Lane {
  readonly destination: Destination;
  readonly pending: Entry[];
  inFlight: number;
  scheduled: boolean;
}

/**
 * Batches concurrent sends: every send issued while a destination has publishes in flight (or in the same
 * tick) joins one transport publish. A send resolves when its batch is confirmed and rejects with the
 * batch's error otherwise — nothing is reported sent that the broker did not take.
 */
export class SendBatcher {
  private readonly queueLanes = new Map<string, Lane>();
  private readonly topicLanes = new Map<string, Lane>();
  private readonly idleWaiters: (() => void)[] = [];
  private outstanding = 0;
  private readonly deadlines: Deadlines;

  constructor(
    private readonly publish: PublishFn,
    private readonly limits: BatcherLimits,
  ) {
    this.deadlines = new Deadlines(limits.sendTimeoutMs);
  }

  /** Queues one message; resolves with its id once the broker has it. `signal` abort rejects with CANCELLED. */
  add(
    destination: Destination,
    message: WireMessage,
    signal?: AbortSignal,
    expectConsumer = false,
  ): Promise<SendResult> {
    if (signal?.aborted) return Promise.reject(cancelled());
    const lane = this.laneOf(destination);
    this.outstanding++;
    const entry = new Entry(message, expectConsumer);
    constructing = entry;
    const sent = new Promise<SendResult>(takeResolvers);
    constructing = undefined;
    lane.pending.push(entry);
    if (signal) this.cancelOnAbort(entry, signal);
    this.schedule(lane);
    return sent;
  }

  /** Rejects `entry` with CANCELLED when `signal` aborts before its batch settles (it is then not published). */
  private cancelOnAbort(entry: Entry, signal: AbortSignal): void {
    const { resolve, reject } = entry;
    const onAbort = () => this.settle(entry, cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    const clear = () => signal.removeEventListener('abort', onAbort);
    entry.resolve = (result) => {
      clear();
      resolve(result);
    };
    entry.reject = (error) => {
      clear();
      reject(error);
    };
  }

  /** Resolves when every send added so far has settled. */
  whenIdle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private laneOf(destination: Destination): Lane {
    const lanes = destination.kind === 'queue' ? this.queueLanes : this.topicLanes;
    let lane = lanes.get(destination.name);
    if (!lane) {
      lane = { destination, pending: [], inFlight: 0, scheduled: false };
      lanes.set(destination.name, lane);
    }
    return lane;
  }

  private schedule(lane: Lane): void {
    if (lane.scheduled || lane.inFlight >= this.limits.maxInFlight) return;
    lane.scheduled = true;
    defer(() => {
      lane.scheduled = false;
      this.pump(lane);
    });
  }

  private pump(lane: Lane): void {
    while (lane.pending.length > 0 && lane.inFlight < this.limits.maxInFlight) {
      const batch = this.takeBatch(lane);
      if (batch.length === 0) break;
      lane.inFlight++;
      this.send(lane, batch);
    }
  }

  /** Takes up to maxBatch live entries; a request (expectConsumer) always travels alone. */
  private takeBatch(lane: Lane): Entry[] {
    const batch: Entry[] = [];
    let index = 0;
    for (; index < lane.pending.length && batch.length < this.limits.maxBatch; index++) {
      const next = lane.pending[index]!;
      if (next.done) continue;
      if (batch.length > 0 && (next.expectConsumer || batch[0]!.expectConsumer)) break;
      batch.push(next);
    }
    lane.pending.splice(0, index);
    return batch;
  }

  /** Publishes one batch under a send deadline; settles its entries when the broker confirms, fails or times out. */
  private send(lane: Lane, batch: Entry[]): void {
    const flight = new Flight(this, lane, batch);
    flight.bucket = this.deadlines.hold(flight);
    const messages = batch.map((entry) => entry.message);
    let published: Promise<void>;
    try {
      published = this.publish(lane.destination, messages, {
        signal: flight.bucket.controller.signal,
        expectConsumer: batch[0]!.expectConsumer,
      });
    } catch (error) {
      published = Promise.reject(error);
    }
    published.then(
      () => this.land(flight, undefined),
      (error: unknown) => this.land(flight, error ?? new Error('the transport rejected the publish')),
    );
  }

  /** Ends `flight` once: settles its entries with `error` (none = confirmed) and lets the lane send more. */
  land(flight: Flight, error: unknown): void {
    if (flight.landed) return;
    flight.landed = true;
    this.deadlines.release(flight.bucket!, flight);
    for (const entry of flight.batch) this.settle(entry, error);
    const lane = flight.lane;
    lane.inFlight--;
    if (lane.pending.length > 0) this.pump(lane);
  }

  /** The error of a batch whose deadline passed: the broker may or may not have taken it. */
  timedOut(flight: Flight): MessagingError {
    return new MessagingError(
      'TIMEOUT',
      `the broker did not confirm ${flight.batch.length} message(s) to ${flight.lane.destination.name} within ${this.limits.sendTimeoutMs} ms — is it reachable? (they may or may not have been taken)`,
      { component: 'bus', retryable: true },
    );
  }

  private settle(entry: Entry, error?: unknown): void {
    if (entry.done) return;
    entry.done = true;
    if (error === undefined) entry.resolve({ id: entry.message.id });
    else entry.reject(error);
    if (--this.outstanding === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

function cancelled(): MessagingError {
  return new MessagingError('CANCELLED', 'the send was aborted by its signal', { component: 'bus' });
}
