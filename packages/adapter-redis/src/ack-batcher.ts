import type { Client } from './connection.js';
import { type ErrorContext, mapError } from './errors.js';

/** Most ids in one XACK. */
const MAX_IDS = 1000;
const DONE: Promise<void> = Promise.resolve();

interface Batch {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Collects acknowledgements and sends them as one `XACK stream group id…` per event-loop turn (at most
 * 1,000 ids a call), instead of one round trip per message. With `confirm`, every ack of one XACK shares
 * one promise that resolves once that XACK returned (an ack costs an array slot, not a promise of its
 * own); without, `add` resolves at once and a failed XACK leaves its entries pending for redelivery.
 */
export class AckBatcher {
  private ids: string[] = [];
  private batch: Batch | undefined;
  private scheduled: NodeJS.Immediate | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    /** The connection acks go on: not the one sends use, so an XACK never queues behind their scripts. */
    private readonly client: Client,
    private readonly stream: string,
    private readonly group: string,
    private readonly context: ErrorContext,
    private readonly confirm: boolean,
  ) {}

  add(id: string): Promise<void> {
    if (this.ids.length >= MAX_IDS) this.send();
    this.ids.push(id);
    this.scheduled ??= setImmediate(() => this.send());
    if (!this.confirm) return DONE;
    this.batch ??= newBatch();
    return this.batch.promise;
  }

  /** Sends what is collected and resolves once every XACK sent so far returned (failures included). */
  async flush(): Promise<void> {
    this.send();
    await Promise.all(this.inFlight);
  }

  private send(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    const batch = this.batch;
    const ids = this.ids;
    if (ids.length === 0) return;
    this.batch = undefined;
    this.ids = [];
    const call = this.client.call('XACK', this.stream, this.group, ...ids).then(
      () => batch?.resolve(),
      (error: unknown) =>
        batch?.reject(mapError(error, { ...this.context, action: `ack ${ids.length} message(s)` })),
    );
    this.inFlight.add(call);
    void call.finally(() => this.inFlight.delete(call));
  }
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
