import type { InboxMessage, WireMessage } from '../transport/contract.js';
import { DelayTimers } from './delay-timers.js';
import { MemoryMessage, MemoryQueue } from './memory-queue.js';

/** Limits of a memory broker. */
export interface MemoryBrokerLimits {
  readonly highWaterMark: number;
  readonly dedupeWindowMs: number;
}

/**
 * The state behind `memory://NAME`: queues, topic groups, inboxes and the dedupe window. Every transport
 * created with the same name in one process shares it, so two buses on `memory://` talk to each other.
 */
export class MemoryBroker {
  readonly queues = new Map<string, MemoryQueue>();
  /** topic → group → queue. */
  readonly topics = new Map<string, Map<string, MemoryQueue>>();
  readonly inboxes = new Map<string, (message: InboxMessage) => void>();
  /** Delayed messages; they keep the process alive only while a transport of this broker is open. */
  readonly timers = new DelayTimers();
  private readonly seen = new Map<string, number>();

  constructor(readonly limits: MemoryBrokerLimits) {}

  queue(name: string): MemoryQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new MemoryQueue(name, this.limits.highWaterMark, this.timers);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** The queue of a topic group, created on first use. */
  group(topic: string, group: string): MemoryQueue {
    let groups = this.topics.get(topic);
    if (!groups) {
      groups = new Map();
      this.topics.set(topic, groups);
    }
    let queue = groups.get(group);
    if (!queue) {
      queue = new MemoryQueue(`${topic}#${group}`, this.limits.highWaterMark, this.timers);
      groups.set(group, queue);
    }
    return queue;
  }

  removeGroup(topic: string, group: string): void {
    this.topics.get(topic)?.delete(group);
  }

  /** True when `dedupeId` was seen on `destination` within the window (and records it otherwise). */
  isDuplicate(destination: string, dedupeId: string): boolean {
    const now = Date.now();
    const key = `${destination}\u0000${dedupeId}`;
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return true;
    this.seen.set(key, now + this.limits.dedupeWindowMs);
    if (this.seen.size > 10_000) for (const [k, expiry] of this.seen) if (expiry <= now) this.seen.delete(k);
    return false;
  }
}

/** Turns a wire message into what a queue stores (one per queue it goes to). The body is kept, not copied. */
export function store(message: WireMessage): MemoryMessage {
  return new MemoryMessage(
    message.body,
    message.headers,
    message.key,
    message.ttlMs === undefined ? undefined : Date.now() + message.ttlMs,
    0,
  );
}

const brokers = new Map<string, MemoryBroker>();

/** The process-wide broker of that name, created with `limits` on first use. */
export function brokerNamed(name: string, limits: MemoryBrokerLimits): MemoryBroker {
  let broker = brokers.get(name);
  if (!broker) {
    broker = new MemoryBroker(limits);
    brokers.set(name, broker);
  }
  return broker;
}
