import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createBus } from './bus/bus.js';
import type { Bus } from './bus/bus-api.js';
import type { BusOptions } from './bus/options.js';
import { MessagingError, redactUrl } from './errors.js';
import { memoryTransport } from './memory/memory-transport.js';
import type { Transport } from './transport/contract.js';

/**
 * What an adapter package exports for `connect(url)`: a function that builds its transport from a URL
 * (credentials included) and adapter-specific options.
 */
export type TransportFromUrl = (url: string, options?: Record<string, unknown>) => Transport;

/** The adapter package `connect()` imports for each URL scheme (see {@link registerAdapterPackage}). */
export const ADAPTER_PACKAGES: Readonly<Record<string, string>> = {
  amqp: '@switchboard/adapter-rabbitmq',
  amqps: '@switchboard/adapter-rabbitmq',
  redis: '@switchboard/adapter-redis',
  rediss: '@switchboard/adapter-redis',
  kafka: '@switchboard/adapter-kafka',
  nats: '@switchboard/adapter-nats',
};

const packages = new Map<string, string>(Object.entries(ADAPTER_PACKAGES));

/**
 * Tells `connect()` which package to import for a scheme — for third-party adapters that export
 * `transportFromUrl`, loaded only when a URL with that scheme is used.
 */
export function registerAdapterPackage(scheme: string, packageName: string): void {
  packages.set(scheme.toLowerCase().replace(/:$/, ''), packageName);
}

const registered = new Map<string, TransportFromUrl>([
  ['memory', (url) => memoryTransport({ broker: new URL(url).host || 'default' })],
]);

/** Registers (or replaces) the transport for a scheme — for third-party adapters, or to skip the dynamic import. */
export function registerTransport(scheme: string, fromUrl: TransportFromUrl): void {
  registered.set(scheme.toLowerCase().replace(/:$/, ''), fromUrl);
}

/** Options of {@link connect}: bus options (without the transport) plus options passed to the adapter. */
export interface ConnectOptions extends Omit<BusOptions, 'transport'> {
  /** Adapter-specific options (see the adapter's README). */
  readonly adapter?: Record<string, unknown> | undefined;
}

/** The scheme of a broker URL; throws INVALID_ARGUMENT for a malformed one. */
export function schemeOf(url: string): string {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new MessagingError(
      'INVALID_ARGUMENT',
      'connect() needs a broker URL such as memory:// or redis://127.0.0.1:6379',
      { component: 'connect' },
    );
  }
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim());
  if (!match || !URL.canParse(url.split(',')[0]!.trim())) {
    throw new MessagingError(
      'INVALID_ARGUMENT',
      `"${redactUrl(url)}" is not a URL — expected scheme://host:port, e.g. amqp://127.0.0.1:5672`,
      {
        component: 'connect',
      },
    );
  }
  return match[1]!.toLowerCase();
}

/**
 * Picks the transport by URL scheme (`memory:`, `amqp:`/`amqps:`, `redis:`/`rediss:`, `kafka:`, `nats:`),
 * creates a bus over it and connects. Rejects with UNSUPPORTED naming the package to install when the
 * adapter is missing, INVALID_ARGUMENT for a malformed URL or unknown scheme, UNAVAILABLE when the broker
 * cannot be reached.
 */
export async function connect(url = 'memory://', options: ConnectOptions = {}): Promise<Bus> {
  const fromUrl = await transportFactoryFor(schemeOf(url));
  const { adapter, ...busOptions } = options;
  const transport = fromUrl(url, adapter);
  await transport.connect();
  return createBus({ ...busOptions, transport });
}

async function transportFactoryFor(scheme: string): Promise<TransportFromUrl> {
  const known = registered.get(scheme);
  if (known) return known;
  const packageName = packages.get(scheme);
  if (!packageName) {
    const schemes = ['memory', ...packages.keys(), ...registered.keys()];
    throw new MessagingError(
      'UNSUPPORTED',
      `no adapter for "${scheme}:" URLs — use one of ${[...new Set(schemes)].join(', ')}, or registerTransport()`,
      {
        component: 'connect',
      },
    );
  }
  const module = await importAdapter(packageName);
  if (typeof module.transportFromUrl !== 'function') {
    throw new MessagingError(
      'INTERNAL',
      `${packageName} does not export transportFromUrl(); is it a Switchboard adapter of a matching version?`,
      {
        component: 'connect',
      },
    );
  }
  registered.set(scheme, module.transportFromUrl);
  return module.transportFromUrl;
}

/**
 * Imports an adapter from wherever it is installed: next to core, in the application's main script's
 * package (`process.argv[1]`), or in the working directory's.
 */
async function importAdapter(packageName: string): Promise<{ transportFromUrl?: TransportFromUrl }> {
  try {
    return await import(packageName);
  } catch (first) {
    const bases = [process.argv[1], `${process.cwd()}/`].filter((base): base is string => Boolean(base));
    for (const base of bases) {
      try {
        const resolved = createRequire(base).resolve(packageName);
        return await import(pathToFileURL(resolved).href);
      } catch {
        // try the next place
      }
    }
    throw new MessagingError(
      'UNSUPPORTED',
      `the adapter package ${packageName} is not installed — run \`npm install ${packageName}\``,
      {
        component: 'connect',
        cause: first,
      },
    );
  }
}
