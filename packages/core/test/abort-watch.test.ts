import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watchAbort } from '../src/index.js';

describe('watchAbort', () => {
  it('calls every watch still on when the signal aborts, once, and none that ended', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const endFirst = watchAbort(controller.signal, () => calls.push('first'));
    watchAbort(controller.signal, () => calls.push('second'));
    endFirst();
    controller.abort();
    controller.abort();
    expect(calls).toEqual(['second']);
  });

  it('a signal gets one abort listener however many watches come and go', () => {
    const controller = new AbortController();
    for (let i = 0; i < 100; i++) watchAbort(controller.signal, () => undefined)();
    const ends = Array.from({ length: 10 }, () => watchAbort(controller.signal, () => undefined));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (const end of ends) end();
  });

  it('an aborted signal calls at once, and its end does nothing', () => {
    let calls = 0;
    const end = watchAbort(AbortSignal.abort(), () => calls++);
    expect(calls).toBe(1);
    end();
    expect(calls).toBe(1);
  });
});
