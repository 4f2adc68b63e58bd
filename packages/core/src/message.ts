/** A received message, as a handler sees it. */
export interface Message<T = unknown> {
  /** Unique id, set by the sender (or generated). */
  readonly id: string;
  /** The decoded (and, for typed messages, validated) body. */
  readonly body: T;
  /** The user's headers, exactly as sent. Reserved metadata never appears here. */
  readonly headers: Readonly<Record<string, string>>;
  /** The queue or topic it was consumed from. */
  readonly destination: string;
  readonly key?: string | undefined;
  /** When it was first sent, ms since the epoch. */
  readonly timestamp: number;
  readonly correlationId?: string | undefined;
  readonly replyTo?: string | undefined;
  readonly contentType: string;
  /** 1 on the first delivery, k + 1 after k failed attempts. */
  readonly attempt: number;
  /** Present on messages read from a dead-letter queue: why and where they failed. */
  readonly failure?: DeadLetterInfo | undefined;
}

/** Why a message was dead-lettered, read from its reserved headers. */
export interface DeadLetterInfo {
  /** The last error's message. */
  readonly error: string;
  /** A MessagingError code, or `HANDLER_ERROR` for anything a handler threw. */
  readonly errorCode: string;
  /** Handler calls made before giving up. */
  readonly attempts: number;
  readonly originalDestination: string;
  readonly originalGroup?: string | undefined;
  /** When it was dead-lettered, ms since the epoch. */
  readonly deadLetteredAt: number;
}

/** What a handler gets besides the message. */
export interface HandlerContext {
  /** Aborted when the bus closes and the drain timeout has passed: stop work and return. */
  readonly signal: AbortSignal;
}

/** Resolve = ack. Throw = retry per policy, then dead letter; throw an UnrecoverableError to dead-letter at once. */
export type Handler<T = unknown, R = void> = (message: Message<T>, context: HandlerContext) => R | Promise<R>;

/** Options of `send` and `publish`. Each is honoured natively, emulated by the bus, or rejected with `UNSUPPORTED`. */
export interface SendOptions {
  /** User headers: string keys (≤ 256 chars, not starting with `sb-`) and string values. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Ordering key: messages with one key are handled in send order (within a partition/stream). */
  readonly key?: string | undefined;
  /** Deliver no sooner than this many ms from now (`capabilities.delay`). */
  readonly delayMs?: number | undefined;
  /** Drop if not delivered within this many ms (`capabilities.ttl`). */
  readonly ttlMs?: number | undefined;
  /** Drop a second message with this id within the broker's dedupe window (`capabilities.dedupe`). */
  readonly dedupeId?: string | undefined;
  readonly correlationId?: string | undefined;
  /** 0–9 (`capabilities.priority`). */
  readonly priority?: number | undefined;
  /** Message id; generated (UUID) when absent. */
  readonly id?: string | undefined;
  /** Aborts waiting for the broker; the send rejects with `CANCELLED` (the message may still have been taken). */
  readonly signal?: AbortSignal | undefined;
}

/** Backoff between attempts: `min(maxMs, initialMs · multiplier^(attempt-1))`, each delay spread by ± `jitter`. */
export interface BackoffOptions {
  /** Delay before the 2nd attempt. Default 100 ms. */
  readonly initialMs?: number | undefined;
  /** Upper bound of any delay. Default 30,000 ms. */
  readonly maxMs?: number | undefined;
  /** Growth factor per attempt. Default 2. */
  readonly multiplier?: number | undefined;
  /** Fraction (0–1) of random spread around each delay. Default 0.2. */
  readonly jitter?: number | undefined;
}

/** Options of `receive`, `subscribe`, `reply` and `consume`. */
export interface ReceiveOptions {
  /** Handlers running at once. Messages with the same key never run concurrently. Default 8. */
  readonly concurrency?: number | undefined;
  /** Unsettled messages held from the broker. Default 2 × concurrency. */
  readonly prefetch?: number | undefined;
  /** Handler calls before a failing message is dead-lettered. Default 5. */
  readonly maxAttempts?: number | undefined;
  readonly backoff?: BackoffOptions | undefined;
  /** A message neither acked nor nacked this long is redelivered (where the adapter supports it). Default 30,000 ms. */
  readonly ackDeadlineMs?: number | undefined;
  /** Where failed messages go: a queue name, or `false` to drop them after the last attempt. Default `<destination>.dead-letter`. */
  readonly deadLetter?: string | false | undefined;
}

/** Options of `subscribe`. */
export interface SubscribeOptions extends ReceiveOptions {
  /** Consumer group: every group gets every event, members of one group share them. Absent: only events published while subscribed. */
  readonly group?: string | undefined;
  /** Where a new group starts: `new` (default) or `earliest` (retained history; `capabilities.replay`). */
  readonly startFrom?: 'new' | 'earliest' | undefined;
}

/** Options of `request`. */
export interface RequestOptions extends Omit<SendOptions, 'correlationId' | 'delayMs'> {
  /** Give up after this many ms with `TIMEOUT` (up to 2 %, at most 100 ms, later: deadlines are bucketed). Default 30,000. */
  readonly timeoutMs?: number | undefined;
}

/** A running receiver, subscriber or responder. */
export interface Receiver {
  /** Stops taking messages, lets in-flight handlers finish (bounded by the drain timeout) and unsubscribes. Idempotent. */
  close(): Promise<void>;
}

/** What `send` and `publish` resolve with once the broker has the message. */
export interface SendResult {
  readonly id: string;
}
