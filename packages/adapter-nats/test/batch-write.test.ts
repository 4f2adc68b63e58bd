/**
 * writeBatch against nats-server: a batch written as one chunk of HPUB commands arrives exactly as the same
 * messages sent with `nc.publish` (subject, reply, headers, body, order), and the fallback used when the
 * client's internals are missing sends the same. writeBatchAndFlush sends the same and resolves only once the
 * server has answered the PING behind them.
 */
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { WireMessage } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBatch, writeBatchAndFlush } from '../src/batch-write.js';
import { encodeHeaders, headersOf } from '../src/header-block.js';
import { freshPrefix, natsUrl } from './broker.js';

const found = await natsUrl(false);
// With SWITCHBOARD_REQUIRE_BROKERS=1, natsUrl throws instead of returning no URL: CI never skips these.
if (!found.url) console.warn(`[adapter-nats] writeBatch broker tests skipped: ${found.reason}`);

const messages: WireMessage[] = [
  { id: 'a', body: new TextEncoder().encode('{"n":1}'), headers: { 'sb-id': 'a', 'x-uni': '漢字 ☺' } },
  { id: 'b', body: new Uint8Array([0, 255, 13, 10]), headers: { 'sb-id': 'b' }, key: 'k', dedupeId: 'd' },
  { id: 'c', body: new Uint8Array(0), headers: {} },
];

interface Seen {
  readonly subject: string;
  readonly reply: string | undefined;
  readonly headers: Record<string, string>;
  readonly body: number[];
}

/** Sends with `send` and resolves with what a subscriber on `subject` received, in order. */
async function received(nc: NatsConnection, subject: string, send: () => void): Promise<Seen[]> {
  const seen: Seen[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const sub = nc.subscribe(subject, {
    callback: (_error, msg: Msg) => {
      seen.push({
        subject: msg.subject,
        reply: msg.reply || undefined,
        headers: headersOf(msg),
        body: [...msg.data],
      });
      if (seen.length === messages.length) done();
    },
  });
  await nc.flush();
  send();
  await all;
  sub.unsubscribe();
  return seen;
}

describe.skipIf(!found.url)('writeBatch against nats-server', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: found.url!.split('?')[0]!.split(',') });
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('writes what nc.publish writes, with and without reply subjects, and through the fallback', async () => {
    const subject = `${freshPrefix()}.batch`;
    const reply = (i: number) => `_INBOX.x.${i}`;
    const viaClient = await received(nc, subject, () => {
      messages.forEach((m, i) => {
        nc.publish(subject, m.body, { headers: encodeHeaders(m).asMsgHdrs(), reply: reply(i) });
      });
    });
    const viaBatch = await received(nc, subject, () => writeBatch(nc, subject, messages, 'test', reply));
    const withoutInternals = {
      isClosed: () => nc.isClosed(),
      publish: nc.publish.bind(nc),
    } as unknown as NatsConnection;
    const viaFallback = await received(nc, subject, () =>
      writeBatch(withoutInternals, subject, messages, 'test', reply),
    );
    expect(viaBatch).toEqual(viaClient);
    expect(viaFallback).toEqual(viaClient);
    const noReply = await received(nc, subject, () => writeBatch(nc, subject, messages, 'test'));
    expect(noReply.map((m) => m.reply)).toEqual([undefined, undefined, undefined]);
    expect(noReply.map((m) => m.body)).toEqual(viaClient.map((m) => m.body));
  });

  it('writeBatchAndFlush sends the same and resolves once the server has read the batch', async () => {
    const subject = `${freshPrefix()}.flush`;
    const viaClient = await received(nc, subject, () => {
      for (const m of messages) nc.publish(subject, m.body, { headers: encodeHeaders(m).asMsgHdrs() });
    });
    const viaFlush = await received(nc, subject, () => {
      void writeBatchAndFlush(nc, subject, messages, 'test');
    });
    expect(viaFlush).toEqual(viaClient);

    // The server answers the PING after it has routed the messages before it, so a subscriber on the same
    // connection has every message once the flush resolves.
    const seen: number[] = [];
    const sub = nc.subscribe(subject, {
      callback: (_error, msg) => {
        seen.push(msg.data.length);
      },
    });
    await nc.flush();
    const many = Array.from({ length: 500 }, (_, i) => ({ ...messages[0]!, id: `m${i}` }));
    await writeBatchAndFlush(nc, subject, many, 'test');
    expect(seen).toHaveLength(500);
    sub.unsubscribe();

    const outMsgs = nc.stats().outMsgs;
    await writeBatchAndFlush(nc, subject, messages, 'test');
    expect(nc.stats().outMsgs).toBe(outMsgs + messages.length);
  });

  it("writeBatchAndFlush throws the client's error on a closed connection, as writeBatch does", async () => {
    const other = await connect({ servers: found.url!.split('?')[0]!.split(',') });
    await other.close();
    expect(() => writeBatchAndFlush(other, `${freshPrefix()}.closed`, messages, 'test')).toThrow(
      /closed connection/,
    );
  });
});
