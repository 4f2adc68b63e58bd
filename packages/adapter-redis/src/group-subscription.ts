import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DeliveryHandler, Subscription } from '@switchboard/core';
import { AckBatcher } from './ack-batcher.js';
import type { Client, Reader } from './connection.js';
import { DelayScheduler } from './delay-scheduler.js';
import type { ErrorContext } from './errors.js';
import { type Entry, Intake, type Settler } from './intake.js';
import type { ResolvedOptions } from './options.js';
import { type OpenWindows, ReadWindow } from './read-window.js';
import { ReadLoop } from './reader.js';
import { itemsOfClaim, itemsOfRead, toEntries } from './replies.js';
import { FixedCommand } from './resp-command.js';

/** The consumer that entries returned on close are parked on; a live consumer's reclaim picks them up. */
export const PARKING_CONSUMER = 'sb-returned';
/** Idle time given to returned entries: far past any ack deadline, so the next reclaim takes them. */
const RETURNED_IDLE_MS = 10 * 365 * 24 * 3600 * 1000;

/** The redeliveries of an entry read with `>` (never delivered before). */
const firstDelivery = (): number => 0;

/** What a group subscription is started with. */
export interface GroupSpec {
  readonly client: Client;
  /** The connection for XACK (shared by the transport's group subscriptions). */
  readonly acker: Reader;
  readonly reader: Reader;
  /** The transport's open read windows: this subscription's joins them between reads. */
  readonly windows: OpenWindows;
  readonly options: ResolvedOptions;
  readonly stream: string;
  readonly group: string;
  readonly prefetch: number;
  readonly ackDeadlineMs: number;
  readonly context: ErrorContext;
  readonly onDelivery: DeliveryHandler;
  readonly onClosed: () => void;
}

/**
 * A consumer of one consumer group (a queue, or a topic group). New entries come from blocking
 * XREADGROUP on its own connection; entries idle past the ack deadline — of a crashed or stuck consumer,
 * or returned by a closed one — are reclaimed with XAUTOCLAIM; acks are batched into one XACK per tick;
 * a nacked entry stays pending on this consumer and is handed out again after its delay, with its
 * delivery count raised at the broker (XCLAIM RETRYCOUNT), so a crash meanwhile loses nothing.
 */
export class GroupSubscription implements Subscription, Settler {
  readonly consumer = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly intake: Intake;
  private readonly loop: ReadLoop;
  private readonly window: ReadWindow;
  private readonly acks: AckBatcher;
  private readonly scheduler: DelayScheduler;
  private readonly retries = new Map<string, NodeJS.Timeout>();
  /**
   * Ids of the entries this consumer holds: read and not yet acknowledged at the broker (buffered, being
   * handled, waiting for a retry, or acked with the XACK not yet returned). A reclaim never hands these
   * out again: their idle time at the broker says nothing about them when this process was merely slow
   * (a starved event loop) — the ack deadline is for entries of a stuck or crashed consumer, whose entries
   * another consumer reclaims.
   */
  private readonly held = new Set<string>();
  private claimTimer: NodeJS.Timeout | undefined;
  private claimCursor = '0-0';
  private claiming = false;
  /** The XREADGROUP of each count asked for so far (counts are at most `batchSize`), encoded once. */
  private readonly readCommands = new Map<number, FixedCommand>();
  private closing: Promise<void> | undefined;

  constructor(private readonly spec: GroupSpec) {
    this.intake = new Intake(spec.prefetch, spec.onDelivery, this);
    this.acks = new AckBatcher(
      spec.acker,
      spec.stream,
      spec.group,
      spec.context,
      spec.options.confirmAcks,
      (ids) => {
        for (const id of ids) this.held.delete(id);
      },
    );
    this.scheduler = new DelayScheduler(spec.client, spec.stream, spec.options, spec.context);
    this.window = new ReadWindow(spec.reader, spec.windows);
    this.loop = new ReadLoop(
      spec.reader,
      this.intake,
      spec.options,
      spec.context,
      this.window,
      (reader, count) => this.readNew(reader, count),
      (reply) => this.accept(itemsOfRead(reply), firstDelivery, false),
      (error) => this.recover(error),
    );
  }

  /** Creates the consumer, starts reading, reclaiming and moving due delayed entries. */
  async start(): Promise<void> {
    await this.spec.client.call('XGROUP', 'CREATECONSUMER', this.spec.stream, this.spec.group, this.consumer);
    this.loop.start();
    this.scheduler.start();
    const every = Math.max(20, Math.min(2000, Math.floor(this.spec.ackDeadlineMs / 4)));
    // A reclaim in flight when the subscription stops must not arm the next one: that timer would re-arm
    // itself forever after close.
    const tick = () => {
      if (this.loop.isStopped) return;
      this.claimTimer = setTimeout(() => void this.reclaim().finally(tick), every);
    };
    void this.reclaim().finally(tick);
  }

