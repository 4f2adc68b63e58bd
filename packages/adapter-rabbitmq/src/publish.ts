import type { WireMessage } from '@switchboard/core';
import type { Channel, ConfirmChannel } from 'amqplib';
import type { ChannelSlot } from './channel-slot.js';
import { DIRECT_REPLY_TO, toPublishOptions } from './codec.js';
import { publishConfirmed, publishUnconfirmed } from './confirm-publish.js';
import { mapError, unavailable } from './errors.js';

/** Where one batch goes on an AMQP channel. */
export interface Route {
  /** Exchange name; `''` is the default exchange, whose routing key is the queue name. */
  readonly exchange: string;
  readonly routingKey: string;
  /** For error messages, e.g. `publishing to the queue "orders"`. */
  readonly action: string;
  readonly url: string;
}

/** An AMQP body: a Buffer view of the bytes, without copying. */
export function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * Publishes `messages` in order on the confirm channel of `slot` and resolves once the broker confirmed
 * every one of them; rejects with the mapped error when one is nacked or the channel closes first.
 * Confirms are batched: the whole batch is written before anything is awaited, one callback per message
 * counts the confirms down. When the channel's write buffer is full (`publish` returned false) the loop waits
 * for `drain` before writing more, so a burst never fails for a full buffer. `signal` (the caller's send
 * timeout) ends the wait for `drain` with a retryable UNAVAILABLE; already written messages may still arrive.
 */
export async function publishBatch(
  slot: ChannelSlot<ConfirmChannel>,
  messages: readonly WireMessage[],
  route: Route,
  signal?: AbortSignal,
): Promise<void> {
  let channel = slot.opened;
  if (channel === undefined) {
    try {
      channel = await slot.get();
    } catch (error) {
      throw mapError(error, { action: route.action, url: route.url });
    }
  }
  // Build every publish option first: a header AMQP cannot carry rejects the batch before anything is sent.
  const prepared = messages.map((message) => toPublishOptions(message));
  let remaining = messages.length;
  let failure: unknown;
  let settle: (error?: unknown) => void = () => undefined;
  const confirmed = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  const onConfirm = (error: unknown) => {
    if (error && failure === undefined) failure = error;
    if (--remaining === 0) settle(failure);
  };
  for (let index = 0; index < messages.length; index++) {
    if (failure !== undefined) break;
    let writable: boolean;
    try {
      writable = publishConfirmed(
        channel,
        route.exchange,
        route.routingKey,
        asBuffer(messages[index]!.body),
        prepared[index]!,
        onConfirm,
      );
    } catch (error) {
      // The channel closed under us (IllegalOperationError) or the frame could not be encoded.
      failure ??= error;
      remaining -= messages.length - index;
      if (remaining === 0) settle(failure);
      break;
    }
    if (!writable && index < messages.length - 1) {
      await untilAborted(slot.waitForDrain(channel), signal);
      if (signal?.aborted) {
        failure ??= unavailable(route.action, 'the channel stayed congested until the send timed out');
        remaining -= messages.length - index - 1;
        if (remaining === 0) settle(failure);
        break;
      }
    }
  }
  try {
    await confirmed;
  } catch (error) {
    throw mapError(error, { action: route.action, url: route.url });
  }
}

/** Resolves when `promise` settles or `signal` aborts, whichever comes first. */
function untilAborted(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    promise.then(done, done);
  });
}

/**
 * Publishes a request to `queue` on its inbox's channel — direct reply-to needs the channel that consumes
 * `amq.rabbitmq.reply-to` — with `reply_to: amq.rabbitmq.reply-to` and without a publisher confirm: a
 * request's outcome is its reply, so a request the broker does not take ends in the requester's TIMEOUT, as
 * a lost reply does (replies are unconfirmed too). Resolves once the frames are in the connection's write
 * queue; rejects with the mapped error when the channel is closed or a field cannot be encoded.
 */
export async function publishRequest(
  slot: ChannelSlot<Channel>,
  message: WireMessage,
  queue: string,
  where: { readonly action: string; readonly url: string },
): Promise<void> {
  try {
    const channel = slot.opened ?? (await slot.get());
    publishUnconfirmed(
      channel,
      '',
      queue,
      asBuffer(message.body),
      toPublishOptions(message, DIRECT_REPLY_TO),
    );
  } catch (error) {
    throw mapError(error, where);
  }
}
