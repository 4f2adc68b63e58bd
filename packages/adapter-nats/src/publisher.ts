import { createInbox, type Msg, type Subscription as NatsSub } from '@nats-io/transport-node';
import { type WireMessage, watchAbort } from '@switchboard/core';
import { writeBatch } from './batch-write.js';
import type { Connection } from './connection.js';
import { mapError, natsError } from './errors.js';
import { ackError } from './pub-ack.js';

interface Batch {
  remaining: number;
  failed: boolean;
  resolve(): void;
  reject(error: unknown): void;
  readonly what: string;
}

/**
 * Pipelined JetStream publishing with the guarantee of `js.publish`: every message is a core publish whose
 * reply subject is a token of one inbox subscription; the server's PubAck for it arrives on that inbox and
 * is matched by token. A batch resolves only when every message has a positive PubAck, and rejects on the
 * first error ack, on a lost connection (retryable UNAVAILABLE: the messages may or may not be stored) or
 * when the caller's signal aborts. No request objects or timers per message.
 */
export class PipelinedPublisher {
  private readonly inbox = createInbox();
  private readonly sub: NatsSub;
  private readonly pending = new Map<number, Batch>();
  private sequence = 0;
  private readonly stopListening: () => void;

  constructor(private readonly connection: Connection) {
    this.sub = connection.nc.subscribe(`${this.inbox}.*`, {
      callback: (error, msg) => {
        if (!error) this.onAck(msg);
      },
    });
    this.stopListening = connection.onDisconnect(() => this.failAll());
  }

  /** Publishes `messages` to `subject` in order; resolves when the stream has stored every one. */
  async publish(
    subject: string,
    messages: readonly WireMessage[],
    what: string,
    signal?: AbortSignal,
  ): Promise<void> {
    if (!this.connection.connected) await this.connection.whenConnected(signal, what);
    if (messages.length === 0) return;
    const nc = this.connection.nc;
    const first = this.sequence + 1;
    this.sequence += messages.length;
    let batch!: Batch;
    const done = new Promise<void>((resolve, reject) => {
      batch = { remaining: messages.length, failed: false, resolve, reject, what };
    });
    try {
      for (let i = 0; i < messages.length; i++) this.pending.set(first + i, batch);
      writeBatch(nc, subject, messages, what, (i) => `${this.inbox}.${first + i}`);
    } catch (error) {
      this.fail(batch, mapError(error, what), first, messages.length);
    }
    if (!signal) return done;
    const unwatch = watchAbort(signal, () =>
      this.fail(
        batch,
        natsError('TIMEOUT', `${what}: no JetStream ack before the send was given up`, true),
        first,
        messages.length,
      ),
    );
    return done.finally(unwatch);
  }

  private onAck(msg: Msg): void {
    const token = Number(msg.subject.slice(this.inbox.length + 1));
    const batch = this.pending.get(token);
    if (!batch) return;
    this.pending.delete(token);
    if (batch.failed) return;
    const error = ackError(msg, batch.what);
    if (error) {
      batch.failed = true;
      batch.reject(error);
      return;
    }
    if (--batch.remaining === 0) batch.resolve();
  }

  private fail(batch: Batch, error: unknown, first: number, count: number): void {
    for (let i = 0; i < count; i++) this.pending.delete(first + i);
    if (batch.failed) return;
    batch.failed = true;
    batch.reject(error);
  }

  /** The connection dropped: confirmations of in-flight messages will never come. */
  private failAll(): void {
    const batches = new Set(this.pending.values());
    this.pending.clear();
    for (const batch of batches) {
      if (batch.failed) continue;
      batch.failed = true;
      batch.reject(
        natsError(
          'UNAVAILABLE',
          `${batch.what}: the connection was lost before JetStream confirmed the messages (they may or may not be stored) — retry`,
          true,
        ),
      );
    }
  }

  close(): void {
    this.stopListening();
    this.failAll();
    this.sub.unsubscribe();
  }
}
