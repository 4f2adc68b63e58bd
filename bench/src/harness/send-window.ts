/**
 * Calls `send(i)` for i in [0, n) with at most `window` unsettled at once, as an application with many
 * concurrent producers would, and resolves when all settled; rejects with the first failure once the sends
 * already issued have settled (no new ones start after it). Refills once half the window has drained.
 *
 * Written to cost the measured code as little as possible: one `.then` per send with shared callbacks
 * (no closure, `.catch` or `.finally` chain per message), so what is measured is the sender, not this loop.
 */
export function sendWindowed(
  n: number,
  window: number,
  send: (i: number) => Promise<unknown>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let issued = 0;
    let settled = 0;
    let inflight = 0;
    let failed = false;
    let failure: unknown;
    const fill = (): void => {
      while (!failed && issued < n && inflight < window) {
        inflight++;
        let sent: Promise<unknown>;
        try {
          sent = send(issued++);
        } catch (error) {
          sent = Promise.reject(error);
        }
        sent.then(onSettled, onFailed);
      }
    };
    const onSettled = (): void => {
      inflight--;
      settled++;
      if (settled === issued && (failed || issued === n)) {
        if (failed) reject(failure);
        else resolve();
      } else if (inflight <= window / 2) fill();
    };
    const onFailed = (error: unknown): void => {
      if (!failed) {
        failed = true;
        failure = error;
      }
      onSettled();
    };
    if (n <= 0) resolve();
    else fill();
  });
}
