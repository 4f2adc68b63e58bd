const resolved = Promise.resolve();

/**
 * Runs `callback` in a microtask. Cheaper than `queueMicrotask`, which wraps every callback in an
 * AsyncResource; `callback` must not throw (nothing would catch it).
 */
export function defer(callback: () => void): void {
  void resolved.then(callback);
}

/** One settled promise to return from methods that complete synchronously. */
export const RESOLVED: Promise<void> = resolved;
