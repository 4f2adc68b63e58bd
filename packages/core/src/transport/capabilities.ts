/**
 * What a transport offers. The bus gates features on these flags; the conformance suite runs the scenario
 * behind a flag when it is true and a negative check of the documented behaviour when it is false.
 */
export interface Capabilities {
  /** Messages wait in a queue while no consumer runs, and (with a persistent broker setup) survive a broker restart. */
  readonly persistent: boolean;
  /** A new topic group can start from the retained history (`startFrom: 'earliest'`). */
  readonly replay: boolean;
  /** Delayed send (`delayMs` on a wire message) is honoured. Without it a `delayMs` option is `UNSUPPORTED`. */
  readonly delay: boolean;
  /** `nack({ delayMs })` with a delay is honoured by the broker. Without it the bus holds a retry for its delay itself, then nacks with 0. */
  readonly nackDelay: boolean;
  /** Per-message time-to-live is honoured. Without it a `ttlMs` option is `UNSUPPORTED`. */
  readonly ttl: boolean;
  /** A `dedupeId` seen within `dedupeWindowMs` is dropped. Without it a `dedupeId` option is `UNSUPPORTED`. */
  readonly dedupe: boolean;
  /** The dedupe window in ms, where `dedupe` is true. */
  readonly dedupeWindowMs?: number | undefined;
  /** Unsettled deliveries are redelivered (to another consumer) after the subscription's ack deadline. */
  readonly ackDeadline: boolean;
  /** Per-message priority 0–9 is honoured. Without it a `priority` option is `UNSUPPORTED`. */
  readonly priority: boolean;
  /** Topic subscriptions accept wildcard patterns (`orders.*`, `orders.#`). */
  readonly wildcards: boolean;
  /** The largest encoded body the broker accepts, in bytes; the bus rejects larger ones with `PAYLOAD_TOO_LARGE` before sending. */
  readonly maxPayloadBytes: number;
}
