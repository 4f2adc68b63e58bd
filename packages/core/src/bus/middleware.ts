import type { HandlerContext, Message, SendResult } from '../message.js';

/** What a send middleware sees and may change before the body is encoded. */
export interface SendContext {
  readonly destination: string;
  readonly kind: 'queue' | 'topic';
  /** The body about to be encoded; may be replaced. */
  body: unknown;
  /** User headers about to be sent; may be changed (e.g. to add a `traceparent`). */
  headers: Record<string, string>;
}

/**
 * Hooks around sending and handling, run in the order they were added (the first added is outermost).
 * Each must call `next()` exactly once to continue, or throw to stop.
 */
export interface Middleware {
  /** Around every send, publish and request. */
  send?(context: SendContext, next: () => Promise<SendResult>): Promise<SendResult>;
  /** Around every handler call; its result is the handler's (the reply, for responders). */
  handle?(message: Message, context: HandlerContext, next: () => Promise<unknown>): Promise<unknown>;
}

/** Composes the `send` hooks around `last`. */
export function composeSend(
  middleware: readonly Middleware[],
  context: SendContext,
  last: () => Promise<SendResult>,
): Promise<SendResult> {
  const hooks = middleware.filter((m) => m.send);
  const run = (index: number): Promise<SendResult> =>
    index === hooks.length ? last() : hooks[index]!.send!(context, () => run(index + 1));
  return run(0);
}

/** Composes the `handle` hooks around `last`. */
export function composeHandle(
  middleware: readonly Middleware[],
  message: Message,
  context: HandlerContext,
  last: () => Promise<unknown>,
): Promise<unknown> {
  const hooks = middleware.filter((m) => m.handle);
  if (hooks.length === 0) return last();
  const run = (index: number): Promise<unknown> =>
    index === hooks.length ? last() : hooks[index]!.handle!(message, context, () => run(index + 1));
  return run(0);
}
