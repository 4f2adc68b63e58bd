import { decodeFields } from './codec.js';
import type { Entry } from './intake.js';

/** One raw stream item as ioredis returns it with `callBuffer`: `[id, fields]` (fields null when deleted). */
type RawItem = [Buffer | string, (Buffer | string)[] | null];

/** Items of the first stream of an XREAD / XREADGROUP reply (RESP2), or none. */
export function itemsOfRead(reply: unknown): RawItem[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const stream = reply[0] as [unknown, RawItem[]];
  return Array.isArray(stream[1]) ? stream[1] : [];
}

/** Items of an XAUTOCLAIM reply: `[cursor, items, deletedIds]`. */
export function itemsOfClaim(reply: unknown): { cursor: string; items: RawItem[] } {
  const [cursor, items] = reply as [Buffer | string, RawItem[]];
  return { cursor: cursor.toString(), items: Array.isArray(items) ? items : [] };
}

/**
 * Decodes raw items into entries. Deleted items (null fields) and expired ones (past their `exp`) are
 * collected in `drop` so the caller can acknowledge them; they are never handed out.
 */
export function toEntries(
  items: readonly RawItem[],
  redeliveriesOf: (id: string) => number,
  now: number,
  drop: string[],
): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < items.length; i++) {
    const [rawId, fields] = items[i]!;
    const id = typeof rawId === 'string' ? rawId : rawId.toString('latin1');
    if (fields === null) {
      drop.push(id);
      continue;
    }
    const d = decodeFields(fields);
    if (d.expiresAt !== undefined && d.expiresAt <= now) {
      drop.push(id);
      continue;
    }
    entries.push({
      body: d.body,
      headers: d.headers,
      key: d.key,
      expiresAt: d.expiresAt,
      invalid: d.invalid,
      id,
      redeliveries: redeliveriesOf(id),
    });
  }
  return entries;
}

/** The last id of a list of raw items, or undefined. */
export function lastIdOf(items: readonly RawItem[]): string | undefined {
  const last = items[items.length - 1];
  return last === undefined ? undefined : last[0].toString();
}
