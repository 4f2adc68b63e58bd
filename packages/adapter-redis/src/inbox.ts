import { randomUUID } from 'node:crypto';
import type { Inbox, InboxMessage } from '@switchboard/core';
import { type Client, type Reader, whenReady } from './connection.js';
import type { ErrorContext } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { decodePacked } from './packing.js';
import { type OpenWindows, ReadWindow } from './read-window.js';
import { FixedCommand } from './resp-command.js';

/** A crashed bus's inbox disappears this long after its last refresh. */
export const INBOX_TTL_MS = 3_600_000;
const REFRESH_MS = 600_000;
/** Most replies one non-blocking pop takes. */
const POP_COUNT = 100;

/** The key of a new inbox: its marker, which exists while the inbox is open. */
export function newInboxKey(prefix: string): string {
  return `${prefix}inbox:{${randomUUID()}}`;
}

/** The list the replies to the inbox `address` are pushed on (same hash slot as the marker). */
export function replyListKey(address: string): string {
  return `${address}:replies`;
}

/** True when `address` has the shape of an inbox key of this prefix. */
export function isInboxKey(prefix: string, address: string): boolean {
  return address.startsWith(`${prefix}inbox:{`) && address.endsWith('}');
}

/**
 * A per-bus reply inbox: a marker key (the address) that exists while the inbox is open, with an expiry
 * refreshed while it lives, so a crashed bus leaves nothing for long; and a list the replies are pushed
 * on, each reply one packed value (see docs/wire-format/redis.md), by a script that pushes only while the
 * marker exists. Replies are read on the inbox's own connection, one blocking `BLMPOP … COUNT 100` at a
 * time (what piled up, or the next reply); a server older than 7.0, which lacks BLMPOP, gets a
 * non-blocking `RPOP … 100` and a blocking `BRPOP`, written together. A reply is one element to decode,
 * not one per field, which is what a request/reply round trip spends its client CPU on. While replies are
 * handed out the connection's read window is open (see ReadWindow): a request they lead to (the caller's
 * next one) is written on this connection, in one socket write with the next read, which then follows at
 * once; otherwise the next read is written at the end of the event-loop turn. Closing deletes the marker
 * and the list.
 */
export class ListInbox implements Inbox {
  readonly address: string;
  private readonly list: string;
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  /** False once the server said it has no BLMPOP (Redis < 7.0). */
  private lmpop = true;
  private refreshedAt = Date.now();
  /** The BLMPOP this inbox reads with, encoded once. */
  private popCommand: FixedCommand | undefined;
  /** Open while replies are handed out: a request they lead to rides along with the next read. */
  private readonly window: ReadWindow;

  constructor(
    private readonly client: Client,
    private readonly reader: Reader,
    windows: OpenWindows,
    private readonly options: ResolvedOptions,
    private readonly onMessage: (message: InboxMessage) => void,
    private readonly onClosed: () => void,
  ) {
    this.address = newInboxKey(options.keyPrefix);
    this.list = replyListKey(this.address);
    this.window = new ReadWindow(reader, windows);
  }

  async start(): Promise<void> {
    await this.client.call('SET', this.address, '1', 'PX', INBOX_TTL_MS);
    this.done = this.run();
  }

  private deliver(reply: Buffer): void {
    if (this.stopped) return;
    const decoded = decodePacked(reply);
    this.onMessage({ body: decoded.body, headers: decoded.headers });
  }

  /**
   * One read: writes it, closes the window, and when replies come back opens the window and hands them
   * out. Resolves with their number (0 when the block timed out).
   */
  private async read(blockSeconds: string): Promise<number> {
    const { reader, list, window } = this;
    if (this.lmpop) {
      this.popCommand ??= new FixedCommand(['BLMPOP', blockSeconds, 1, list, 'RIGHT', 'COUNT', POP_COUNT]);
      const popping = this.popCommand.send<[Buffer, Buffer[]] | null>(reader);
      window.close();
      const replies = (await popping)?.[1] ?? [];
      if (replies.length > 0) window.open();
      for (const reply of replies) this.deliver(reply);
      return replies.length;
    }
    const piled = reader.callBuffer('rpop', list, POP_COUNT) as Promise<Buffer[] | null>;
    const next = reader.callBuffer('brpop', list, blockSeconds) as Promise<[Buffer, Buffer] | null>;
    window.close();
    next.catch(() => undefined); // awaited below, unless the pop before it failed
    // What piled up is handed out at once, not after the blocking pop returns (the window stays closed:
    // the BRPOP is in flight).
    const replies = (await piled) ?? [];
    for (const reply of replies) this.deliver(reply);
    const popped = await next;
    if (popped) {
      window.open();
      this.deliver(popped[1]);
    }
    return replies.length + (popped ? 1 : 0);
  }

  /** Restarts the marker's expiry every REFRESH_MS (not awaited: the window may be open). */
  private refresh(): void {
    if (Date.now() - this.refreshedAt <= REFRESH_MS) return;
    this.refreshedAt = Date.now();
    this.client.call('PEXPIRE', this.address, INBOX_TTL_MS).catch(() => {
      this.refreshedAt = 0; // tried again on the next read
    });
  }

  private async run(): Promise<void> {
    const context: ErrorContext = { action: 'read replies', key: this.list, url: this.options.displayUrl };
    const blockSeconds = String(this.options.blockMs / 1000);
    while (!this.stopped) {
      try {
        if (this.reader.status !== 'ready') {
          this.window.close();
          await whenReady(this.reader, context);
        }
        this.refresh();
        const delivered = await this.read(blockSeconds);
        if (this.stopped) break;
        if (delivered > 0) await this.window.settle();
      } catch (error) {
        this.window.close();
        if (this.lmpop && /unknown command/i.test(String((error as Error)?.message))) {
          this.lmpop = false;
          continue;
        }
        if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    this.window.close();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      await this.window.drain(); // a send or a reply riding along gets its answer first
      this.reader.disconnect();
      await this.done;
      await this.client.call('DEL', this.address, this.list).catch(() => undefined);
      this.onClosed();
    })();
    return this.closing;
  }
}
