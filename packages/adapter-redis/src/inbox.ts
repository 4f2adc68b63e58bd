import { randomUUID } from 'node:crypto';
import type { Inbox, InboxMessage } from '@switchboard/core';
import { decodeFields } from './codec.js';
import { type Client, whenReady } from './connection.js';
import type { ErrorContext } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { type OpenWindows, ReadWindow } from './read-window.js';
import { yieldToIo } from './reader.js';
import { itemsOfRead, lastIdOf } from './replies.js';

/** A crashed bus's inbox disappears this long after its last refresh. */
const INBOX_TTL_MS = 3_600_000;
const REFRESH_MS = 600_000;

/** The key of a new inbox stream. */
export function newInboxKey(prefix: string): string {
  return `${prefix}inbox:{${randomUUID()}}`;
}

/** True when `address` has the shape of an inbox key of this prefix. */
export function isInboxKey(prefix: string, address: string): boolean {
  return address.startsWith(`${prefix}inbox:{`) && address.endsWith('}');
}

/**
 * A per-bus reply stream: created empty on open (with an expiry refreshed while it lives, so a crashed
 * bus leaves nothing for long), read with blocking XREAD on its own connection, deleted on close.
 * Replies are added with `XADD … NOMKSTREAM`, so only while the stream exists. Between two reads the
 * connection's {@link ReadWindow} is open: the next request, sent as the reply is handed out, leaves in
 * one write with the next XREAD.
 */
export class StreamInbox implements Inbox {
  readonly address: string;
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly window: ReadWindow;

  constructor(
    private readonly client: Client,
    private readonly reader: Client,
    windows: OpenWindows,
    private readonly options: ResolvedOptions,
    private readonly onMessage: (message: InboxMessage) => void,
    private readonly onClosed: () => void,
  ) {
    this.address = newInboxKey(options.keyPrefix);
    this.window = new ReadWindow(reader, windows);
  }

  async start(): Promise<void> {
    await this.client.call('XGROUP', 'CREATE', this.address, 'sb-inbox', '$', 'MKSTREAM');
    await this.client.call('PEXPIRE', this.address, INBOX_TTL_MS);
    this.done = this.run();
  }

  private async run(): Promise<void> {
    const context: ErrorContext = { action: 'read replies', key: this.address, url: this.options.displayUrl };
    let lastId = '0-0';
    let refreshedAt = Date.now();
    while (!this.stopped) {
      try {
        if (this.reader.status !== 'ready') {
          this.window.close();
          await whenReady(this.reader, context);
        }
        const reading = this.reader.callBuffer(
          'XREAD',
          'COUNT',
          100,
          'BLOCK',
          this.options.blockMs,
          'STREAMS',
          this.address,
          lastId,
        );
        this.window.close();
        const items = itemsOfRead(await reading);
        if (this.stopped) break;
        this.window.open();
        lastId = lastIdOf(items) ?? lastId;
        for (const [, fields] of items) {
          if (this.stopped || !fields) continue;
          const decoded = decodeFields(fields);
          this.onMessage({ body: decoded.body, headers: decoded.headers });
        }
        // The requester's next request is issued first, and leaves with the next read (see ReadLoop).
        if (items.length > 0) await yieldToIo();
        if (Date.now() - refreshedAt > REFRESH_MS) {
          refreshedAt = Date.now();
          this.window.close();
          await this.client.call('PEXPIRE', this.address, INBOX_TTL_MS);
        }
      } catch {
        this.window.close();
        if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      await this.window.drain();
      this.reader.disconnect();
      await this.done;
      await this.client.call('DEL', this.address).catch(() => undefined);
      this.onClosed();
    })();
    return this.closing;
  }
}
