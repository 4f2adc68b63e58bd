import { type ConsumeMessage, connect } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { smokeBroker, uniqueName } from './support.js';

const broker = await smokeBroker('rabbitmq');

describe.skipIf(broker.skipped)('rabbitmq raw client (amqplib)', () => {
  it('publishes with confirms, consumes and acks', async () => {
    if (broker.skipped) return;
    const conn = await connect(broker.url);
    try {
      const ch = await conn.createConfirmChannel();
      const queue = uniqueName('smoke-rabbitmq');
      await ch.assertQueue(queue, { durable: true });
      const body = `hello ${queue}`;
      ch.sendToQueue(queue, Buffer.from(body), { persistent: true, messageId: queue });
      await ch.waitForConfirms();

      const received = new Promise<ConsumeMessage>((resolve) => {
        void ch.consume(queue, (msg) => {
          if (msg) resolve(msg);
        });
      });
      const msg = await received;
      ch.ack(msg);
      expect(msg.content.toString('utf8')).toBe(body);
      expect(msg.properties.messageId).toBe(queue);
      await ch.deleteQueue(queue);
      await ch.close();
    } finally {
      await conn.close();
    }
  });
});
