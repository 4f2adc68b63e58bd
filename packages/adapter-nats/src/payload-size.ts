import type { WireMessage } from '@switchboard/core';
import { natsError } from './errors.js';

/**
 * Rejects the whole batch with PAYLOAD_TOO_LARGE before anything is written when body plus headers of a
 * message exceed the server's max_payload (the bus checks the body alone). `headerLengths` are the header blocks' sizes in bytes.
 */
export function checkSizes(
  messages: readonly WireMessage[],
  headerLengths: readonly number[],
  maxPayload: number | undefined,
  what: string,
): void {
  if (maxPayload === undefined) return;
  for (let i = 0; i < messages.length; i++) {
    const total = messages[i]!.body.length + headerLengths[i]!;
    if (total > maxPayload) {
      throw natsError(
        'PAYLOAD_TOO_LARGE',
        `${what}: body and headers take ${total} bytes, more than the server's max_payload of ${maxPayload}`,
        false,
      );
    }
  }
}
