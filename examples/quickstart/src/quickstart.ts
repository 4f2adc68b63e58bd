import type { Bus } from '@switchboard/core';

/** Prints one line; `console.log` in the demo, a collector in the test. */
export type Print = (line: string) => void;

/** Resolves when `count` calls of the returned `tick` have happened. */
function countdown(count: number): { tick: () => void; done: Promise<void> } {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  let left = count;
  return { tick: () => --left === 0 && resolve(), done };
}

/** The quickstart flow, on whatever bus it is given. Unique names keep reruns on a real broker apart. */
export async function runQuickstart(bus: Bus, print: Print): Promise<void> {
  const run = Date.now().toString(36);

  // 1. Point to point with a reply: the receiver's return value is the reply.
  const greetings = `quickstart.greetings.${run}`;
  const receiver = await bus.reply(greetings, (message) => {
    print(`Received message from ${message.headers.from}: ${message.body}`);
    return `Thanks, ${message.headers.from}! Your message arrived.`;
  });
  const confirmation = bus.request<string>(greetings, 'Hello, World!', {
    headers: { from: 'Sender' },
    timeoutMs: 10_000,
  });
  print('Sender: message sent, going on with other work');
  print(`Sender got the confirmation: ${await confirmation}`);
  await receiver.close();

  // 2. Events: every group gets every event.
  const orders = `quickstart.orders.${run}`;
  const bothGroups = countdown(2);
  const billing = await bus.subscribe<{ orderId: string; total: number }>(
    orders,
    (event) => {
      print(`billing: invoice for order ${event.body.orderId} (${event.body.total} EUR)`);
      bothGroups.tick();
    },
    { group: 'billing' },
  );
  const shipping = await bus.subscribe<{ orderId: string }>(
    orders,
    (event) => {
      print(`shipping: parcel for order ${event.body.orderId}`);
      bothGroups.tick();
    },
    { group: 'shipping' },
  );
  await bus.publish(orders, { orderId: 'A-1001', total: 42 });
  await bothGroups.done;
  await Promise.all([billing.close(), shipping.close()]);

  // 3. A message that keeps failing is retried with backoff, then dead-lettered with the reason.
  const payments = `quickstart.payments.${run}`;
  const deadLettered = countdown(1);
  const failing = await bus.receive<{ card: string }>(
    payments,
    (message) => {
      print(`payments: attempt ${message.attempt} for card ${message.body.card} failed`);
      throw new Error('card declined');
    },
    { maxAttempts: 3, backoff: { initialMs: 50 } },
  );
  const deadLetters = await bus.receive(`${payments}.dead-letter`, (message) => {
    const failure = message.failure;
    print(
      `dead letter: ${JSON.stringify(message.body)} after ${failure?.attempts} attempts: ${failure?.error}`,
    );
    deadLettered.tick();
  });
  await bus.send(payments, { card: '4111-xxxx' });
  await deadLettered.done;
  await Promise.all([failing.close(), deadLetters.close()]);
}
