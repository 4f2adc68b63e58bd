import { assert } from '../assert.js';
import type { ScenarioContext } from '../types.js';
import { elapse } from '../wait.js';
import { arrive, collect, idOf, sendNumbered } from './helpers.js';

/**
 * The negative check of every scenario that needs messages to wait for a consumer (`persistent`): without
 * it, what is sent while nobody receives is lost, and what is sent afterwards arrives.
 */
export const lostWithoutConsumer = {
  title: 'persistent not declared: what is sent before any receiver is lost, later messages arrive',
  async run(ctx: ScenarioContext): Promise<void> {
    const queue = ctx.unique('q');
    const bus = await ctx.createBus();
    const before = await sendNumbered(bus, 'queue', queue, 10);
    const { collector } = await collect(bus, 'queue', queue);
    const after = await sendNumbered(bus, 'queue', queue, 10, () => ({}), 10);
    await collector.waitForAll(after, idOf, arrive(ctx));
    await elapse(ctx.timeouts.quiet);
    const early = collector.items.map(idOf).filter((id) => before.includes(id));
    assert(
      early.length === 0,
      `${early.length} message(s) sent before any receiver were delivered, but the adapter does not declare persistent — declare it or document the behaviour`,
    );
  },
};
