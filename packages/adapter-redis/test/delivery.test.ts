import { createBus, type Delivery, MessagingError } from '@switchboard/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { redisTransport, transportFromUrl } from '../src/index.js';
import { redisUrl } from './broker.js';
import { Collector, CuttableProxy, fresh, recordInboxAddress } from './helpers.js';

const url = await redisUrl();

describe.skipIf(!url)('Redis-specific delivery behaviour', () => {
  const raw = new Redis(url ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  afterAll(() => raw.quit());

  it('delayed sends are moved exactly once while several consumers run the scheduler', async () => {
    const queue = fresh('delayed-once');
    const buses = [0, 1, 2].map(() =>
      createBus({ transport: redisTransport({ url, schedulerIntervalMs: 5 }) }),
    );
    const got = new Collector<number>();
    try {
      for (const bus of buses) await bus.receive<number>(queue, (m) => got.add(m.body));
      await Promise.all(Array.from({ length: 200 }, (_, i) => buses[0]!.send(queue, i, { delayMs: 50 })));
      await got.waitFor(200);
      // Everything was moved; one more (undelayed) message proves the consumers drained the stream.
      await buses[0]!.send(queue, -1);
      await got.waitFor(201);
      expect(got.items.filter((n) => n >= 0).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 200 }, (_, i) => i),
      );
      expect(await raw.zcard(`sb:q:{${queue}}:delayed`)).toBe(0);
    } finally {
      await Promise.all(buses.map((b) => b.close()));
      await raw.del(`sb:q:{${queue}}`);
    }
  });

  it('maxLength bounds the stream length (approximate trimming)', async () => {
    const queue = fresh('trim');
    const bus = createBus({ transport: redisTransport({ url, maxLength: 100 }) });
    try {
      await Promise.all(Array.from({ length: 2000 }, (_, i) => bus.send(queue, i)));
      const length = await raw.xlen(`sb:q:{${queue}}`);
      expect(length).toBeLessThan(2000);
      expect(length).toBeGreaterThanOrEqual(100);
    } finally {
      await bus.close();
      await raw.del(`sb:q:{${queue}}`);
    }
  });

  it('an inbox is a Pub/Sub channel: subscribed while open, no key written; after close nothing is left and a reply to it is dropped without error', async () => {
    const transport = transportFromUrl(url!);
    await transport.connect();
    const replies = new Collector<string>();
    const inbox = await transport.openInbox((m) => replies.add(new TextDecoder().decode(m.body)));
    const subscribers = async () => ((await raw.pubsub('NUMSUB', inbox.address)) as [string, number])[1];
    expect(inbox.address).toMatch(/^sb:reply:[0-9a-f-]{36}$/);
    expect(await subscribers()).toBe(1);
    const reply = { id: 'r', body: new TextEncoder().encode('"pong"'), headers: {} };
    await transport.reply(inbox.address, reply);
    await replies.waitFor(1);
    expect(replies.items).toEqual(['"pong"']);
    const uuid = inbox.address.slice('sb:reply:'.length);
    expect(await raw.keys(`*${uuid}*`)).toEqual([]);
    await inbox.close();
    expect(await subscribers()).toBe(0);
    await transport.reply(inbox.address, reply); // nobody listens: dropped, no error
    expect(await raw.keys(`*${uuid}*`)).toEqual([]);
    expect(replies.items).toHaveLength(1);
    await transport.close();
  });

  it('an ACL user without Pub/Sub channels cannot open an inbox: PERMISSION_DENIED naming the channels to grant', async () => {
    const user = fresh('no-channels');
    const password = `pw-${fresh('secret')}`;
    await raw.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '+@all', 'resetchannels');
    const { hostname, port } = new URL(url!);
    const transport = transportFromUrl(`redis://${user}:${password}@${hostname}:${port || 6379}`);
    try {
      await transport.connect();
      const failed = await transport.openInbox(() => undefined).catch((e: unknown) => e);
      expect(MessagingError.is(failed)).toBe(true);
      expect((failed as MessagingError).code).toBe('PERMISSION_DENIED');
      expect((failed as MessagingError).retryable).toBe(false);
      expect((failed as MessagingError).message).toContain('&sb:reply:*');
      expect((failed as MessagingError).message).not.toContain(password);
    } finally {
      await transport.close();
      await raw.call('ACL', 'DELUSER', user);
    }
  });

  it('an inbox that cannot subscribe again after reconnecting says so on stderr, naming the channels to grant', async () => {
    const user = fresh('revoked');
    const password = `pw-${fresh('secret')}`;
    await raw.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '+@all', '&sb:reply:*');
    const { hostname, port } = new URL(url!);
    const transport = transportFromUrl(`redis://${user}:${password}@${hostname}:${port || 6379}`);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await transport.connect();
      const inbox = await transport.openInbox(() => undefined);
      // Revoking the channels makes Redis disconnect the subscribed connection; its re-SUBSCRIBE is refused.
      await raw.call('ACL', 'SETUSER', user, 'resetchannels');
      await vi.waitFor(() => expect(errors).toHaveBeenCalled(), { timeout: 10_000 });
      const printed = String(errors.mock.calls[0]![0]);
      expect(printed).toContain('PERMISSION_DENIED');
      expect(printed).toContain(inbox.address);
      expect(printed).toContain('&sb:reply:*');
      expect(printed).not.toContain(password);
    } finally {
      errors.mockRestore();
      await transport.close();
      await raw.call('ACL', 'DELUSER', user);
    }
  });

  it('a reply to an inbox of an earlier version (marker key + list) is pushed on its list only while the marker exists', async () => {
    const transport = transportFromUrl(url!);
    await transport.connect();
    const address = `sb:inbox:{${fresh('legacy')}}`;
    const list = `${address}:replies`;
    const reply = { id: 'r', body: new TextEncoder().encode('"pong"'), headers: {} };
    try {
      await transport.reply(address, reply); // no marker: dropped, nothing created
      expect(await raw.exists(list)).toBe(0);
      await raw.set(address, '1', 'PX', 60_000);
      await transport.reply(address, reply);
      expect(await raw.llen(list)).toBe(1);
      expect(await raw.pttl(list)).toBeGreaterThan(0);
      const packedReply = (await raw.rpopBuffer(list))!;
      expect(packedReply.includes(Buffer.from('"pong"'))).toBe(true);
    } finally {
      await raw.del(address, list);
      await transport.close();
    }
  });

  it('a reply to a requester that closed meanwhile is dropped without an error in the responder', async () => {
    const queue = fresh('gone-requester');
    const responderTransport = redisTransport({ url });
    const outcomes = new Collector<string>();
    const reply = responderTransport.reply.bind(responderTransport);
    responderTransport.reply = (address, message) =>
      reply(address, message).then(
        () => outcomes.add('replied'),
        (error: unknown) => outcomes.add(`failed: ${String(error)}`),
      );
    const errors: MessagingError[] = [];
    const responder = createBus({ transport: responderTransport, onError: (e) => errors.push(e) });
    const requester = createBus({ transport: redisTransport({ url }) });
    const received = new Collector<string>();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await responder.reply<string, string>(queue, async (m) => {
        received.add(m.body);
        await gate;
        return `reply to ${m.body}`;
      });
      const asked = requester.request(queue, 'late', { timeoutMs: 30_000 }).catch((e: unknown) => e);
      await received.waitFor(1);
      await requester.close();
      expect(MessagingError.is(await asked)).toBe(true);
      release();
      await outcomes.waitFor(1);
      expect(outcomes.items).toEqual(['replied']);
      expect(errors).toEqual([]);
    } finally {
      release();
      await responder.close();
      await raw.del(`sb:q:{${queue}}`);
    }
  });

  it("a reply published while the requester's inbox connection is down ends that request with TIMEOUT; after reconnection requests get their replies", async () => {
    const { hostname, port } = new URL(url!);
    const proxy = new CuttableProxy(hostname, Number(port || 6379));
    await proxy.start();
    const queue = fresh('inbox-reconnect');
    const requesterTransport = redisTransport({ url: `redis://127.0.0.1:${proxy.port}` });
    const inboxAddress = recordInboxAddress(requesterTransport);
    // Requests whose XADD the requester has seen answered (the request is then only waiting for its reply).
    const sent = new Collector<void>();
    const publish = requesterTransport.publish.bind(requesterTransport);
    requesterTransport.publish = (destination, messages, options) =>
      publish(destination, messages, options).then(sent.add);
    const requester = createBus({ transport: requesterTransport, onError: () => undefined });
    const responder = createBus({ transport: redisTransport({ url }) });
    const received = new Collector<number>();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const subscribers = async () => ((await raw.pubsub('NUMSUB', inboxAddress())) as [string, number])[1];
    try {
      await responder.reply<number, number>(queue, async (m) => {
        received.add(m.body);
        if (m.body === 2) await gate;
        return m.body * 10;
      });
      expect(await requester.request<number>(queue, 1, { timeoutMs: 5000 })).toBe(10);
      const asked = requester.request<number>(queue, 2, { timeoutMs: 2000 }).catch((e: unknown) => e);
      await received.waitFor(2);
      await sent.waitFor(2);
      await proxy.cut();
      // The inbox's subscription is gone with its connection (the server saw the socket close).
      for (const deadline = Date.now() + 5000; (await subscribers()) !== 0 && Date.now() < deadline; );
      expect(await subscribers()).toBe(0);
      release(); // the reply is published to nobody
      const failed = await asked;
      expect(MessagingError.is(failed)).toBe(true);
      expect((failed as MessagingError).code).toBe('TIMEOUT');
      await proxy.restore();
      // The inbox subscribes again by itself once its connection is back.
      for (const deadline = Date.now() + 10_000; (await subscribers()) !== 1 && Date.now() < deadline; );
      expect(await subscribers()).toBe(1);
      let answer: unknown;
      for (let i = 0; i < 50 && answer !== 30; i++)
        answer = await requester.request<number>(queue, 3, { timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(answer).toBe(30);
    } finally {
      release();
      await requester.close();
      await responder.close();
      await proxy.cut();
      await raw.del(`sb:q:{${queue}}`);
    }
  });

  it.each([false, true])(
    'acks are all sent before a receiver closes: nothing stays pending (confirmAcks %s)',
    async (confirmAcks) => {
      const queue = fresh('acks');
      const stream = `sb:q:{${queue}}`;
      const bus = createBus({ transport: redisTransport({ url, confirmAcks }) });
      const got = new Collector<number>();
      try {
        await bus.receive<number>(queue, (m) => got.add(m.body), { concurrency: 8 });
        await Promise.all(Array.from({ length: 300 }, (_, i) => bus.send(queue, i)));
        await got.waitFor(300);
        await bus.close();
        const [pending] = (await raw.xpending(stream, 'switchboard')) as [number];
        expect(pending).toBe(0);
        expect(got.items.sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      } finally {
        await bus.close();
        await raw.del(stream);
      }
    },
  );

  it('a closed receiver leaves no consumer behind, and its unsettled messages go to the next receiver', async () => {
    const queue = fresh('handover');
    const stream = `sb:q:{${queue}}`;
    const first = createBus({ transport: transportFromUrl(url!), drainTimeoutMs: 50 });
    const held = new Collector<number>();
    await first.receive<number>(queue, (m) => {
      held.add(m.body);
      return new Promise(() => undefined); // never settles
    });
    await Promise.all([1, 2, 3].map((n) => first.send(queue, n)));
    await held.waitFor(3);
    await first.close();
    const consumers = (await raw.call('XINFO', 'CONSUMERS', stream, 'switchboard')) as unknown[][];
    const names = consumers.map((c) => String(c[1]));
    expect(names).toEqual(['sb-returned']);
    const second = createBus({ transport: transportFromUrl(url!) });
    const got = new Collector<{ n: number; attempt: number }>();
    await second.receive<number>(queue, (m) => got.add({ n: m.body, attempt: m.attempt }));
    await got.waitFor(3);
    expect(got.items.map((i) => i.n).sort()).toEqual([1, 2, 3]);
    expect(got.items.every((i) => i.attempt === 2)).toBe(true);
    await second.close();
    await raw.del(stream);
  });

  it('a consumer never reclaims what it still holds, however long past the ack deadline', async () => {
    // A slow or starved consumer's entries go idle at the broker; the ack deadline hands them to another
    // consumer, but this one's own reclaim (which claims them, raising their delivery count) leaves them be.
    const queue = fresh('held');
    const stream = `sb:q:{${queue}}`;
    const transport = transportFromUrl(url!);
    await transport.connect();
    const deliveries: Delivery[] = [];
    const subscription = await transport.subscribe(
      { kind: 'queue', name: queue },
      { prefetch: 5, ackDeadlineMs: 40 },
      (delivery) => deliveries.push(delivery),
    );
    try {
      await raw.xadd(stream, '*', 'body', '"held"');
      for (let deliveryCount = 0; deliveryCount < 3; ) {
        await new Promise((resolve) => setTimeout(resolve, 20)); // poll the broker's count
        const rows = (await raw.call('XPENDING', stream, 'switchboard', '-', '+', 10)) as [
          string,
          string,
          number,
          number,
        ][];
        deliveryCount = Number(rows[0]?.[3] ?? 0);
      }
      expect(deliveries).toHaveLength(1);
      await deliveries[0]!.ack();
    } finally {
      await subscription.close();
      await transport.close();
      await raw.del(stream);
    }
  });

  it('survives a lost connection: sends reject with retryable UNAVAILABLE or TIMEOUT, then the subscription resumes', async () => {
    const { hostname, port } = new URL(url!);
    const proxy = new CuttableProxy(hostname, Number(port || 6379));
    await proxy.start();
    const queue = fresh('reconnect');
    const bus = createBus({
      transport: redisTransport({ url: `redis://127.0.0.1:${proxy.port}`, blockMs: 200 }),
      sendTimeoutMs: 500,
    });
    const got = new Collector<number>();
    try {
      await bus.receive<number>(queue, (m) => got.add(m.body));
      await bus.send(queue, 1);
      await got.waitFor(1);
      await proxy.cut();
      const failed = await bus.send(queue, 2).catch((e: unknown) => e);
      expect(MessagingError.is(failed)).toBe(true);
      expect(['UNAVAILABLE', 'TIMEOUT']).toContain((failed as MessagingError).code);
      expect((failed as MessagingError).retryable).toBe(true);
      await proxy.restore();
      // The send retried by the caller goes through once the connection is back.
      let sent = false;
      for (let i = 0; i < 50 && !sent; i++)
        sent = await bus.send(queue, 3).then(
          () => true,
          () => false,
        );
      expect(sent).toBe(true);
      await got.waitFor(2, 15_000);
      expect(got.items).toContain(3);
    } finally {
      await bus.close();
      await proxy.cut();
      await raw.del(`sb:q:{${queue}}`);
    }
  });
});
