import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AssertionError } from './assert.js';
import type { KillableConsumer, KillableConsumerOptions } from './types.js';
import { Signal, waitFor } from './wait.js';

interface ChildMessage {
  readonly type: 'ready' | 'completed' | 'held' | 'error';
  readonly id?: string;
  readonly error?: string;
}

/**
 * Starts `child/consumer-process.js` consuming `queue` on the broker at `url` and resolves once its receiver
 * is live. The child must be able to `connect(url)`: the adapter package is resolved next to
 * `@switchboard/core` or from the current directory.
 */
export async function startKillableConsumer(
  url: string,
  queue: string,
  options: KillableConsumerOptions,
): Promise<KillableConsumer> {
  const script = fileURLToPath(new URL('./child/consumer-process.js', import.meta.url));
  const child = fork(script, [url, queue, String(options.ackFirst), String(options.concurrency)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const completed = new Set<string>();
  const held = new Set<string>();
  const changed = new Signal();
  let ready = false;
  let failure: string | undefined;
  let exited = false;
  child.on('message', (raw) => {
    const message = raw as ChildMessage;
    if (message.type === 'ready') ready = true;
    else if (message.type === 'completed' && message.id) completed.add(message.id);
    else if (message.type === 'held' && message.id) held.add(message.id);
    else if (message.type === 'error') failure = message.error ?? 'unknown error';
    changed.notify();
  });
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      changed.notify();
      resolve();
    }),
  );
  const check = (predicate: () => boolean) => () => {
    if (failure !== undefined) throw new AssertionError(`the consumer process failed: ${failure}`);
    return predicate();
  };
  await waitFor(
    check(() => ready || exited),
    { timeoutMs: 30_000, what: 'the consumer process to subscribe', signal: changed },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  if (!ready) throw new AssertionError('the consumer process exited before it subscribed');
  return {
    completed,
    held,
    waitUntil: (predicate, what, timeoutMs) =>
      waitFor(check(predicate), { timeoutMs, what: `the consumer process: ${what}`, signal: changed }),
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
  };
}
