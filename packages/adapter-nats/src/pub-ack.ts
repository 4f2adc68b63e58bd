/** Reading JetStream's PubAck: what a stored message's acknowledgement says, as a MessagingError or nothing. */
import type { Msg } from '@nats-io/transport-node';
import { mapError, natsError } from './errors.js';

const decoder = new TextDecoder();

/** The error a PubAck carries, or undefined for a positive ack. */
export function ackError(msg: Msg, what: string) {
  const status = msg.headers?.code ?? 0;
  if (status === 503) return natsError('NOT_FOUND', `${what}: no JetStream stream holds this subject`, false);
  if (status >= 300)
    return natsError('UNAVAILABLE', `${what}: status ${status} ${msg.headers?.description ?? ''}`, true);
  if (msg.data.length === 0) return undefined;
  let ack: { error?: { code?: number; err_code?: number; description?: string } };
  try {
    ack = JSON.parse(decoder.decode(msg.data));
  } catch (error) {
    return natsError('INTERNAL', `${what}: unreadable JetStream ack`, false, error);
  }
  if (!ack.error) return undefined;
  const native = Object.assign(new Error(ack.error.description ?? 'JetStream error'), {
    name: 'JetStreamApiError',
    apiError: () => ack.error!,
  });
  return mapError(native, what);
}
