import type { Reader } from './connection.js';
import { LeanConnection } from './lean-connection.js';

/** The read windows of one transport that are open now: where a send or a reply can ride along with a read. */
export class OpenWindows {
  private readonly open = new Set<ReadWindow>();

  /** Adds `window` (called by the window itself when it opens). */
  add(window: ReadWindow): void {
    this.open.add(window);
  }

  /** Removes `window` (called by the window itself when it closes). */
  delete(window: ReadWindow): void {
    this.open.delete(window);
  }

  /**
   * Issues `command` on the connection of an open window: written at once when it is the window's first
   * rider, else right before the window's next read, which follows in this event-loop turn (see
   * {@link ReadWindow.send}). Returns undefined when no window is open.
   */
  ride<T>(command: (connection: LeanConnection) => Promise<T>): Promise<T> | undefined {
    for (const window of this.open) return window.send(command, true);
    return undefined;
  }
}

/** What {@link ReadWindow.settle} returns when a rider came before it was called. */
const RIDDEN: Promise<void> = Promise.resolve();

/** Resolves after the current event-loop turn's callbacks and microtasks (setImmediate). */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The time between two blocking reads of a reading connection: the last read returned, the next is not
 * written yet, so the connection is idle. While the window is open the connection is corked, and commands
 * issued on the connection then leave in the same write as the next read, which is written before the
 * window closes: one syscall instead of one each, and their replies come back in order, ahead of the
 * read's. A command never waits behind a blocking read: the window is closed while one is in flight.
 *
 * Two kinds of commands use it: the subscription's own acks (see AckBatcher), issued right before the
 * next read; and, through {@link OpenWindows}, a lone send or a reply issued while the window is open
 * (a responder's reply to the request just read; a request a handler sends). Such a rider ends
 * the reader's wait ({@link settle}): the first rider is written at once, later ones right before the next
 * read ({@link flushRiders}), and the read with the acks right after them, not at the end of the event-loop
 * turn, so a rider never waits for other I/O.
 *
 * Only standalone connections (LeanConnection) open windows; on a cluster connection {@link open} does nothing.
 */
export class ReadWindow {
  private isOpen = false;
  /**
   * The last command sent through the window. A connection answers its commands in order (and fails them
   * in order when it drops), so once this one settled, every earlier one did.
   */
  private last: Promise<unknown> | undefined;
  /** Ends the reader's current {@link settle} early; set while it waits. */
  private wake: (() => void) | undefined;
  /**
   * A rider came while the window was open and before the reader called {@link settle} (the deliveries
   * it hands out run synchronously: a synchronous responder replies before its reader waits).
   */
  private ridden = false;

  constructor(
    private readonly reader: Reader,
    /** The transport's open windows, where sends and replies look for a ride; none: acks only. */
    private readonly windows?: OpenWindows,
  ) {}

  /** Opens the window when the connection is ready (call it when a read returned). */
  open(): void {
    const reader = this.reader;
    if (this.isOpen || !(reader instanceof LeanConnection) || reader.status !== 'ready') return;
    reader.cork();
    this.isOpen = true;
    this.ridden = false;
    this.windows?.add(this);
  }

  /** Closes the window, writing what was issued meanwhile (call it right after writing the next read). */
  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.windows?.delete(this);
    (this.reader as LeanConnection).uncork();
  }

  /**
   * Resolves when the reader should write its next read: after the current event-loop turn (so the acks
   * and sends its deliveries start go with it), or as soon as a send or a reply rides along — after the
   * microtasks queued so far when one already did (a synchronous responder replies before its reader waits).
   */
  settle(): Promise<void> {
    if (!this.isOpen) return yieldToIo();
    if (this.ridden) return RIDDEN;
    return new Promise((resolve) => {
      const done = () => {
        this.wake = undefined;
        clearImmediate(immediate);
        resolve();
      };
      const immediate = setImmediate(done);
      this.wake = done;
    });
  }

  /**
   * Writes the sends and replies that rode along since the window opened and are not written yet, ahead of
   * the next read (call it right before writing the read). The window stays open.
   */
  flushRiders(): void {
    if (this.isOpen && this.ridden) this.writeCorked();
  }

  /** Writes what the connection collected so far and goes on collecting. */
  private writeCorked(): void {
    const connection = this.reader as LeanConnection;
    connection.uncork();
    connection.cork();
  }

  /**
   * Issues `command` on the reading connection while the window is open; undefined when it is closed.
   * With `wake` (a lone send, a reply), the reader's wait ends and the command is written at once when it is
   * the window's first such rider, else right before the next read, in this turn.
   */
  send<T>(command: (connection: LeanConnection) => Promise<T>, wake = false): Promise<T> | undefined {
    if (!this.isOpen) return undefined;
    const call = command(this.reader as LeanConnection);
    this.last = call;
    if (wake) {
      // The first rider of a window is written at once, ahead of the next read and the acks: a reply then
      // leaves before Redis has a read to process, and its requester's round trip is ~5–10 % shorter, for one
      // write more per window with riders. Riders that come after it go with the read.
      if (!this.ridden) this.writeCorked();
      this.ridden = true;
      this.wake?.();
    }
    return call;
  }

  /**
   * Closes the window and resolves once every command sent through it has its reply (they are answered
   * before any read that follows them), so disconnecting the reader afterwards cannot fail them.
   */
  async drain(): Promise<void> {
    this.close();
    await this.last?.catch(() => undefined);
  }
}
