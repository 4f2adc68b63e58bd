import type { WireMessage } from '@switchboard/core';
import { natsError } from './errors.js';

/**
 * Rejects the whole batch with PAYLOAD_TOO_LARGE before anything is written when body plus headers of a
 * message exceed the server's max_payload (the bus checks the body alone). `headers` are the header blocks' text.
 */
export function checkSizes(
  messages: readonly WireMessage[],
  headers: readonly string[],
  maxPayload: number | undefined,
  what: string,
): void {
  if (maxPayload === undefined) return;
  for (let i = 0; i < messages.length; i++) {
    const total = messages[i]!.body.length + Buffer.byteLength(headers[i]!, 'utf8');
    if (total > maxPayload) {
      throw natsError(
        'PAYLOAD_TOO_LARGE',
        `${what}: body and headers take ${total} bytes, more than the server's max_payload of ${maxPayload}`,
        false,
      );
    }
  }
}
