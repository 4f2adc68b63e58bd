import { countdown } from '../harness/payload.js';

/**
 * Calls `send(i)` for i in [0, n) with at most `window` unsettled at once, as an application with many
 * concurrent producers would, and resolves when all settled; rejects with the first failure. The loop
 * resumes once half the window has drained, so its own wake-ups cost little per message.
 */
export async function sendWindowed(
  n: number,
  window: number,
  send: (i: number) => Promise<unknown>,
): Promise<void> {
  let inflight = 0;
  let wake: (() => void) | undefined;
  let failure: unknown;
  const settled = countdown(n);
  for (let i = 0; i < n; i++) {
    while (inflight >= window) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
    inflight++;
    send(i)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        inflight--;
        settled.tick();
        if (inflight <= window / 2 && wake) {
          wake();
          wake = undefined;
        }
      });
  }
  await settled.done;
  if (failure) throw failure;
}
