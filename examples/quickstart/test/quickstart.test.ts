import { createBus, memoryTransport } from '@switchboard/core';
import { expect, test } from 'vitest';
import { runQuickstart } from '../src/quickstart.js';

test('the quickstart prints the whole flow on the memory broker', async () => {
  const lines: string[] = [];
  const bus = createBus({ transport: memoryTransport({ broker: 'quickstart-test' }) });
  await runQuickstart(bus, (line) => lines.push(line));
  await bus.close();
  expect(lines).toContain('Received message from Sender: Hello, World!');
  expect(lines).toContain('Sender got the confirmation: Thanks, Sender! Your message arrived.');
  expect(lines).toContain('billing: invoice for order A-1001 (42 EUR)');
  expect(lines).toContain('shipping: parcel for order A-1001');
  expect(lines.filter((line) => line.startsWith('payments: attempt'))).toHaveLength(3);
  expect(lines.at(-1)).toBe('dead letter: {"card":"4111-xxxx"} after 3 attempts: card declined');
});
