import { createInbox } from '@nats-io/transport-node';
import type { Inbox, InboxMessage, WireMessage } from '@switchboard/core';
import { writeBatch } from './batch-write.js';
import type { Connection } from './connection.js';
import { mapError } from './errors.js';
import { headersOf, headersOfBytes } from './header-block.js';

/**
 * Opens a reply inbox: a core subscription on a fresh `_INBOX.<nuid>` subject, live once the server has
 * seen the SUB (a flush). It stays in `open` until closed, so the transport can close what is left.
 */
export async function openReplyInbox(
  connection: Connection,
  open: Set<Inbox>,
  onMessage: (message: InboxMessage) => void,
): Promise<Inbox> {
  const address = createInbox();
  const sub = connection.nc.subscribe(address, {
    callback: (error, msg) => {
      if (!error) onMessage({ body: msg.data, headers: headersOf(msg) });
    },
  });
  connection.reader?.route(sub, (bytes, headerLength) =>
    onMessage({ body: bytes.subarray(headerLength), headers: headersOfBytes(bytes, headerLength) }),
  );
  await connection.nc.flush().catch((error: unknown) => {
    throw mapError(error, 'open a reply inbox');
  });
  const inbox: Inbox = {
    address,
    async close() {
      if (open.delete(inbox)) sub.unsubscribe();
    },
  };
  open.add(inbox);
  return inbox;
}

/** Publishes a reply to an inbox address (core NATS, not confirmed: a reply to a gone inbox is dropped). */
export async function sendReply(
  connection: Connection,
  address: string,
  message: WireMessage,
): Promise<void> {
  if (!connection.connected) await connection.whenConnected(undefined, `reply to ${address}`);
  try {
    writeBatch(connection.nc, address, [message], `reply to ${address}`);
  } catch (error) {
    throw mapError(error, `reply to ${address}`);
  }
}
