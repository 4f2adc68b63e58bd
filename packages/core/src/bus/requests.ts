import type { CodecSet } from '../codec/codec.js';
import { MessagingError } from '../errors.js';
import type { Inbox, InboxMessage, Transport } from '../transport/contract.js';
import { H } from '../wire/reserved-headers.js';
import { settlesWithin } from './sleep.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The requester side of request/reply: one lazily opened inbox per bus, a table of pending requests by
 * correlation id, timeouts and cancellation. A reply that arrives after its request ended is dropped.
 */
export class RequestTracker {
  private inbox: Promise<Inbox> | undefined;
  private readonly pending = new Map<string, Pending>();
  /** The inbox's address once it is open (lets a request skip the promise chain); undefined before and after. */
  openAddress: string | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly codecs: CodecSet,
  ) {}

  /** The inbox address replies should go to (opens the inbox on first use). */
  async address(): Promise<string> {
    this.inbox ??= this.transport.openInbox((message) => this.onReply(message));
    const opening = this.inbox;
    try {
      const { address } = await opening;
      if (this.inbox === opening) this.openAddress = address;
      return address;
    } catch (error) {
      this.inbox = undefined;
      throw error;
    }
  }

  /**
   * Registers a request before it is sent and returns the promise of its reply. It rejects with TIMEOUT
   * after `timeoutMs`, with CANCELLED at once when `signal` aborts, and with REMOTE_ERROR when the
   * responder's handler threw.
   */
  expect(
    correlationId: string,
    destination: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(correlationId);
      };
      const onAbort = () => {
        finish();
        reject(
          new MessagingError('CANCELLED', `the request to ${destination} was aborted by its signal`, {
            component: 'bus',
          }),
        );
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new MessagingError(
            'TIMEOUT',
            `no reply from ${destination} within ${timeoutMs} ms — is a responder running?`,
            {
              component: 'bus',
            },
          ),
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(correlationId, {
        resolve: (value) => {
          finish();
          resolve(value);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
    });
  }

  /** Ends a request early (its send failed). */
  fail(correlationId: string, error: unknown): void {
    this.pending.get(correlationId)?.reject(error);
  }

  /** Rejects every pending request with CLOSED and closes the inbox. */
  async close(): Promise<void> {
    for (const pending of [...this.pending.values()]) {
      pending.reject(
        new MessagingError('CLOSED', 'the bus was closed while the request waited for its reply', {
          component: 'bus',
        }),
      );
    }
    const inbox = this.inbox;
    this.inbox = undefined;
    this.openAddress = undefined;
    if (!inbox) return;
    // An inbox still opening is closed once it opens, without holding up close(): the transport closes next.
    const closing = inbox.then(
      (opened) => opened.close(),
      () => undefined,
    );
    await settlesWithin(closing, 1000);
  }

  private onReply(message: InboxMessage): void {
    const correlationId = message.headers[H.correlationId];
    const pending = correlationId === undefined ? undefined : this.pending.get(correlationId);
    if (!pending) return;
    if (message.headers[H.replyStatus] === 'error') {
      const remoteCode = message.headers[H.errorCode] ?? 'HANDLER_ERROR';
      pending.reject(
        new MessagingError(
          'REMOTE_ERROR',
          `the responder failed (${remoteCode}): ${message.headers[H.error] ?? 'unknown error'}`,
          {
            component: 'bus',
            retryable: false,
          },
        ),
      );
      return;
    }
    try {
      pending.resolve(this.codecs.decode(message.body, message.headers[H.contentType]));
    } catch (error) {
      pending.reject(error);
    }
  }
}
