import { randomBytes } from 'node:crypto';

const prefix = randomBytes(9).toString('base64url');
let counter = 0;

/**
 * A process-unique, practically globally unique message id: 12 random characters fixed per process
 * (72 bits) followed by a counter. Much cheaper than a UUID per message; ids given by the caller are kept.
 */
export function newMessageId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}${counter.toString(36)}`;
}
