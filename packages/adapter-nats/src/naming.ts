/**
 * How Switchboard names map to NATS subjects, stream names and consumer names (see docs/wire-format/nats.md).
 *
 * - A queue `orders.eu` is the subject `<prefix>.q.orders.eu`, held by the stream `<prefix>_Q_<escaped>`.
 * - A topic `orders.created` is the subject `<prefix>.t.orders.created`, held by the one topic stream
 *   `<prefix>_TOPICS` (subjects `<prefix>.t.>`), so that wildcard subscriptions can span topics.
 * - Requests (core NATS, JetStream mode) go to `<prefix>.r.<queue>`.
 * - Stream and consumer names may not contain `.`, `*`, `>`, `/` or whitespace: `_` becomes `__`, `.` becomes
 *   `_d`, any other character outside `[A-Za-z0-9-]` becomes `_` and its two hex digits (`:` → `_3a`).
 *   Names longer than 160 characters are cut and end with a hash of the whole name.
 */
import { createHash } from 'node:crypto';
import { MessagingError } from '@switchboard/core';

function invalid(message: string): MessagingError {
  return new MessagingError('INVALID_ARGUMENT', message, { component: 'adapter-nats' });
}

/** Escapes a name into `[A-Za-z0-9_-]+`, injectively. */
export function escapeName(name: string): string {
  let out = '';
  for (const char of name) {
    if (/[A-Za-z0-9-]/.test(char)) out += char;
    else if (char === '_') out += '__';
    else if (char === '.') out += '_d';
    else out += `_${char.codePointAt(0)!.toString(16).padStart(2, '0')}`;
  }
  if (out.length <= 160) return out;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${out.slice(0, 140)}_h${hash}`;
}

/** Checks that every `.`-separated token of `name` is non-empty; throws INVALID_ARGUMENT. */
function checkTokens(what: string, name: string): void {
  if (name.split('.').some((token) => token.length === 0)) {
    throw invalid(
      `${what} "${name}" has an empty subject token (a leading, trailing or doubled ".") — NATS subjects need non-empty tokens`,
    );
  }
  if (/\s/.test(name))
    throw invalid(`${what} "${name}" contains whitespace, which NATS subjects cannot hold`);
}

/** The subject of a queue. */
export function queueSubject(prefix: string, queue: string): string {
  checkTokens('queue', queue);
  if (/[*>#]/.test(queue)) throw invalid(`queue "${queue}" may not contain wildcards`);
  return `${prefix}.q.${queue}`;
}

/** The core-NATS subject requests to a queue travel on (JetStream mode). */
export function requestSubject(prefix: string, queue: string): string {
  return `${prefix}.r.${queue}`;
}

/**
 * The subject (or subject filter) of a topic. With `wildcards`, a token `*` matches one token and a last
 * token `#` or `>` matches one or more; a wildcard character inside a token is INVALID_ARGUMENT.
 */
export function topicSubject(prefix: string, topic: string, wildcards: boolean): string {
  checkTokens('topic', topic);
  const tokens = topic.split('.');
  const mapped = tokens.map((token, index) => {
    if (!/[*>#]/.test(token)) return token;
    if (!wildcards) throw invalid(`topic "${topic}" contains a wildcard; publish to a concrete topic`);
    if (token === '*') return '*';
    if ((token === '#' || token === '>') && index === tokens.length - 1) return '>';
    throw invalid(
      `topic pattern "${topic}": "*" must be a whole token and "#" (or ">") the whole last token`,
    );
  });
  return `${prefix}.t.${mapped.join('.')}`;
}

/** The stream holding one queue. */
export function queueStreamName(prefix: string, queue: string): string {
  return `${escapeName(prefix)}_Q_${escapeName(queue)}`;
}

/** The stream holding every topic. */
export function topicStreamName(prefix: string): string {
  return `${escapeName(prefix)}_TOPICS`;
}

/** The durable consumer of a topic group (one per topic pattern and group in the shared topic stream). */
export function groupConsumerName(topic: string, group: string): string {
  return escapeName(`${topic}#${group}`);
}

/** The durable work consumer of a queue stream. */
export const QUEUE_CONSUMER = 'worker';
