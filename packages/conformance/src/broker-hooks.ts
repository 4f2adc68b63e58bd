import type { BrokerHooks } from './types.js';

/**
 * The shape of a provisioning result (`@switchboard/conformance/provisioning`'s `ProvisionResult`), typed
 * structurally so that any provider with the same fields works.
 */
export type ProvisionedLike =
  | { readonly skipped: true; readonly reason: string }
  | {
      readonly skipped: false;
      readonly url: string;
      /** Restarts the broker and resolves with the URL to use afterwards (a container may change port). */
      readonly restart?: (() => Promise<string>) | undefined;
      stop(): Promise<void>;
    };

/**
 * Turns a provisioning result into the suite's {@link BrokerHooks}: a skip becomes `skip`, `restart` keeps the
 * URL current (read `hooks.url` again after a restart — `create` does, since it is called per transport).
 *
 * ```ts
 * runConformance({
 *   name: 'redis',
 *   broker: async () => brokerHooksFrom(await provisionBroker('redis', { persistent: true })),
 *   create: (broker) => redisTransport({ url: broker?.url }),
 * });
 * ```
 */
export function brokerHooksFrom(result: ProvisionedLike, extra: Partial<BrokerHooks> = {}): BrokerHooks {
  if (result.skipped) return { ...extra, skip: result.reason };
  let url = result.url;
  const restart = result.restart;
  return {
    ...extra,
    get url() {
      return url;
    },
    restart: restart
      ? async () => {
          url = await restart();
        }
      : undefined,
    stop: () => result.stop(),
  };
}
