/**
 * Writes a batch of messages to the connection as one chunk of `HPUB` commands, byte for byte what
 * `nc.publish` would write for each (`HPUB <subject> [reply] <header bytes> <total bytes>␍␊<headers><body>␍␊`).
 * Per message, `nc.publish` encodes its command line with a TextEncoder, allocates the header block and the
 * line as separate buffers and later copies them together; that was the largest share of a core-NATS send.
 *
 * Relies on one client internal, pinned by the exact @nats-io version in package.json: the connection's
 * `protocol.sendCommand(bytes)`, which appends bytes to the outbound buffer and schedules its write (the
 * path `nc.publish` ends in). Where it is missing, or the connection is closed or draining, each message goes
 * through `nc.publish` instead (which then throws the client's own error).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { WireMessage } from '@switchboard/core';
import { EncodedHeaders } from './header-block.js';

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
 * Publishes `messages` on `subject` with their header blocks `headers` (UTF-8 text, see header-block.ts, of
 * `headerLengths` bytes each) and,
 * when `replyOf` is given, the reply subject it returns for each index. Subjects must be valid NATS subjects
 * (the adapter's naming guarantees it); sizes must have been checked against `max_payload`.
 */
export function writeBatch(
  nc: NatsConnection,
  subject: string,
  messages: readonly WireMessage[],
  headers: readonly string[],
  headerLengths: readonly number[],
  replyOf?: (index: number) => string,
): void {
  const protocol = protocolOf(nc);
  if (typeof protocol?.sendCommand !== 'function' || protocol.noMorePublishing || nc.isClosed()) {
    publishEach(nc, subject, messages, headers, replyOf);
    return;
  }
  const count = messages.length;
  const lines: string[] = new Array(count);
  let size = 0;
  let payload = 0;
  for (let i = 0; i < count; i++) {
    const hlen = headerLengths[i]!;
    const total = hlen + messages[i]!.body.length;
    const reply = replyOf ? ` ${replyOf(i)}` : '';
    const line = `HPUB ${subject}${reply} ${hlen} ${total}\r\n`;
    lines[i] = line;
    size += Buffer.byteLength(line, 'utf8') + total + 2;
    payload += total;
  }
  const chunk = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < count; i++) {
    at += chunk.write(lines[i]!, at, 'utf8');
    at += chunk.write(headers[i]!, at, headerLengths[i]!, 'utf8');
    const body = messages[i]!.body;
    chunk.set(body, at);
    at += body.length;
    chunk[at++] = 13;
    chunk[at++] = 10;
  }
  protocol.sendCommand(chunk);
  protocol.outMsgs = (protocol.outMsgs ?? 0) + count;
  protocol.outBytes = (protocol.outBytes ?? 0) + payload;
}

function publishEach(
  nc: NatsConnection,
  subject: string,
  messages: readonly WireMessage[],
  headers: readonly string[],
  replyOf: ((index: number) => string) | undefined,
): void {
  for (let i = 0; i < messages.length; i++) {
    const block = new EncodedHeaders(Buffer.from(headers[i]!, 'utf8')).asMsgHdrs();
    nc.publish(
      subject,
      messages[i]!.body,
      replyOf ? { headers: block, reply: replyOf(i) } : { headers: block },
    );
  }
}

/** The UTF-8 byte length of each header block. */
export function byteLengths(headers: readonly string[]): number[] {
  return headers.map((text) => Buffer.byteLength(text, 'utf8'));
}