  /** Writes the next XREADGROUP, after the acks collected so far (in the same write while the window is open). */
  private readNew(reader: Reader, count: number): Promise<unknown> {
    const { stream, group, options } = this.spec;
    this.acks.sendWith(this.window);
    // The same command every time but for its count (which follows the free prefetch): encoded once per count.
    let command = this.readCommands.get(count);
    if (command === undefined) {
      const args = ['XREADGROUP', 'GROUP', group, this.consumer, 'COUNT', count, 'BLOCK', options.blockMs];
      command = new FixedCommand([...args, 'STREAMS', stream, '>']);
      this.readCommands.set(count, command);
    }
    return command.send(reader);
  }

  private accept(
    items: ReturnType<typeof itemsOfRead>,
    redeliveriesOf: (id: string) => number,
    redelivery: boolean,
  ): void {
    if (items.length === 0) return;
    const drop: string[] = [];
    const entries = toEntries(items, redeliveriesOf, Date.now(), drop);
    for (const entry of entries) this.held.add(entry.id);
    for (const id of drop) void this.acks.add(id).catch(() => undefined);
    this.intake.push(entries, redelivery);
  }

  /** Takes over entries idle past the ack deadline, up to the free capacity. */
  private async reclaim(): Promise<void> {
    const free = this.intake.free;
    if (this.claiming || this.loop.isStopped || free <= 0) return;
    this.claiming = true;
    const { client, stream, group, ackDeadlineMs } = this.spec;
    try {
      const reply = await client.callBuffer(
        'XAUTOCLAIM',
        stream,
        group,
        this.consumer,
        ackDeadlineMs,
        this.claimCursor,
        'COUNT',
        free,
      );
      const { cursor, items: claimed } = itemsOfClaim(reply);
      this.claimCursor = cursor;
      const items = claimed.filter(([id]) => !this.held.has(id.toString()));
      if (items.length === 0 || this.loop.isStopped) return;
      const pipeline = client.pipeline();
      for (const [id] of items) pipeline.call('XPENDING', stream, group, id, id, 1);
      const counts = new Map<string, number>();
      for (const [error, row] of (await pipeline.exec()) ?? []) {
        const first = !error && Array.isArray(row) ? (row[0] as [string, string, number, number]) : undefined;
        if (first) counts.set(String(first[0]), Number(first[3]));
      }
      this.accept(items, (id) => Math.max(0, (counts.get(id) ?? 1) - 1), true);
    } catch {
      // A failed reclaim is retried on the next tick; entries stay pending meanwhile.
    } finally {
      this.claiming = false;
    }
  }

  private async recover(error: unknown): Promise<boolean> {
    if (!String((error as Error)?.message).startsWith('NOGROUP')) return false;
    await this.spec.client
      .call('XGROUP', 'CREATE', this.spec.stream, this.spec.group, '0', 'MKSTREAM')
      .catch(() => undefined);
    return true;
  }

  ack(entry: Entry): Promise<void> {
    return this.acks.add(entry.id);
  }

  retry(entry: Entry, delayMs: number): void {
    if (this.loop.isStopped) return;
    const next: Entry = { ...entry, redeliveries: entry.redeliveries + 1 };
    const { client, stream, group } = this.spec;
    // Restarts the ack deadline and records the delivery count at the broker, without moving the entry.
    const touch = (deliveries: number) =>
      client
        .call('XCLAIM', stream, group, this.consumer, 0, entry.id, 'RETRYCOUNT', deliveries, 'JUSTID')
        .catch(() => undefined);
    void touch(next.redeliveries);
    const keepAlive = Math.max(10, Math.floor(this.spec.ackDeadlineMs / 2));
    let remaining = delayMs;
    const wait = () => {
      const step = Math.min(remaining, keepAlive);
      remaining -= step;
      const timer = setTimeout(() => {
        if (remaining > 0) {
          void touch(next.redeliveries);
          wait();
          return;
        }
        this.retries.delete(entry.id);
        void touch(next.redeliveries + 1);
        this.intake.push([next], true);
      }, step);
      this.retries.set(entry.id, timer);
    };
    if (delayMs <= 0) {
      void touch(next.redeliveries + 1);
      this.intake.push([next], true);
    } else wait();
  }

  async stop(): Promise<void> {
    clearTimeout(this.claimTimer);
    this.scheduler.stop();
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    await this.loop.stop();
  }

  /** Stops, flushes acks, parks every entry this consumer still owns for other consumers, and removes it. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.stop();
      await this.acks.flush();
      const { client, stream, group } = this.spec;
      try {
        for (;;) {
          const pending = (await client.call('XPENDING', stream, group, '-', '+', 1000, this.consumer)) as [
            string,
          ][];
          if (!Array.isArray(pending) || pending.length === 0) break;
          const ids = pending.map((row) => String(row[0]));
          await client.call(
            'XCLAIM',
            stream,
            group,
            PARKING_CONSUMER,
            0,
            ...ids,
            'IDLE',
            RETURNED_IDLE_MS,
            'JUSTID',
          );
          if (ids.length < 1000) break;
        }
        await client.call('XGROUP', 'DELCONSUMER', stream, group, this.consumer);
      } catch {
        // Without a connection the entries stay on this consumer; the ack deadline returns them.
      } finally {
        this.spec.onClosed();
      }
    })();
    return this.closing;
  }
}
