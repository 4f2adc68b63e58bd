import { Redis } from 'ioredis';
import type { Client } from './connection.js';

/**
 * The time between two blocking reads of a reading connection: the last read returned, the next is not
 * written yet, so the connection is idle. While the window is open the socket is corked, and commands
 * issued on the connection then (the acks of the entries just read) leave in the same write as the next
 * read, which is written before the window closes: one syscall instead of one each, and
 * the replies come back in order, ahead of the read's. A command never waits behind a blocking read: the
 * window is closed while one is in flight. Only the subscription's own acks use it (see AckBatcher): a
 * send or a reply never rides along, since it would then wait for the reader's next read to be written.
 *
 * Only standalone connections open windows; on a cluster connection {@link open} does nothing.
 */
export class ReadWindow {
  private isOpen = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly reader: Client) {}

  /** Opens the window when the connection is ready (call it when a read returned). */
  open(): void {
    const reader = this.reader;
    if (this.isOpen || !(reader instanceof Redis) || reader.status !== 'ready') return;
    reader.stream.cork();
    this.isOpen = true;
  }

  /** Closes the window, writing what was issued meanwhile (call it right after writing the next read). */
  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    (this.reader as Redis).stream.uncork();
  }

  /** Issues `command` on the reading connection while the window is open; undefined when it is closed. */
  send<T>(command: (connection: Redis) => Promise<T>): Promise<T> | undefined {
    if (!this.isOpen) return undefined;
    const call = command(this.reader as Redis);
    this.inFlight.add(call);
    const forget = () => this.inFlight.delete(call);
    call.then(forget, forget);
    return call;
  }

  /**
   * Closes the window and resolves once every command sent through it has its reply (they are answered
   * before any read that follows them), so disconnecting the reader afterwards cannot fail them.
   */
  async drain(): Promise<void> {
    this.close();
    await Promise.allSettled(this.inFlight);
  }
}
