/**
 * RabbitMQ-specific behaviour against the real broker: bad input, error mapping, interop with a raw amqplib
 * client (the documented wire format), back-pressure on a burst, and recovery from a lost connection.
 */
import { randomBytes } from 'node:crypto';
import { type Bus, createBus, ReservedHeaders as H, type Message, MessagingError } from '@switchboard/core';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPublishOptions } from '../src/codec.js';
import { publishConfirmed } from '../src/confirm-publish.js';
import { rabbitmqTransport, transportFromUrl } from '../src/index.js';
import { rabbitUrl, TEST_QUEUE_EXPIRES_MS } from './broker.js';

const found = await rabbitUrl();
const required = process.env.SWITCHBOARD_REQUIRE_BROKERS === '1';
if (!found.url && !required) console.warn(`[adapter-rabbitmq] adapter tests skipped: ${found.reason}`);
const suite = found.url || required ? describe : describe.skip;
const url = found.url ?? 'amqp://127.0.0.1:5672';

const unique = (prefix: string) => `sbt.rmq.${prefix}.${randomBytes(4).toString('hex')}`;
const transport = (extra: Record<string, unknown> = {}) =>
  rabbitmqTransport({ url, queueExpiresMs: TEST_QUEUE_EXPIRES_MS, ...extra });

/** Resolves with the first `count` messages a handler sees. */
function collect(count: number): {
  messages: Message<unknown>[];
  done: Promise<void>;
  handler: (m: Message<unknown>) => void;
} {
  const messages: Message<unknown>[] = [];
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    messages,
    done,
    handler: (message) => {
      messages.push(message);
      if (messages.length === count) finish();
    },
  };
}

describe('options', () => {
  it.each([
    ['http://127.0.0.1:5672'],
    ['amqp//missing-colon'],
    [''],
    ['amqp://guest:secret@127.0.0.1:5672,not a url'],
  ])('rejects the malformed URL %j with INVALID_ARGUMENT, without the password', (bad) => {
    let error: unknown;
    try {
      transportFromUrl(bad);
    } catch (caught) {
      error = caught;
    }
    expect(MessagingError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).not.toContain('secret');
  });

  it('rejects invalid option values with INVALID_ARGUMENT', () => {
    expect(() => rabbitmqTransport({ url, queueType: 'stream' as 'quorum' })).toThrow(/queueType/);
    expect(() => rabbitmqTransport({ url, heartbeatSeconds: -1 })).toThrow(/heartbeatSeconds/);
    expect(() => rabbitmqTransport({ url, exchange: 'amq.topic' })).toThrow(/exchange/);
    expect(() => rabbitmqTransport({ url, separateConsumerConnection: 'yes' as unknown as boolean })).toThrow(
      /separateConsumerConnection/,
    );
  });
});

