const resolved = Promise.resolve();

/**
 * Runs `callback` in a microtask. Cheaper than `queueMicrotask`, which wraps every callback in an
 * AsyncResource; `callback` must not throw (nothing would catch it).
 */
export function defer(callback: () => void): void {
  void resolved.then(callback);
}

/**
 * One settled promise to return from methods that complete synchronously. Exported to adapters as `SETTLED`:
 * a `Delivery.ack()` that returns it tells the bus the ack is done and cannot fail, so the handler's slot is
 * freed at once, with no promise turn per message.
 */
export const RESOLVED: Promise<void> = resolved;
