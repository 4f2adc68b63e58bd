import { type Reader, whenReady } from './connection.js';
import { type ErrorContext, mapError } from './errors.js';
import type { Intake } from './intake.js';
import type { ResolvedOptions } from './options.js';
import type { ReadWindow } from './read-window.js';

/**
 * A loop of blocking reads on a dedicated connection. `read(count)` writes one blocking read of at most
 * `count` entries (synchronously, before its first await) and resolves with the server's reply; the loop
 * then opens its {@link ReadWindow} (when it has one) and calls `deliver(reply)`, which hands the entries
 * to the intake, so the acks their handlers give at once ride along with the next read; a send or a reply
 * riding along is written at once, and the next read right after it (see ReadWindow). The loop waits for capacity before each
 * read and for the connection after a failure. `stop()` disconnects the reading connection, which ends a
 * read that is blocked at once; entries the server handed out but nobody received stay pending at the
 * broker.
 */
export class ReadLoop<R = unknown> {
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  private pause: (() => void) | undefined;

  constructor(
    private readonly reader: Reader,
    private readonly intake: Intake,
    private readonly options: ResolvedOptions,
    private readonly context: ErrorContext,
    /** Where the subscription's acks ride along with the next read; none for a subscription without acks. */
    private readonly window: ReadWindow | undefined,
    private readonly read: (reader: Reader, count: number) => Promise<R>,
    private readonly deliver: (reply: R) => void,
    /** Called with a failure that is not a lost connection; returns true when the loop should go on at once. */
    private readonly recover: (error: unknown) => Promise<boolean>,
  ) {}

  start(): void {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const free = this.intake.free;
      if (free <= 0) {
        this.window?.close();
        await this.intake.whenFree();
        continue;
      }
      try {
        if (this.reader.status !== 'ready') {
          this.window?.close();
          await whenReady(this.reader, this.context);
        }
        this.window?.flushRiders();
        const reading = this.read(this.reader, Math.min(free, this.options.batchSize));
        this.window?.close();
        const reply = await reading;
        if (this.stopped) break;
        this.window?.open();
        this.deliver(reply);
        // Let the acks the handlers give at once be issued first, so they leave in one write with the next
        // read: under load every socket write is a costly syscall. A send or a reply riding along ends
        // the wait at once.
        if (this.window) await this.window.settle();
      } catch (error) {
        this.window?.close();
        if (this.stopped) break;
        const mapped = mapError(error, this.context);
        if (mapped.code === 'UNAVAILABLE' || !(await this.recover(error).catch(() => false))) {
          await this.sleep(mapped.code === 'UNAVAILABLE' ? 100 : 1000);
        }
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.pause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends the loop; resolves once no read will hand out anything more. */
  async stop(): Promise<void> {
    if (this.stopped) return this.done;
    this.stopped = true;
    this.intake.stop();
    this.pause?.();
    await this.window?.drain();
    this.reader.disconnect();
    return this.done;
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
