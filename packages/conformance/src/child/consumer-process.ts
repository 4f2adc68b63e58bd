/**
 * The child process behind `ScenarioContext.killableConsumer` (C45): connects to the broker URL with
 * `connect()`, receives from a queue, completes the first `ackFirst` messages and then holds every further
 * one without settling it, reporting each id to the parent over IPC until the parent kills it with SIGKILL.
 *
 * argv: <url> <queue> <ackFirst> <concurrency>
 */
import { connect } from '@switchboard/core';

const [url, queue, ackFirstArg, concurrencyArg] = process.argv.slice(2);
const send = (message: { type: 'ready' | 'completed' | 'held' | 'error'; id?: string; error?: string }) =>
  process.send?.(message);

async function main(): Promise<void> {
  if (!url || !queue) throw new Error('usage: consumer-process <url> <queue> <ackFirst> <concurrency>');
  const ackFirst = Number(ackFirstArg);
  const concurrency = Number(concurrencyArg);
  const bus = await connect(url);
  let completed = 0;
  await bus.receive(
    queue,
    async (message) => {
      if (completed < ackFirst) {
        completed++;
        send({ type: 'completed', id: message.id });
        return;
      }
      send({ type: 'held', id: message.id });
      await new Promise<never>(() => undefined);
    },
    { concurrency, prefetch: concurrency, maxAttempts: 1000 },
  );
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'error', error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
});
