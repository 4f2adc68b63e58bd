import type { JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@switchboard/core';
import { busMeasurements } from './bus-cases.js';

// Switchboard over NATS JetStream (the default mode), or core NATS with `?mode=core` in the URL (the raw side
// switches too, see ../raw/nats-core.ts): each run uses its own subject/stream prefix and
// deletes its streams; request/reply travels over core NATS under the bus.

/** Switchboard's NATS measurements (publish, end-to-end, request/reply). */
export const natsSwitchboard = busMeasurements({
  broker: 'nats',
  requests: 20_000,
  async open(url) {
    const prefix = `bench${process.pid}${Date.now().toString(36)}`;
    const separator = url.includes('?') ? '&' : '?';
    const bus = await connect(`${url}${separator}prefix=${prefix}&storage=file`, { sendTimeoutMs: 60_000 });
    return {
      bus,
      async cleanup() {
        const jsm = (bus.transport.native as { jsm?: JetStreamManager }).jsm;
        if (jsm) {
          const names: string[] = [];
          for await (const name of jsm.streams.names()) if (name.startsWith(`${prefix}_`)) names.push(name);
          await Promise.all(names.map((name) => jsm.streams.delete(name).catch(() => false)));
        }
        await bus.close();
      },
    };
  },
});
