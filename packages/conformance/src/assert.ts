/**
 * A tiny assertion library for the scenarios. It has no test-runner dependency, so the scenarios run under
 * vitest and from a CLI alike. Every helper throws an {@link AssertionError} with a message that says what
 * was expected, what happened and (where given) what was being checked.
 */
import { ERROR_CODES, type ErrorCode, MessagingError } from '@switchboard/core';

/** A failed conformance assertion. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Throws when `condition` is false. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Throws unconditionally (for branches that must not be reached). */
export function fail(message: string): never {
  throw new AssertionError(message);
}

/** Short, readable rendering of a value for failure messages. */
export function show(value: unknown, max = 300): string {
  let text: string;
  if (value instanceof Uint8Array)
    text = `Uint8Array(${value.length})[${[...value.slice(0, 16)].join(',')}${value.length > 16 ? ',…' : ''}]`;
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'string') text = JSON.stringify(value);
  else {
    try {
      text =
        JSON.stringify(value, (_k, v: unknown) =>
          v instanceof Uint8Array ? `Uint8Array(${v.length})` : v,
        ) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Structural equality: primitives by `Object.is`, arrays and plain objects by keys, Uint8Arrays byte by byte. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  const ra = a as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}

/** Throws unless `actual` deep-equals `expected`. */
export function assertEqual(actual: unknown, expected: unknown, what: string): void {
  if (!deepEqual(actual, expected)) {
    throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/**
 * Set equality of ids: every expected id arrived and nothing else did. With `exact`, each arrived once;
 * without it duplicates are allowed (at-least-once).
 */
export function assertSetEqual(
  actual: Iterable<string>,
  expected: Iterable<string>,
  what: string,
  options: { exact?: boolean } = {},
): void {
  const want = new Set(expected);
  const counts = new Map<string, number>();
  for (const id of actual) counts.set(id, (counts.get(id) ?? 0) + 1);
  const missing = [...want].filter((id) => !counts.has(id));
  const extra = [...counts.keys()].filter((id) => !want.has(id));
  const duplicated = options.exact ? [...counts].filter(([, n]) => n > 1).map(([id]) => id) : [];
  if (missing.length || extra.length || duplicated.length) {
    const parts = [
      missing.length ? `${missing.length} missing (e.g. ${show(missing.slice(0, 5))})` : '',
      extra.length ? `${extra.length} unexpected (e.g. ${show(extra.slice(0, 5))})` : '',
      duplicated.length
        ? `${duplicated.length} delivered more than once (e.g. ${show(duplicated.slice(0, 5))})`
        : '',
    ].filter(Boolean);
    throw new AssertionError(`${what}: expected ${want.size} ids, ${parts.join(', ')}`);
  }
}

/** Whether an error code is retryable by default (the table the suite checks `retryable` against). */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set(['UNAVAILABLE', 'TIMEOUT', 'NO_RESPONDERS']);

/**
 * Checks that `error` is a MessagingError whose code is one of `codes`, whose code belongs to the fixed set
 * and whose `retryable` flag matches the code (C49). Returns it.
 */
export function assertMessagingError(
  error: unknown,
  codes: ErrorCode | readonly ErrorCode[],
  what: string,
): MessagingError {
  const allowed = typeof codes === 'string' ? [codes] : codes;
  if (!(error instanceof MessagingError)) {
    throw new AssertionError(
      `${what}: expected a MessagingError ${allowed.join(' or ')}, got ${error instanceof Error ? `${error.name}: ${error.message}` : show(error)}`,
    );
  }
  if (!ERROR_CODES.includes(error.code)) {
    throw new AssertionError(`${what}: error code ${show(error.code)} is not in the fixed set (C49)`);
  }
  if (!allowed.includes(error.code)) {
    throw new AssertionError(
      `${what}: expected code ${allowed.join(' or ')}, got ${error.code}: ${error.message}`,
    );
  }
  const retryable = RETRYABLE_CODES.has(error.code);
  if (error.retryable !== retryable) {
    throw new AssertionError(
      `${what}: ${error.code} should have retryable=${retryable}, got ${error.retryable} (C49)`,
    );
  }
  return error;
}

/** Awaits `action` (a promise or a function that may throw synchronously) and checks it fails with one of `codes`. */
export async function rejects(
  action: Promise<unknown> | (() => unknown),
  codes: ErrorCode | readonly ErrorCode[],
  what: string,
): Promise<MessagingError> {
  let outcome: unknown;
  try {
    outcome = await (typeof action === 'function' ? action() : action);
  } catch (error) {
    return assertMessagingError(error, codes, what);
  }
  throw new AssertionError(
    `${what}: expected a rejection with ${typeof codes === 'string' ? codes : codes.join(' or ')}, but it resolved with ${show(outcome)}`,
  );
}
