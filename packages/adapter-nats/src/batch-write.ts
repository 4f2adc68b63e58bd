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

interface ProtocolInternals {
  sendCommand?: (command: Uint8Array) => void;
  noMorePublishing?: boolean;
  outMsgs?: number;
  outBytes?: number;
}

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
  const chunk = encodeBatch(subject, messages, maxPayload, what, replyOf);
  let payload = 0;
  for (const message of messages) payload += message.body.length;
  protocol.sendCommand(chunk);
  protocol.outMsgs = (protocol.outMsgs ?? 0) + messages.length;
  protocol.outBytes = (protocol.outBytes ?? 0) + payload;
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
