import { createBus, type Delivery, MessagingError } from '@switchboard/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisTransport, transportFromUrl } from '../src/index.js';
import { redisUrl } from './broker.js';
import { Collector, CuttableProxy, fresh } from './helpers.js';

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

  it('an inbox is removed on close, and a reply to it afterwards is dropped without recreating it', async () => {
    const transport = transportFromUrl(url!);
    await transport.connect();
    const replies = new Collector<string>();
    const inbox = await transport.openInbox((m) => replies.add(new TextDecoder().decode(m.body)));
    expect(await raw.exists(inbox.address)).toBe(1);
    const reply = { id: 'r', body: new TextEncoder().encode('"pong"'), headers: {} };
    await transport.reply(inbox.address, reply);
    await replies.waitFor(1);
    await inbox.close();
    const list = `${inbox.address}:replies`;
    expect(await raw.exists(inbox.address, list)).toBe(0);
    await transport.reply(inbox.address, reply);
    expect(await raw.exists(inbox.address, list)).toBe(0);
    await transport.close();
  });

  it('an inbox reads replies without BLMPOP too (RPOP + BRPOP, for Redis < 7.0)', async () => {
    // Blocking reads that never time out within the test: what RPOP finds is handed out at once, not when
    // the BRPOP written with it returns.
    const transport = transportFromUrl(url!, { blockMs: 60_000 });
    await transport.connect();
    const replies = new Collector<string>();
    const inbox = await transport.openInbox((m) => replies.add(new TextDecoder().decode(m.body)));
    // As if the server had answered "unknown command": the read in flight is a BLMPOP, the next ones not.
    (inbox as unknown as { lmpop: boolean }).lmpop = false;
    const reply = (n: number) => ({ id: `r${n}`, body: new TextEncoder().encode(`${n}`), headers: {} });
    await transport.reply(inbox.address, reply(0));
    await replies.waitFor(1);
    await Promise.all([1, 2, 3, 4].map((n) => transport.reply(inbox.address, reply(n))));
    await replies.waitFor(5);
    expect(replies.items.sort()).toEqual(['0', '1', '2', '3', '4']);
    await inbox.close();
    await transport.close();
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
