import { type DeliveryHandler, SETTLED, type Subscription } from '@switchboard/core';
import type { Client, Reader } from './connection.js';
import type { ErrorContext } from './errors.js';
import { type Entry, Intake, type Settler } from './intake.js';
import type { ResolvedOptions } from './options.js';
import { ReadLoop } from './reader.js';
import { itemsOfRead, lastIdOf, toEntries } from './replies.js';

/** What an ephemeral subscription is started with. */
export interface EphemeralSpec {
  readonly client: Client;
  readonly reader: Reader;
  readonly options: ResolvedOptions;
  readonly stream: string;
  readonly prefetch: number;
  readonly context: ErrorContext;
  readonly onDelivery: DeliveryHandler;
  readonly onClosed: () => void;
}

/**
 * A topic subscription without a group: plain XREAD from the stream's last id at subscribe time, so it
 * receives exactly what is added while it exists. Nothing is recorded at the broker: acks are local, a
 * nack hands the message out again after its delay, and what it held is gone when it closes.
 */
export class EphemeralSubscription implements Subscription, Settler {
  private readonly intake: Intake;
  private readonly loop: ReadLoop;
  private readonly retries = new Set<NodeJS.Timeout>();
  private lastId = '0-0';
  private closed = false;

  constructor(private readonly spec: EphemeralSpec) {
    this.intake = new Intake(spec.prefetch, spec.onDelivery, this);
    this.loop = new ReadLoop(
      spec.reader,
      this.intake,
      spec.options,
      spec.context,
      undefined,
      (reader, count) => this.read(reader, count),
      (reply) => this.deliver(reply),
      async () => false,
    );
  }

  /** Notes the current end of the stream, then starts reading after it. */
  async start(): Promise<void> {
    const last = (await this.spec.client.call('XREVRANGE', this.spec.stream, '+', '-', 'COUNT', 1)) as [
      string,
    ][];
    if (Array.isArray(last) && last[0]) this.lastId = String(last[0][0]);
    this.loop.start();
  }

  private read(reader: Reader, count: number): Promise<unknown> {
    const { stream, options } = this.spec;
    return reader.callBuffer(
      'XREAD',
      'COUNT',
      count,
      'BLOCK',
      options.blockMs,
      'STREAMS',
      stream,
      this.lastId,
    );
  }

  private deliver(reply: unknown): void {
    const items = itemsOfRead(reply);
    this.lastId = lastIdOf(items) ?? this.lastId;
    this.intake.push(toEntries(items, () => 0, Date.now(), []));
  }

  ack(): Promise<void> {
    return SETTLED;
  }

  retry(entry: Entry, delayMs: number): void {
    if (this.loop.isStopped) return;
    const next: Entry = { ...entry, redeliveries: entry.redeliveries + 1 };
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.intake.push([next], true);
    }, delayMs);
    this.retries.add(timer);
  }

  async stop(): Promise<void> {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await this.loop.stop();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stop();
    this.spec.onClosed();
  }
}
