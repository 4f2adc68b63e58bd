/**
 * The `sb` field of a stream entry (see docs/wire-format/redis.md): Switchboard writes its reserved headers
 * (`sb-id`, `sb-ts`, `sb-reply-to`, …) as one JSON object of strings in this field instead of one `h:<name>`
 * field each, so a request entry has 3 fields instead of 7: fewer strings for Redis to store and serve, and
 * for ioredis to parse. Raw clients may still write reserved headers as `h:sb-…` fields; a header given
 * both ways takes its `h:` value.
 */
export const RESERVED_FIELD = 'sb';

/** Why an entry whose `sb` field is not a JSON object of strings is not a Switchboard message. */
export const BAD_RESERVED_FIELD = 'the stream entry has an sb field that is not a JSON object of strings';

/** True for a reserved header name (`sb-…`), which travels in the `sb` field. */
export function isReservedName(name: string): boolean {
  return name.charCodeAt(0) === 0x73 && name.charCodeAt(1) === 0x62 && name.charCodeAt(2) === 0x2d;
}

/**
 * The `sb` field's value for `headers`: the JSON object of its reserved headers (in their order), or
 * undefined when it has none. The other headers travel as `h:<name>` fields. (Writing the JSON by hand,
 * member by member, was no cheaper than `JSON.stringify`.)
 */
export function reservedFieldOf(headers: Readonly<Record<string, string>>): string | undefined {
  let reserved = 0;
  let user = 0;
  for (const name in headers) {
    if (isReservedName(name)) reserved++;
    else user++;
  }
  if (reserved === 0) return undefined;
  // The common case (requests, replies, plain sends): every header is reserved, the object is the field.
  if (user === 0) return JSON.stringify(headers);
  const only: Record<string, string> = {};
  for (const name in headers) if (isReservedName(name)) only[name] = headers[name] as string;
  return JSON.stringify(only);
}

/** The headers of an `sb` field's text, or undefined when it is not a JSON object whose values are strings. */
export function parseReservedField(text: string): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const headers = parsed as Record<string, unknown>;
  for (const name in headers) if (typeof headers[name] !== 'string') return undefined;
  return headers as Record<string, string>;
}
