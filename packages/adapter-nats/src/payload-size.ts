import type { WireMessage } from '@switchboard/core';
import { natsError } from './errors.js';
import type { EncodedHeaders } from './header-block.js';

/**
 * Rejects the whole batch with PAYLOAD_TOO_LARGE before anything is written when body plus headers of a
 * message exceed the server's max_payload (the bus checks the body alone).
 */
export function checkSizes(
  messages: readonly WireMessage[],
  headers: readonly EncodedHeaders[],
  maxPayload: number | undefined,
  what: string,
): void {
  if (maxPayload === undefined) return;
  for (let i = 0; i < messages.length; i++) {
    const total = messages[i]!.body.length + headers[i]!.bytes.length;
    if (total > maxPayload) {
      throw natsError(
        'PAYLOAD_TOO_LARGE',
        `${what}: body and headers take ${total} bytes, more than the server's max_payload of ${maxPayload}`,
        false,
      );
    }
  }
}
