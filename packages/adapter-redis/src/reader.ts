import type { Client } from './connection.js';
import { whenReady } from './connection.js';
import { type ErrorContext, mapError } from './errors.js';
import type { Intake } from './intake.js';
import type { ResolvedOptions } from './options.js';

/** Resolves after the current event-loop turn's callbacks and microtasks (setImmediate). */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A loop of blocking reads on a dedicated connection. `read(count)` issues one blocking read of at most
 * `count` entries and hands them to the intake; the loop waits for capacity before each read and for
 * the connection after a failure. `stop()` disconnects the reading connection, which ends a read that
 * is blocked at once; entries the server handed out but nobody received stay pending at the broker.
 */
export class ReadLoop {
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  private pause: (() => void) | undefined;

  constructor(
    private readonly reader: Client,
    private readonly intake: Intake,
    private readonly options: ResolvedOptions,
    private readonly context: ErrorContext,
    private readonly read: (reader: Client, count: number) => Promise<void>,
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
        await this.intake.whenFree();
        continue;
      }
      try {
        await whenReady(this.reader, this.context);
        await this.read(this.reader, Math.min(free, this.options.batchSize));
        // Let the work the entries started (handlers, their replies, sends and acks) write first: the
        // next blocking read is not urgent, and under load every socket write is a costly syscall.
        await yieldToIo();
      } catch (error) {
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
    this.reader.disconnect();
    return this.done;
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
