import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { benchName, countdown, latencySince, makePayload } from '../harness/payload.js';
import type { MeasurementEntry, MeasureOptions, MeasureResult } from '../harness/types.js';

// kafkajs used well: one partition, batches of BATCH messages per send, WINDOW sends in flight,
// acks=all; the consumer uses eachBatch with a short fetch wait.

const BATCH = 1000;
const WINDOW = 4;

function brokersOf(url: string): string[] {
  return url
    .replace(/^kafka:\/\//, '')
    .split(',')
    .map((s) => s.replace(/\/.*$/, ''))
    .filter(Boolean);
}

async function withTopic<T>(url: string, fn: (kafka: Kafka, topic: string) => Promise<T>): Promise<T> {
  const kafka = new Kafka({
    clientId: 'switchboard-bench',
    brokers: brokersOf(url),
    logLevel: logLevel.NOTHING,
  });
  const topic = benchName('bench-kafka');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    return await fn(kafka, topic);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
}

/** Sends n messages in batches with acks=all; pushes send→ack latencies into `latencies` when given. */
async function produce(producer: Producer, topic: string, opts: MeasureOptions, latencies?: number[]) {
  const template = makePayload(opts.bytes);
  const inflight = new Set<Promise<void>>();
  for (let sent = 0; sent < opts.n; ) {
    const size = Math.min(BATCH, opts.n - sent);
    const messages = Array.from({ length: size }, () => ({ value: makePayload(opts.bytes, template) }));
    const p: Promise<void> = producer.send({ topic, acks: -1, messages }).then(() => {
      if (latencies) for (const m of messages) latencies.push(latencySince(m.value));
      inflight.delete(p);
    });
    inflight.add(p);
    sent += size;
    if (inflight.size >= WINDOW) await Promise.race(inflight);
  }
  await Promise.all(inflight);
}

async function publish(opts: MeasureOptions): Promise<MeasureResult> {
  return withTopic(opts.url, async (kafka, topic) => {
    const producer = kafka.producer({ maxInFlightRequests: WINDOW, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const latenciesMs: number[] = [];
      const start = performance.now();
      await produce(producer, topic, opts, latenciesMs);
      return { seconds: (performance.now() - start) / 1000, latenciesMs };
    } finally {
      await producer.disconnect();
    }
  });
}

async function endToEnd(opts: MeasureOptions): Promise<MeasureResult> {
  return withTopic(opts.url, async (kafka, topic) => {
    const producer = kafka.producer({ maxInFlightRequests: WINDOW, allowAutoTopicCreation: false });
    const consumer = kafka.consumer({ groupId: `${topic}-g`, maxWaitTimeInMs: 100 });
    await Promise.all([producer.connect(), consumer.connect()]);
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      const latenciesMs: number[] = [];
      const received = countdown(opts.n);
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            if (m.value) latenciesMs.push(latencySince(m.value));
            received.tick();
          }
        },
      });
      await joined;
      const start = performance.now();
      await produce(producer, topic, opts);
      await received.done;
      return { seconds: (performance.now() - start) / 1000, latenciesMs };
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
}

export const kafkaRaw: MeasurementEntry[] = [
  { broker: 'kafka', mode: 'publish', impl: 'raw', run: publish },
  { broker: 'kafka', mode: 'end-to-end', impl: 'raw', run: endToEnd },
];
