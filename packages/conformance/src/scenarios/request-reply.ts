/** Catalogue section "Request/reply": C34–C37. */
import { assert, assertEqual, rejects } from '../assert.js';
import { spyTransport } from '../spy.js';
import { type Scenario, scenario } from '../types.js';
import { Collector, elapse, gate, waitFor } from '../wait.js';
import { arrive } from './helpers.js';

/** Records unhandled rejections while `body` runs (C35: a late reply must be dropped silently). */
async function watchUnhandled<T>(body: (unhandled: readonly unknown[]) => Promise<T>): Promise<T> {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', listener);
  try {
    return await body(unhandled);
  } finally {
    process.off('unhandledRejection', listener);
  }
}

export const C34 = scenario({
  id: 'C34',
  title: 'a request gets its reply; 100 concurrent requests each get their own reply',
  async run(ctx) {
    const queue = ctx.unique('q');
    const responder = await ctx.createBus();
    await responder.reply<{ n: number }, { echo: number; id: string }>(
      queue,
      async (message) => {
        await new Promise((resolve) => setTimeout(resolve, (message.body.n * 13) % 7));
        return { echo: message.body.n, id: message.id };
      },
      { concurrency: 16 },
    );
    const requester = await ctx.createBus();
    const single = await requester.request<{ echo: number }>(
      queue,
      { n: -1 },
      { timeoutMs: ctx.timeouts.delivery },
    );
    assertEqual(single.echo, -1, 'reply to a single request');
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        requester.request<{ echo: number }>(queue, { n }, { timeoutMs: ctx.timeouts.delivery }),
      ),
    );
    for (const [n, reply] of replies.entries()) assertEqual(reply.echo, n, `reply to request #${n}`);
  },
});

export const C35 = scenario({
  id: 'C35',
  title: 'no responder: NO_RESPONDERS or TIMEOUT at the timeout ± 10 %; a late reply is dropped silently',
  timing: true,
  async run(ctx) {
    const timeoutMs = 1000;
    const requester = await ctx.createBus();
    const started = Date.now();
    const error = await rejects(
      requester.request(ctx.unique('nobody'), { hello: 1 }, { timeoutMs }),
      ['NO_RESPONDERS', 'TIMEOUT'],
      'request without a responder',
    );
    const elapsed = Date.now() - started;
    if (error.code === 'TIMEOUT') {
      assert(
        elapsed >= timeoutMs * 0.9 && elapsed <= timeoutMs * 1.1,
        `TIMEOUT after ${elapsed} ms, outside ${timeoutMs} ms ± 10 %`,
      );
    } else {
      assert(elapsed <= timeoutMs * 1.1, `NO_RESPONDERS after ${elapsed} ms, later than the timeout`);
    }
    ctx.note(`no responder: ${error.code} after ${elapsed} ms (timeout ${timeoutMs} ms)`);

    const queue = ctx.unique('slow');
    const release = gate();
    const spy = spyTransport(await ctx.createTransport());
    const responder = await ctx.createBus({ transport: spy.transport });
    await responder.reply<string, string>(queue, async (message) => {
      if (message.body === 'slow') await release.promise;
      return `reply to ${message.body}`;
    });
    await watchUnhandled(async (unhandled) => {
      const lateTimeout = 500;
      const lateStart = Date.now();
      await rejects(
        requester.request(queue, 'slow', { timeoutMs: lateTimeout }),
        'TIMEOUT',
        'request to a slow responder',
      );
      const lateElapsed = Date.now() - lateStart;
      assert(
        lateElapsed >= lateTimeout * 0.9 && lateElapsed <= lateTimeout * 1.1,
        `TIMEOUT after ${lateElapsed} ms, outside ${lateTimeout} ms ± 10 %`,
      );
      release.open();
      await waitFor(() => spy.acked.length >= 1, {
        timeoutMs: ctx.timeouts.delivery,
        what: 'the slow request to be acked',
      });
      await elapse(ctx.timeouts.quiet / 5);
      const next = await requester.request<string>(queue, 'fast', { timeoutMs: ctx.timeouts.delivery });
      assertEqual(next, 'reply to fast', 'the next request after a late reply');
      assertEqual(unhandled.length, 0, 'unhandled rejections caused by the late reply');
      assertEqual(
        ctx.reportedErrors.map((e) => e.message),
        [],
        'errors reported by the buses',
      );
    });
  },
});

export const C36 = scenario({
  id: 'C36',
  title:
    'a responder that throws: the requester gets REMOTE_ERROR with the message; the responder keeps serving',
  async run(ctx) {
    const queue = ctx.unique('q');
    const responder = await ctx.createBus();
    await responder.reply<string, string>(queue, (message) => {
      if (message.body === 'fail') throw new Error('C36 boom: no such order');
      return `ok ${message.body}`;
    });
    const requester = await ctx.createBus();
    const error = await rejects(
      requester.request(queue, 'fail', { timeoutMs: ctx.timeouts.delivery }),
      'REMOTE_ERROR',
      'request to a throwing responder',
    );
    assert(
      error.message.includes('C36 boom: no such order'),
      `REMOTE_ERROR should carry the message, got "${error.message}"`,
    );
    const next = await requester.request<string>(queue, 'again', { timeoutMs: ctx.timeouts.delivery });
    assertEqual(next, 'ok again', 'reply after a failed request');
  },
});

export const C37 = scenario({
  id: 'C37',
  title: 'a request aborted with an AbortSignal rejects with CANCELLED at once',
  timing: true,
  async run(ctx) {
    const queue = ctx.unique('q');
    const received = new Collector<string>('requests');
    const release = gate();
    const responder = await ctx.createBus();
    await responder.reply<string, string>(queue, async (message) => {
      received.push(message.body);
      await release.promise;
      return 'late';
    });
    const requester = await ctx.createBus();
    const controller = new AbortController();
    const pending = requester.request(queue, 'abort me', { timeoutMs: 30_000, signal: controller.signal });
    await received.waitForCount(1, arrive(ctx));
    const abortedAt = Date.now();
    controller.abort();
    await rejects(pending, 'CANCELLED', 'an aborted request');
    const took = Date.now() - abortedAt;
    assert(took <= 200, `the aborted request rejected ${took} ms after abort(), not at once`);
    const spy = spyTransport(await ctx.createTransport());
    const other = await ctx.createBus({ transport: spy.transport });
    await rejects(
      other.request(queue, 'pre-aborted', { signal: AbortSignal.abort() }),
      'CANCELLED',
      'a request with an already aborted signal',
    );
    assertEqual(spy.publishCalls, 0, 'publish calls for a request aborted before it was sent');
    release.open();
  },
});

export const requestReply: readonly Scenario[] = [C34, C35, C36, C37];
