import type { Client } from './connection.js';
import { type ErrorContext, mapError } from './errors.js';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Collects acknowledgements and sends them as one `XACK stream group id…` per event-loop turn (at most
 * 1,000 ids a call), instead of one round trip per message. Each `add` resolves once its XACK returned.
 */
export class AckBatcher {
  private ids: string[] = [];
  private waiters: Waiter[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly stream: string,
    private readonly group: string,
    private readonly context: ErrorContext,
  ) {}

  add(id: string): Promise<void> {
    this.ids.push(id);
    this.scheduled ??= setImmediate(() => this.send());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Sends what is collected and resolves once every XACK sent so far returned (failures included). */
  async flush(): Promise<void> {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.send();
    }
    await Promise.all(this.inFlight);
  }

  private send(): void {
    this.scheduled = undefined;
    while (this.ids.length > 0) {
      const ids = this.ids.splice(0, 1000);
      const waiters = this.waiters.splice(0, ids.length);
      const call = this.client.call('XACK', this.stream, this.group, ...ids).then(
        () => {
          for (const waiter of waiters) waiter.resolve();
        },
        (error: unknown) => {
          const mapped = mapError(error, { ...this.context, action: `ack ${ids.length} message(s)` });
          for (const waiter of waiters) waiter.reject(mapped);
        },
      );
      this.inFlight.add(call);
      void call.finally(() => this.inFlight.delete(call));
    }
  }
}
