import type { Client } from './connection.js';
import type { ErrorContext } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { delayedKey, scripts } from './scripts.js';

/** Entries one script call moves at most. */
const MOVE_LIMIT = 500;

/**
 * Moves delayed messages that are due from the stream's delay set into the stream, by an atomic script
 * (so any number of consumers may run it without moving one twice). It runs every
 * `schedulerIntervalMs`, sooner when the script reports that the next member is due earlier.
 */
export class DelayScheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly client: Client,
    private readonly stream: string,
    private readonly options: ResolvedOptions,
    readonly context: ErrorContext,
  ) {}

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    let next = this.options.schedulerIntervalMs;
    try {
      const [moved, dueIn] = await scripts(this.client).sbMoveDue(
        delayedKey(this.stream),
        this.stream,
        MOVE_LIMIT,
        this.options.maxLength,
      );
      if (moved >= MOVE_LIMIT) next = 0;
      else if (dueIn >= 0) next = Math.min(next, Math.max(1, dueIn));
    } catch {
      // Not connected, or a failing script: tried again on the next tick.
    }
    this.schedule(next);
  }
}