suite('against RabbitMQ', () => {
  let raw: ChannelModel;
  const buses: Bus[] = [];
  const bus = (extra: Record<string, unknown> = {}) => {
    const created = createBus({ transport: transport(extra), drainTimeoutMs: 1000 });
    buses.push(created);
    return created;
  };

  beforeAll(async () => {
    raw = await amqp.connect(url);
    raw.on('error', () => undefined);
  });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await raw?.close();
  });

  it('wrong credentials reject with UNAUTHENTICATED naming the user, never the password', async () => {
    const target = new URL(url);
    target.username = 'switchboard-nobody';
    target.password = 'hunter2-secret';
    const t = rabbitmqTransport({ url: target.toString() });
    const error = await t.connect().catch((e: unknown) => e);
    expect(MessagingError.is(error, 'UNAUTHENTICATED')).toBe(true);
    expect((error as MessagingError).retryable).toBe(false);
    expect((error as Error).message).toContain('switchboard-nobody');
    expect((error as Error).message).not.toContain('hunter2-secret');
    await t.close();
  });

  it('a queue declared elsewhere with other arguments rejects with CONFLICT; other subscriptions keep working', async () => {
    const conflicting = unique('conflict');
    const healthy = unique('healthy');
    const channel = await raw.createChannel();
    await channel.assertQueue(conflicting, { durable: true, arguments: { 'x-max-length': 10 } });
    const b = bus();
    const got = collect(1);
    await b.receive(healthy, got.handler);
    const error = await b.receive(conflicting, () => undefined).catch((e: unknown) => e);
    expect(MessagingError.is(error, 'CONFLICT')).toBe(true);
    const sendError = await b.send(conflicting, { x: 1 }).catch((e: unknown) => e);
    expect(MessagingError.is(sendError, 'CONFLICT')).toBe(true);
    await b.send(healthy, { still: 'working' });
    await got.done;
    expect(got.messages[0]!.body).toEqual({ still: 'working' });
    await channel.deleteQueue(conflicting);
    await channel.close();
  });

  it.each([
    [true, 'a connection of their own'],
    [false, 'the publishing connection'],
  ])('separateConsumerConnection %s: subscriptions use %s, and messages flow', async (separate) => {
    const queue = unique('split');
    const t = transport({ separateConsumerConnection: separate });
    const b = createBus({ transport: t, drainTimeoutMs: 1000 });
    buses.push(b);
    await b.send(queue, { n: 0 });
    expect(t.native.consumerConnection).toBe(separate ? undefined : t.native.connection);
    const got = collect(2);
    await b.receive(queue, got.handler);
    await b.send(queue, { n: 1 });
    await got.done;
    expect(got.messages.map((m) => m.body)).toEqual([{ n: 0 }, { n: 1 }]);
    expect(t.native.consumerConnection).toBeDefined();
    if (separate) expect(t.native.consumerConnection).not.toBe(t.native.connection);
    else expect(t.native.consumerConnection).toBe(t.native.connection);
  });

  it('a body over maxPayloadBytes rejects with PAYLOAD_TOO_LARGE before anything is sent', async () => {
    const queue = unique('big');
    const b = bus({ maxPayloadBytes: 1024 });
    const error = await b.send(queue, new Uint8Array(1025)).catch((e: unknown) => e);
    expect(MessagingError.is(error, 'PAYLOAD_TOO_LARGE')).toBe(true);
    const channel = await raw.createChannel();
    // A queue that does not exist closes the channel with 404: nothing was declared, nothing sent.
    channel.on('error', () => undefined);
    const declared = await channel.checkQueue(queue).catch(() => undefined);
    expect(declared?.messageCount ?? 0).toBe(0);
    await channel.close().catch(() => undefined);
  });

  it('with classic queues priority is declared and honoured: waiting messages arrive highest priority first', async () => {
    const queue = unique('priority');
    const b = bus({ queueType: 'classic' });
    expect(b.transport.capabilities.priority).toBe(true);
    // The queue exists (with x-max-priority) before anything waits in it: a receiver declares it, then stops.
    const declaring = await b.receive(queue, () => undefined);
    await declaring.close();
    for (const priority of [1, 2, 9, 5, 0]) await b.send(queue, { priority }, { priority });
    const got = collect(5);
    await b.receive(queue, got.handler, { concurrency: 1 });
    await got.done;
    expect(got.messages.map((m) => (m.body as { priority: number }).priority)).toEqual([9, 5, 2, 1, 0]);
  });

  it('with quorum queues (the default) priority is not declared and a priority option rejects with UNSUPPORTED', async () => {
    const b = bus();
    expect(b.transport.capabilities.priority).toBe(false);
    const error = await b.send(unique('no-priority'), 'x', { priority: 5 }).catch((e: unknown) => e);
    expect(MessagingError.is(error, 'UNSUPPORTED')).toBe(true);
  });

  it('consumes what a raw amqplib producer publishes in the documented format', async () => {
    const queue = unique('raw-in');
    const b = bus();
    const got = collect(3);
    await b.receive(queue, got.handler);
    const channel = await raw.createConfirmChannel();
    channel.sendToQueue(queue, Buffer.from('{"n":1}'), {
      messageId: 'raw-1',
      correlationId: 'corr-1',
      headers: { 'x-tenant': 'acme', retries: 3, [H.key]: 'k1' },
    });
    channel.sendToQueue(queue, Buffer.from('plain text'), { contentType: 'text/plain', messageId: 'raw-2' });
    channel.sendToQueue(queue, Buffer.from('"just json"'));
    await channel.waitForConfirms();
    await got.done;
    const byId = new Map(got.messages.map((m) => [m.id, m]));
    expect(byId.get('raw-1')).toMatchObject({
      body: { n: 1 },
      headers: { 'x-tenant': 'acme', retries: '3' },
      correlationId: 'corr-1',
      key: 'k1',
    });
    expect(byId.get('raw-2')?.body).toBe('plain text');
    // No content type: JSON; no sb-ts header: timestamp 0.
    expect(byId.get('')).toMatchObject({ body: 'just json', contentType: 'application/json', timestamp: 0 });
    await channel.close();
  });

  it('what Switchboard sends round-trips every piece of metadata through the broker', async () => {
    const queue = unique('round-trip');
    const b = bus();
    const got = collect(2);
    await b.receive(queue, got.handler);
    const before = Date.now();
    const json = await b.send(
      queue,
      { a: [1, 'two'] },
      { headers: { 'x-user': 'u ☺', 'x-empty': '' }, key: 'k1', correlationId: 'c1' },
    );
    const bytes = await b.send(queue, Buffer.from('raw bytes'), { id: 'my-own-id' });
    const after = Date.now();
    await got.done;
    const byId = new Map(got.messages.map((m) => [m.id, m]));
    expect(byId.get(json.id)).toMatchObject({
      body: { a: [1, 'two'] },
      headers: { 'x-user': 'u ☺', 'x-empty': '' },
      key: 'k1',
      correlationId: 'c1',
      contentType: 'application/json',
      attempt: 1,
      destination: queue,
    });
    expect(byId.get(json.id)?.headers).toEqual({ 'x-user': 'u ☺', 'x-empty': '' });
    expect(byId.get('my-own-id')).toMatchObject({ contentType: 'application/octet-stream', headers: {} });
    expect(Buffer.from(byId.get('my-own-id')?.body as Uint8Array).toString()).toBe('raw bytes');
    expect(bytes.id).toBe('my-own-id');
    for (const message of got.messages) {
      // Milliseconds since the epoch of the second it was sent in: AMQP's `timestamp` property (seconds).
      expect(message.timestamp % 1000).toBe(0);
      expect(message.timestamp).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(message.timestamp).toBeLessThanOrEqual(after);
    }
  });

  it('a raw message with an undecodable body is dead-lettered with DECODE_FAILED and the consumer goes on', async () => {
    const queue = unique('poison');
    const b = bus();
    const good = collect(1);
    const dead = collect(1);
    await b.receive(queue, good.handler);
    await b.receive(`${queue}.dead-letter`, dead.handler);
    const channel = await raw.createConfirmChannel();
    channel.sendToQueue(queue, Buffer.from('{not json'), { messageId: 'bad' });
    channel.sendToQueue(queue, Buffer.from('{"ok":true}'), { messageId: 'good' });
    await channel.waitForConfirms();
    await Promise.all([good.done, dead.done]);
    expect(good.messages[0]!.id).toBe('good');
    expect(dead.messages[0]!.failure?.errorCode).toBe('DECODE_FAILED');
    await channel.close();
  });

  it('what Switchboard sends is readable by a raw amqplib consumer as documented', async () => {
    const queue = unique('raw-out');
    const b = bus();
    const { id } = await b.send(
      queue,
      { a: 1 },
      { headers: { 'x-user': 'u ☺' }, key: 'k9', correlationId: 'c9' },
    );
    const channel = await raw.createChannel();
    const message = await channel.get(queue, { noAck: true });
    expect(message).not.toBe(false);
    if (message === false) return;
    expect(JSON.parse(message.content.toString('utf8'))).toEqual({ a: 1 });
    expect(message.properties.headers).toMatchObject({ 'x-user': 'u ☺', [H.key]: 'k9' });
    // The id and correlation id travel as properties only, not also as header-table entries.
    expect(message.properties.headers).not.toHaveProperty(H.id);
    expect(message.properties.headers).not.toHaveProperty(H.correlationId);
    expect(message.properties).toMatchObject({
      messageId: id,
      correlationId: 'c9',
      contentType: 'application/json',
    });
    expect(message.properties.deliveryMode).toBe(2);
    await channel.deleteQueue(queue);
    await channel.close();
  });

  it("amqplib's own publish (the fallback when its internals differ) writes the same properties as the encoder", async () => {
    const queue = unique('fallback');
    const channel = await raw.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-expires': TEST_QUEUE_EXPIRES_MS } });
    const properties = toPublishOptions({
      id: 'f-1',
      body: Buffer.from('{}'),
      headers: { [H.id]: 'f-1', [H.timestamp]: '1700000000321', [H.correlationId]: 'c-f', 'x-a': 'b' },
      key: 'k',
      ttlMs: 60_000,
    });
    const confirmed = (publish: (done: (error: unknown) => void) => void) =>
      new Promise<void>((resolve, reject) => publish((error) => (error ? reject(error) : resolve())));
    await confirmed((done) => publishConfirmed(channel, '', queue, Buffer.from('"own"'), properties, done));
    // An own sendMessage on the channel makes the adapter hand the publish to amqplib.
    const fallback = channel as unknown as { sendMessage: unknown };
    fallback.sendMessage = Object.getPrototypeOf(channel).sendMessage;
    await confirmed((done) =>
      publishConfirmed(channel, '', queue, Buffer.from('"amqplib"'), properties, done),
    );
    const reader = await raw.createChannel();
    const own = await reader.get(queue, { noAck: true });
    const viaAmqplib = await reader.get(queue, { noAck: true });
    if (own === false || viaAmqplib === false) throw new Error('both messages should be in the queue');
    expect(viaAmqplib.content.toString()).toBe('"amqplib"');
    expect(viaAmqplib.properties).toEqual(own.properties);
    expect(own.properties).toMatchObject({ timestamp: 1700000000, messageId: 'f-1', correlationId: 'c-f' });
    expect(own.properties.headers).toEqual({ 'x-a': 'b', [H.key]: 'k' });
    await reader.deleteQueue(queue);
    await reader.close();
    await channel.close();
  });

  it('a raw amqplib responder answers a Switchboard request through direct reply-to', async () => {
    const queue = unique('rpc');
    const channel = await raw.createChannel();
    await channel.assertQueue(queue, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-expires': TEST_QUEUE_EXPIRES_MS },
    });
    await channel.consume(queue, (message) => {
      if (!message) return;
      // The AMQP correlation_id property stands in for the sb-correlation-id header.
      channel.sendToQueue(message.properties.replyTo as string, Buffer.from('{"pong":true}'), {
        correlationId: message.properties.correlationId as string,
      });
      channel.ack(message);
    });
    const reply = await bus().request(queue, { ping: true }, { timeoutMs: 10_000 });
    expect(reply).toEqual({ pong: true });
    await channel.deleteQueue(queue);
    await channel.close();
  });

  it('a burst of 30,000 concurrent sends all resolve: a full write buffer waits for drain', async () => {
    const queue = unique('burst');
    const b = bus();
    const body = 'x'.repeat(256);
    const results = await Promise.allSettled(Array.from({ length: 30_000 }, () => b.send(queue, body)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const channel = await raw.createChannel();
    expect((await channel.checkQueue(queue)).messageCount).toBe(30_000);
    await channel.deleteQueue(queue);
    await channel.close();
  });

  it('after a lost connection it reconnects, resumes the subscription and sends again', async () => {
    const queue = unique('recover');
    const t = transport({ reconnectInitialDelayMs: 50 });
    const b = createBus({ transport: t, drainTimeoutMs: 1000 });
    buses.push(b);
    const first = collect(1);
    const after = collect(1);
    await b.receive(queue, (m) => {
      first.handler(m);
      if ((m.body as { n: number }).n === 2) after.handler(m);
    });
    await b.send(queue, { n: 1 });
    await first.done;
    type Destroyable = { connection: { stream: { destroy(e: Error): void } } };
    const lost = t.native.connection as unknown as Destroyable;
    const lostConsumer = t.native.consumerConnection as unknown as Destroyable;
    expect(lostConsumer).not.toBe(lost);
    lost.connection.stream.destroy(new Error('simulated network failure'));
    lostConsumer.connection.stream.destroy(new Error('simulated network failure'));
    // A send racing the loss may fail, but only with a retryable error; then the resumed subscription receives it.
    for (let attempt = 1; ; attempt++) {
      try {
        await b.send(queue, { n: 2 });
        break;
      } catch (error) {
        expect(MessagingError.is(error) && error.retryable).toBe(true);
        if (attempt === 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await after.done;
    // At-least-once: the ack of n: 1 may have been lost with the connection, so it may come again.
    expect(after.messages.map((m) => m.body)).toContainEqual({ n: 2 });
    expect(t.native.connection).not.toBe(lost);
    expect(t.native.consumerConnection).not.toBe(lostConsumer);
  });
});
