import { randomUUID } from 'node:crypto';
import { MessagingError } from '../errors.js';
import type { Capabilities } from '../transport/capabilities.js';
import type {
  DeliveryHandler,
  Destination,
  Inbox,
  InboxMessage,
  PublishOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  WireMessage,
} from '../transport/contract.js';
import { defer } from '../util/defer.js';
import { brokerNamed, type MemoryBroker, store } from './memory-broker.js';
import { MemoryConsumer, type MemoryQueue } from './memory-queue.js';

/** Options of {@link memoryTransport}. */
export interface MemoryTransportOptions {
  /** Transports with the same broker name in one process share queues and topics. Default `default`. */
  readonly broker?: string | undefined;
  /** Messages a queue holds (waiting + in flight) before publishers wait. Default 10,000. */
  readonly highWaterMark?: number | undefined;
  /** Largest body in bytes. Default 1 MiB. */
  readonly maxPayloadBytes?: number | undefined;
  /** How long a dedupe id is remembered. Default 120,000 ms. */
  readonly dedupeWindowMs?: number | undefined;
}

/** The broker as seen through {@link MemoryTransport.native}. */
export type MemoryNative = MemoryBroker;

/**
 * The in-process broker, the embedded default (`memory://`). It implements the whole transport contract —
 * competing consumers, groups, nack with delay, ttl, dedupe, an ack deadline, request/reply — within one
 * process. Nothing survives the process: `persistent` means messages wait for a consumer, not durability.
 */
export function memoryTransport(options: MemoryTransportOptions = {}): Transport<MemoryNative> {
  return new MemoryTransport(options);
}

class MemoryTransport implements Transport<MemoryNative> {
  readonly name = 'memory';
  readonly capabilities: Capabilities;
  readonly native: MemoryBroker;
  private readonly subscriptions = new Set<Subscription>();
  private readonly inboxes = new Set<Inbox>();
  private closed = false;

  constructor(options: MemoryTransportOptions) {
    const dedupeWindowMs = options.dedupeWindowMs ?? 120_000;
    this.native = brokerNamed(options.broker ?? 'default', {
      highWaterMark: options.highWaterMark ?? 10_000,
      dedupeWindowMs,
    });
    this.capabilities = {
      persistent: true,
      replay: false,
      delay: true,
      nackDelay: true,
      ttl: true,
      dedupe: true,
      dedupeWindowMs,
      ackDeadline: true,
      priority: false,
      wildcards: false,
      maxPayloadBytes: options.maxPayloadBytes ?? 1024 * 1024,
    };
    this.native.timers.retain();
  }

  async connect(): Promise<void> {
    this.assertOpen();
  }

  async publish(
    destination: Destination,
    messages: readonly WireMessage[],
    options?: PublishOptions,
  ): Promise<void> {
    this.assertOpen();
    const targets = this.targetsOf(destination);
    if (options?.expectConsumer && targets.every((queue) => queue.consumerCount === 0)) {
      throw new MessagingError('NO_RESPONDERS', `nobody receives from ${destination.name}`, {
        component: 'memory',
      });
    }
    for (const message of messages) {
      if (message.dedupeId !== undefined && this.native.isDuplicate(destination.name, message.dedupeId))
        continue;
      for (const queue of targets) queue.enqueue(store(message), message.delayMs);
    }
    for (const queue of targets) await queue.whenBelowHighWater(options?.signal);
  }

  async subscribe(
    destination: Destination,
    options: SubscribeOptions,
    onDelivery: DeliveryHandler,
  ): Promise<Subscription> {
    this.assertOpen();
    const ephemeral = destination.kind === 'topic' && options.group === undefined;
    const group = ephemeral ? `~ephemeral-${randomUUID()}` : options.group;
    const queue =
      destination.kind === 'queue'
        ? this.native.queue(destination.name)
        : this.native.group(destination.name, group!);
    const consumer = new MemoryConsumer(options.prefetch, options.ackDeadlineMs, onDelivery);
    queue.addConsumer(consumer);
    const subscriptions = this.subscriptions;
    const broker = this.native;
    const subscription: Subscription = {
      async stop() {
        consumer.stopped = true;
      },
      async close() {
        if (!subscriptions.delete(subscription)) return;
        queue.removeConsumer(consumer);
        if (ephemeral) broker.removeGroup(destination.name, group!);
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  async openInbox(onMessage: (message: InboxMessage) => void): Promise<Inbox> {
    this.assertOpen();
    const address = `inbox.${randomUUID()}`;
    this.native.inboxes.set(address, onMessage);
    const inboxes = this.inboxes;
    const broker = this.native;
    const inbox: Inbox = {
      address,
      async close() {
        inboxes.delete(inbox);
        broker.inboxes.delete(address);
      },
    };
    inboxes.add(inbox);
    return inbox;
  }

  async reply(address: string, message: WireMessage): Promise<void> {
    this.assertOpen();
    const deliver = this.native.inboxes.get(address);
    if (deliver) defer(() => deliver({ body: message.body, headers: message.headers }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.native.timers.release();
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await Promise.all([...this.inboxes].map((i) => i.close()));
  }

  private targetsOf(destination: Destination): MemoryQueue[] {
    if (destination.kind === 'queue') return [this.native.queue(destination.name)];
    return [...(this.native.topics.get(destination.name)?.values() ?? [])];
  }

  private assertOpen(): void {
    if (this.closed)
      throw new MessagingError('CLOSED', 'the memory transport is closed', { component: 'memory' });
  }
}
