import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';

/**
 * One lazily opened channel of a connection that reopens on next use after the broker closed it (a
 * channel error such as a declaration conflict closes only that channel, never the connection).
 * `waitForDrain()` implements back-pressure: after `publish` returned false, callers wait here until
 * the channel's write buffer drained (or the channel closed) before writing more.
 */
export class ChannelSlot<C extends Channel = Channel> {
  private current: Promise<C> | undefined;
  /** The channel once it is open (set up), until it closes: lets hot paths skip a promise turn. */
  opened: C | undefined;
  private drained: Promise<void> | undefined;

  constructor(
    private readonly model: ChannelModel,
    private readonly confirm: boolean,
    /** Called with every channel the slot opens, before it is used (prefetch, consumers…). */
    private readonly setup?: (channel: C) => Promise<void>,
  ) {}

  /** The open channel, opened now if there is none. Rejects with the native error if it cannot be opened. */
  get(): Promise<C> {
    if (this.current) return this.current;
    const opening = (async () => {
      const channel = (
        this.confirm ? await this.model.createConfirmChannel() : await this.model.createChannel()
      ) as C;
      channel.setMaxListeners(0);
      // Channel errors are reported through the failing operation; the listener keeps them from crashing.
      channel.on('error', () => undefined);
      channel.once('close', () => {
        if (this.current === opening) this.current = undefined;
        if (this.opened === channel) this.opened = undefined;
      });
      if (this.setup) await this.setup(channel);
      return channel;
    })();
    this.current = opening;
    opening.then(
      (channel) => {
        // Still current: it has not closed since (a close clears `current`).
        if (this.current === opening) this.opened = channel;
      },
      () => {
        if (this.current === opening) this.current = undefined;
      },
    );
    return opening;
  }

  /** Resolves when `channel` emits `drain` or closes (a closed channel fails its pending confirms instead). */
  waitForDrain(channel: C): Promise<void> {
    this.drained ??= new Promise<void>((resolve) => {
      const done = () => {
        channel.off('drain', done);
        channel.off('close', done);
        this.drained = undefined;
        resolve();
      };
      channel.on('drain', done);
      channel.on('close', done);
    });
    return this.drained;
  }

  /** Closes the channel if one is open; never rejects. */
  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    this.opened = undefined;
    if (!current) return;
    try {
      await (await current).close();
    } catch {
      // already closed
    }
  }
}

/** A confirm channel slot. */
export type ConfirmSlot = ChannelSlot<ConfirmChannel>;
