/**
 * Calls `onAbort` once when `signal` aborts (at once when it already has), unless the returned function, which
 * ends the watch, is called first. For adapters that wait on the bus's publish signals.
 *
 * Cheap per call: a signal gets one 'abort' listener, the first time it is watched, and keeps it for its
 * lifetime; watches are entries in that signal's set. The bus shares one signal between every publish that
 * starts within a deadline bucket, so publishes and requests one after another add and remove no listener each
 * (adding and removing one per request, with a promise around it, was a tenth of an adapter's cost per
 * request). An abort is noticed at once.
 */
export function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  if (signal.aborted) {
    onAbort();
    return NOTHING_TO_END;
  }
  let watchers = watched.get(signal);
  if (watchers === undefined) {
    const created = new Set<Watcher>();
    watchers = created;
    watched.set(signal, created);
    signal.addEventListener('abort', () => fire(created), { once: true });
  }
  const watcher = new Watcher(watchers, onAbort);
  watchers.add(watcher);
  return watcher.end;
}

/** The watches of each signal; an entry goes with its signal. */
const watched = new WeakMap<AbortSignal, Set<Watcher>>();

const NOTHING_TO_END = (): void => undefined;

class Watcher {
  constructor(
    private readonly watchers: Set<Watcher>,
    readonly onAbort: () => void,
  ) {}

  /** Ends the watch; a bound property, so that callers can hand it on without a closure of their own. */
  readonly end = (): void => {
    this.watchers.delete(this);
  };
}

function fire(watchers: Set<Watcher>): void {
  const aborted = [...watchers];
  watchers.clear();
  for (const watcher of aborted) watcher.onAbort();
}
