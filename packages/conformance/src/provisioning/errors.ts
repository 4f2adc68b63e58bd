import { BROKERS_SCRIPT_HINT, REQUIRE_VAR, urlVar } from './env.js';
import type { BrokerKind } from './types.js';

/**
 * Thrown instead of a skip when `SWITCHBOARD_REQUIRE_BROKERS=1`, and by {@link assertProvisioned}.
 * The message names the variable to set and the script that provides it.
 */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
  constructor(
    readonly kind: BrokerKind,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    const hint = reason.includes('scripts/brokers') ? '' : `, e.g. with \`${BROKERS_SCRIPT_HINT}\``;
    super(
      `no ${kind} broker: ${reason}. Set ${urlVar(kind)} (restart tests: the *_PERSISTENT_URL and ` +
        `*_RESTART_CMD variables)${hint}; with ${REQUIRE_VAR}=1 a missing broker fails instead of skipping.`,
      options,
    );
  }
}
