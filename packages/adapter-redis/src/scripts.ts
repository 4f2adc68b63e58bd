import type { Destination } from '@switchboard/core';
import type { FieldValue } from './codec.js';
import type { Client } from './connection.js';

/**
 * Key names. Every key of one destination carries the destination name as a hash tag (`{name}`), so on
 * Redis Cluster the stream and its delay set live in one slot and scripts may touch both.
 */
export function streamKey(prefix: string, destination: Destination): string {
  return `${prefix}${destination.kind === 'queue' ? 'q' : 't'}:{${destination.name}}`;
}

/** The sorted set of delayed messages of a stream, scored by due time (ms since the epoch, server clock). */
export function delayedKey(stream: string): string {
  return `${stream}:delayed`;
}

/** The consumer group that makes a stream a queue. */
export const QUEUE_GROUP = 'switchboard';

/** Netstring helpers: a delayed entry is stored as a unique nonce plus its fields, each `<bytes>:<data>`. */
function netstring(value: FieldValue): Buffer[] {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return [Buffer.from(`${data.length}:`, 'latin1'), data];
}

/** Packs a delayed message into one sorted-set member that {@link MOVE_DUE} unpacks. */
export function packDelayed(nonce: string, fields: readonly FieldValue[]): Buffer {
  const parts: Buffer[] = netstring(nonce);
  for (const field of fields) parts.push(...netstring(field));
  return Buffer.concat(parts);
}

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS[1] delay set; ARGV: delayMs, member, delayMs, member… Scores are taken from the server clock. */
const ADD_DELAYED = `${NOW}
for i = 1, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[i]), ARGV[i + 1])
end
return #ARGV / 2`;

/**
 * KEYS[1] delay set, KEYS[2] stream; ARGV[1] most entries to move, ARGV[2] MAXLEN (0 = none).
 * Atomically removes due members and XADDs them, so several consumers running it never move one twice.
 * Returns { moved, ms until the next member is due or -1 }.
 */
const MOVE_DUE = `${NOW}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local fields, pos = {}, 1
  while pos <= #member do
    local colon = string.find(member, ':', pos, true)
    local len = tonumber(string.sub(member, pos, colon - 1))
    fields[#fields + 1] = string.sub(member, colon + 1, colon + len)
    pos = colon + len + 1
  end
  table.remove(fields, 1)
  if tonumber(ARGV[2]) > 0 then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
  else
    redis.call('XADD', KEYS[2], '*', unpack(fields))
  end
end
local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #nxt == 0 then return {#due, -1} end
return {#due, math.max(0, tonumber(nxt[2]) - now)}`;

/**
 * KEYS[1] stream; ARGV[1] messages packed by `packMessages` (packing.ts), ARGV[2] MAXLEN (0 = none).
 * One XADD per message, then one approximate trim. A message of up to 64 field strings (32 fields: most
 * have 2–4) is unpacked by one `struct.unpack` call with a format made once per field count, instead of
 * one call per field. One script call per batch costs the client one
 * command instead of one per message (ioredis spends far more per command than per byte); Redis runs it
 * atomically, so a batch is never interleaved with other writers. Returns the number of entries added.
 */
const PUBLISH = `local data = ARGV[1]
local pos, last, count = 1, #data, 0
local formats = {}
while pos <= last do
  local n, fields
  n, pos = struct.unpack('>I4', data, pos)
  if n <= 64 then
    local format = formats[n]
    if not format then
      format = '>' .. string.rep('I4c0', n)
      formats[n] = format
    end
    fields = {struct.unpack(format, data, pos)}
    pos = fields[n + 1]
  else
    fields = {}
    for i = 1, n do fields[i], pos = struct.unpack('>I4c0', data, pos) end
  end
  redis.call('XADD', KEYS[1], '*', unpack(fields, 1, n))
  count = count + 1
end
local maxlen = tonumber(ARGV[2])
if maxlen > 0 then redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', maxlen) end
return count`;

/**
 * The reply to an inbox of an earlier version of the adapter (a requester not upgraded yet; current inboxes
 * are Pub/Sub channels, see inbox.ts). KEYS[1] an inbox's marker key, KEYS[2] its reply list; ARGV[1] the packed reply, ARGV[2] the list's
 * expiry in ms. Pushes the reply only while the inbox is open (a reply to a closed or expired inbox is
 * dropped, nothing is created); a list created by the push gets the expiry, so replies nobody reads do
 * not stay. Returns 1 when pushed, 0 when dropped.
 */
const REPLY = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('LPUSH', KEYS[2], ARGV[1]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1`;

/** The expiry {@link REPLY} gives a reply list it creates (what earlier versions' inboxes expect). */
export const LEGACY_REPLY_TTL_MS = 3_600_000;

/** The scripts, as ioredis custom commands (EVALSHA with a transparent EVAL fallback). */
export interface ScriptCommands {
  sbPublish(stream: string, packed: Buffer, maxLength: number): Promise<number>;
  sbAddDelayed(key: string, ...args: FieldValue[]): Promise<number>;
  sbMoveDue(delayed: string, stream: string, limit: number, maxLength: number): Promise<[number, number]>;
  sbReply(marker: string, list: string, packed: Buffer, ttlMs: number): Promise<number>;
}

/** Registers the scripts on a client (and its pipelines). */
export function defineScripts(client: Client): void {
  client.defineCommand('sbPublish', { numberOfKeys: 1, lua: PUBLISH });
  client.defineCommand('sbAddDelayed', { numberOfKeys: 1, lua: ADD_DELAYED });
  client.defineCommand('sbMoveDue', { numberOfKeys: 2, lua: MOVE_DUE });
  client.defineCommand('sbReply', { numberOfKeys: 2, lua: REPLY });
}

/** The scripts of a client on which {@link defineScripts} ran. */
export function scripts(client: Client): ScriptCommands {
  return client as unknown as ScriptCommands;
}
