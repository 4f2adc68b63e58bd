import type { CodecSet } from '../codec/codec.js';
import { MessagingError } from '../errors.js';
import type { Inbox, InboxMessage, Transport } from '../transport/contract.js';
import { H } from '../wire/reserved-headers.js';
import { type DeadlineBucket, type DeadlineHolder, Deadlines } from './deadlines.js';
import { settlesWithin } from './sleep.js';

/** A request waiting for its reply: its deadline holder, and what settles its promise once. */
class PendingRequest implements DeadlineHolder {
  resolve!: (value: unknown) => void;
  reject!: (error: unknown) => void;
  bucket: DeadlineBucket | undefined;
  deadlines: Deadlines | undefined;
  onAbort: (() => void) | undefined;
  /** Set once the request was resolved or rejected. */
  ended = false;
  constructor(
    readonly tracker: RequestTracker,
    readonly correlationId: string,
    readonly destination: string,
    readonly timeoutMs: number,
    readonly signal: AbortSignal | undefined,
  ) {}

  expired(): void {
    this.bucket = undefined;
    this.tracker.settle(
      this,
      new MessagingError(
        'TIMEOUT',
        `no reply from ${this.destination} within ${this.timeoutMs} ms — is a responder running?`,
        { component: 'bus' },
      ),
    );
  }
}

/** The request whose promise is being constructed: lets one shared executor take its resolvers (no closure per request). */
let constructing: PendingRequest | undefined;

function takeResolvers(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  constructing!.resolve = resolve;
  constructing!.reject = reject;
}

/** Distinct request timeouts that keep their own deadline buckets; beyond this many, idle ones are dropped. */
const MAX_TIMEOUT_LENGTHS = 32;

/** A request's TIMEOUT comes at most 2 % (and 100 ms) late: callers and C35 expect it at the timeout ± 10 %. */
const REQUEST_LATENESS = { share: 0.02, maxMs: 100 } as const;

/**
 * The requester side of request/reply: one lazily opened inbox per bus, a table of pending requests by
 * correlation id, timeouts and cancellation. A reply that arrives after its request ended is dropped.
 */
export class RequestTracker {
  private inbox: Promise<Inbox> | undefined;
  private readonly pending = new Map<string, PendingRequest>();
  /** Deadline buckets per timeout length (requests usually share one or two lengths). */
  private readonly deadlines = new Map<number, Deadlines>();
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
   * after `timeoutMs` (up to 2 % later, at most 100 ms: deadlines are bucketed), with CANCELLED at once
   * when `signal` aborts, and with REMOTE_ERROR when the responder's handler threw.
   */
  expect(
    correlationId: string,
    destination: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const request = new PendingRequest(this, correlationId, destination, timeoutMs, signal);
    constructing = request;
    const reply = new Promise<unknown>(takeResolvers);
    constructing = undefined;
    const deadlines = this.deadlinesOf(timeoutMs);
    request.deadlines = deadlines;
    request.bucket = deadlines.hold(request);
    if (signal) {
      request.onAbort = () =>
        this.settle(
          request,
          new MessagingError('CANCELLED', `the request to ${destination} was aborted by its signal`, {
            component: 'bus',
          }),
        );
      signal.addEventListener('abort', request.onAbort, { once: true });
    }
    this.pending.set(correlationId, request);
    return reply;
  }

  /** Rejects `request` with `error` unless it has ended already. */
  settle(request: PendingRequest, error: unknown): void {
    if (this.end(request)) request.reject(error);
  }

  /** Resolves `request` with the reply's body unless it has ended already. */
  private fulfil(request: PendingRequest, body: unknown): void {
    if (this.end(request)) request.resolve(body);
  }

  /**
   * Ends `request`: removes it from the table (unless a later request with the same correlation id took its
   * place there), from its deadline and from its signal; false when it had ended already.
   */
  private end(request: PendingRequest): boolean {
    if (request.ended) return false;
    request.ended = true;
    if (this.pending.get(request.correlationId) === request) this.pending.delete(request.correlationId);
    if (request.bucket) request.deadlines!.release(request.bucket, request);
    if (request.onAbort) request.signal!.removeEventListener('abort', request.onAbort);
    return true;
  }

  private deadlinesOf(timeoutMs: number): Deadlines {
    let deadlines = this.deadlines.get(timeoutMs);
    if (deadlines === undefined) {
      if (this.deadlines.size >= MAX_TIMEOUT_LENGTHS) {
        for (const [length, idle] of this.deadlines) if (idle.idle) this.deadlines.delete(length);
      }
      deadlines = new Deadlines(timeoutMs, REQUEST_LATENESS);
      this.deadlines.set(timeoutMs, deadlines);
    }
    return deadlines;
  }

  /** Ends a request early (its send failed). */
  fail(correlationId: string, error: unknown): void {
    const request = this.pending.get(correlationId);
    if (request) this.settle(request, error);
  }

  /** Rejects every pending request with CLOSED and closes the inbox. */
  async close(): Promise<void> {
    for (const request of [...this.pending.values()]) {
      this.settle(
        request,
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
    const request = correlationId === undefined ? undefined : this.pending.get(correlationId);
    if (!request) return;
    if (message.headers[H.replyStatus] === 'error') {
      const remoteCode = message.headers[H.errorCode] ?? 'HANDLER_ERROR';
      this.settle(
        request,
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
    let body: unknown;
    try {
      body = this.codecs.decode(message.body, message.headers[H.contentType]);
    } catch (error) {
      this.settle(request, error);
      return;
    }
    this.fulfil(request, body);
  }
}
