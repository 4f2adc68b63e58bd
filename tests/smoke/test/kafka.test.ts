import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaBrokers, smokeBroker, uniqueName } from './support.js';

const broker = await smokeBroker('kafka');

describe.skipIf(broker.skipped)('kafka raw client (kafkajs)', () => {
  it('creates a topic, produces with acks=all and consumes with a fresh group', async () => {
    if (broker.skipped) return;
    const kafka = new Kafka({
      clientId: 'switchboard-smoke',
      brokers: kafkaBrokers(broker.url),
      logLevel: logLevel.ERROR,
    });
    const topic = uniqueName('smoke-kafka');
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })).toBe(
        true,
      );
      await producer.connect();
      const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'hello' }] });
      expect(meta?.errorCode).toBe(0);

      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const value = await new Promise<string>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => resolve(message.value?.toString('utf8') ?? ''),
        });
      });
      expect(value).toBe('hello');
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });
});
