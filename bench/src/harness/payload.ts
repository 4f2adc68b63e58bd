import { performance } from 'node:perf_hooks';

/**
 * A body of `bytes` bytes (at least 8) whose first 8 bytes hold the send time (`performance.now()`,
 * float64 BE), so a consumer in the same process can compute latency with {@link latencySince}.
 */
export function makePayload(bytes: number, template?: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(Math.max(8, bytes));
  if (template) template.copy(buf, 8, 8);
  else buf.fill(0x61, 8);
  buf.writeDoubleBE(performance.now(), 0);
  return buf;
}

/** Milliseconds since the send time stamped in `body` by {@link makePayload}. */
export function latencySince(body: Uint8Array): number {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return performance.now() - view.getFloat64(0);
}

/** A run-unique name for the queue/stream/topic of one measurement. */
export function benchName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}

/** Resolves when `count()` reaches `n`; `tick` must be called after every increment. */
export function countdown(n: number): { tick(): void; done: Promise<void> } {
  let left = n;
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  if (n <= 0) resolve();
  return {
    tick() {
      left -= 1;
      if (left === 0) resolve();
    },
    done,
  };
}
