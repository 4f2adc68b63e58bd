/**
 * Switchboard quickstart: sender → queue → receiver callback → reply; an event with two subscriber
 * groups; a failing message that ends in the dead letter after its retries.
 *
 * Runs on the in-memory broker by default. Any broker: SWITCHBOARD_URL=redis://127.0.0.1:6379 pnpm demo
 * (with that broker's adapter installed).
 */
import { connect } from '@switchboard/core';
import { runQuickstart } from './quickstart.js';

const url = process.env.SWITCHBOARD_URL ?? 'memory://';
const bus = await connect(url);
try {
  await runQuickstart(bus, console.log);
} finally {
  await bus.close();
}
