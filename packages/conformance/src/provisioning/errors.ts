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
    super(
      `no ${kind} broker: ${reason}. Set ${urlVar(kind)} (and the *_PERSISTENT_URL / *_RESTART_CMD ` +
        `variables for restart tests), e.g. with \`${BROKERS_SCRIPT_HINT}\`, or unset ${REQUIRE_VAR} ` +
        'to let the suite skip.',
      options,
    );
  }
}
