/**
 * Writes a batch of messages to the connection as one chunk of `HPUB` commands (hpub-encoder.ts), byte for
 * byte what `nc.publish` would write for each with the header block of header-block.ts. Per message,
 * `nc.publish` encodes its command line with a TextEncoder, allocates the header block and the line as separate
 * buffers and later copies them together; that was the largest share of a core-NATS send.
 *
 * Relies on one client internal, pinned by the exact @nats-io version in package.json: the connection's
 * `protocol.sendCommand(bytes)`, which appends bytes to the outbound buffer and schedules its write (the
 * path `nc.publish` ends in). Where it is missing, or the connection is closed or draining, each message goes
 * through `nc.publish` instead (which then throws the client's own error).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { WireMessage } from '@switchboard/core';
import { EncodedHeaders, headerText } from './header-block.js';
import { encodeBatch } from './hpub-encoder.js';
import { checkSize } from './payload-size.js';

/** What the client's PONG handling resolves (and a lost connection rejects): its `deferred()`. */
interface PongWaiter extends Promise<void> {
  resolve(): void;
  reject(error: unknown): void;
}

interface ProtocolInternals {
  sendCommand?: (command: Uint8Array) => void;
  flushPending?: () => void;
  pongs?: PongWaiter[];
  noMorePublishing?: boolean;
  outMsgs?: number;
  outBytes?: number;
}

const PING = Buffer.from('PING\r\n', 'latin1');

function protocolOf(nc: NatsConnection): ProtocolInternals | undefined {
  return (nc as unknown as { protocol?: ProtocolInternals }).protocol;
}

/**
 * Publishes `messages` on `subject`, with, when `replyOf` is given, the reply subject it returns for each
 * index. Throws PAYLOAD_TOO_LARGE, before anything is written, when a message's body and header block exceed
 * the server's max_payload (`what` names the operation in the error). Subjects must be valid NATS subjects
 * (the adapter's naming guarantees it).
 */
export function writeBatch(
  nc: NatsConnection,
  subject: string,
  messages: readonly WireMessage[],
  what: string,
  replyOf?: (index: number) => string,
): void {
  const protocol = protocolOf(nc);
  const maxPayload = nc.info?.max_payload;
  if (typeof protocol?.sendCommand !== 'function' || protocol.noMorePublishing || nc.isClosed()) {
    publishEach(nc, subject, messages, maxPayload, what, replyOf);
    return;
  }
  send(protocol, encodeBatch(subject, messages, maxPayload, what, replyOf), messages);
}

/**
 * {@link writeBatch}, then a flush: resolves once the server has answered a PING written behind the messages
 * (it has read them all), rejects with the client's error when the connection is lost or closed first. The
 * PING goes out in the same chunk as the messages, so the client's outbound buffer holds one chunk and
 * hands it to the socket without copying it into a new buffer (as `nc.flush()` after `writeBatch` would: the
 * PING is a second chunk). Uses two more client internals than writeBatch, `protocol.pongs` (what each PONG
 * resolves, in order) and `protocol.flushPending()` (what `nc.flush()` calls); without them it is
 * `writeBatch` and `nc.flush()`.
 */
export function writeBatchAndFlush(
  nc: NatsConnection,
  subject: string,
  messages: readonly WireMessage[],
  what: string,
  replyOf?: (index: number) => string,
): Promise<void> {
  const protocol = protocolOf(nc);
  if (
    typeof protocol?.sendCommand !== 'function' ||
    typeof protocol.flushPending !== 'function' ||
    !Array.isArray(protocol.pongs) ||
    protocol.noMorePublishing ||
    nc.isClosed()
  ) {
    writeBatch(nc, subject, messages, what, replyOf);
    return nc.flush();
  }
  const chunk = encodeBatch(subject, messages, nc.info?.max_payload, what, replyOf, PING);
  const pong = pongWaiter();
  send(protocol, chunk, messages);
  protocol.pongs.push(pong);
  protocol.flushPending();
  return pong;
}

function send(protocol: ProtocolInternals, chunk: Uint8Array, messages: readonly WireMessage[]): void {
  let payload = 0;
  for (const message of messages) payload += message.body.length;
  protocol.sendCommand!(chunk);
  protocol.outMsgs = (protocol.outMsgs ?? 0) + messages.length;
  protocol.outBytes = (protocol.outBytes ?? 0) + payload;
}

function pongWaiter(): PongWaiter {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return Object.assign(promise, { resolve, reject });
}

function publishEach(
  nc: NatsConnection,
  subject: string,
  messages: readonly WireMessage[],
  maxPayload: number | undefined,
  what: string,
  replyOf: ((index: number) => string) | undefined,
): void {
  const blocks = messages.map((message) => Buffer.from(headerText(message), 'utf8'));
  for (let i = 0; i < messages.length; i++)
    checkSize(blocks[i]!.length + messages[i]!.body.length, maxPayload, what);
  for (let i = 0; i < messages.length; i++) {
    const headers = new EncodedHeaders(blocks[i]!).asMsgHdrs();
    nc.publish(subject, messages[i]!.body, replyOf ? { headers, reply: replyOf(i) } : { headers });
  }
}
