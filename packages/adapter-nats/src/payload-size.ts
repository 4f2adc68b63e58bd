import { natsError } from './errors.js';

/**
 * Throws PAYLOAD_TOO_LARGE when a message's body plus header block (`total` bytes) exceeds the server's
 * max_payload (the bus checks the body alone); called for every message of a batch before any is written.
 */
export function checkSize(total: number, maxPayload: number | undefined, what: string): void {
  if (maxPayload !== undefined && total > maxPayload) {
    throw natsError(
      'PAYLOAD_TOO_LARGE',
      `${what}: body and headers take ${total} bytes, more than the server's max_payload of ${maxPayload}`,
      false,
    );
  }
}
