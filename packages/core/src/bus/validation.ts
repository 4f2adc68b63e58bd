import { MessagingError } from '../errors.js';
import { isReservedHeader } from '../wire/reserved-headers.js';

const NAME_PATTERN = /^[A-Za-z0-9._\-:/]+$/;
const PATTERN_WITH_WILDCARDS = /^[A-Za-z0-9._\-:/*#>]+$/;
const MAX_NAME = 200;
/** Longest header key accepted. */
export const MAX_HEADER_KEY = 256;

function invalid(message: string): MessagingError {
  return new MessagingError('INVALID_ARGUMENT', message, { component: 'bus' });
}

const validNames = new Set<string>();

/** Checks a queue, topic or group name; `wildcards` also allows `*`, `#` and `>`. */
export function checkName(what: string, name: unknown, wildcards = false): string {
  if (!wildcards && validNames.has(name as string)) return name as string;
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid(`${what} must be a non-empty string, got ${name === '' ? 'an empty string' : typeof name}`);
  }
  if (name.length > MAX_NAME)
    throw invalid(`${what} "${name.slice(0, 40)}…" is longer than ${MAX_NAME} characters`);
  const pattern = wildcards ? PATTERN_WITH_WILDCARDS : NAME_PATTERN;
  if (!pattern.test(name)) {
    throw invalid(
      `${what} "${name}" may only contain letters, digits and . _ - : /${wildcards ? ' * # >' : ''}`,
    );
  }
  return name;
}

/** Checks user headers: string keys up to 256 chars without the reserved prefix, string values. */
export function checkHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    throw invalid('headers must be an object of string keys to string values');
  }
  const record = headers as Record<string, unknown>;
  for (const key in record) {
    if (key.length === 0 || key.length > MAX_HEADER_KEY) {
      throw invalid(`header key "${key.slice(0, 40)}" must have 1 to ${MAX_HEADER_KEY} characters`);
    }
    if (isReservedHeader(key))
      throw invalid(`header "${key}" uses the reserved prefix "sb-"; choose another name`);
    const value = record[key];
    if (typeof value !== 'string') {
      throw invalid(
        `header "${key}" must be a string, got ${value === null ? 'null' : typeof value}; convert it with String()`,
      );
    }
  }
  return record as Record<string, string>;
}

/** Checks an optional number option: finite and within [min, max]. */
export function checkNumber(
  what: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(`${what} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Checks an optional integer option. */
export function checkInteger(
  what: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const checked = checkNumber(what, value, min, max);
  if (checked !== undefined && !Number.isInteger(checked))
    throw invalid(`${what} must be a whole number, got ${checked}`);
  return checked;
}

/** Checks an optional string option (non-empty, ≤ 256 chars). */
export function checkString(what: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw invalid(`${what} must be a string of 1 to 256 characters`);
  }
  return value;
}
