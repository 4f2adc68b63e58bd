import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Capabilities } from '@switchboard/core';
import { capabilitiesFor } from './capabilities.js';
import { Connection } from './connection.js';
import { CorePublisher } from './core-publisher.js';
import { mapError, natsError } from './errors.js';
import * as names from './naming.js';
import type { ResolvedOptions } from './options.js';
import { PipelinedPublisher } from './publisher.js';
import { MINIMUM_SERVER_VERSION, serverFeatures } from './server-features.js';
import { StreamManager } from './streams.js';

/** The escape hatch: the NATS connection and, in JetStream mode, the JetStream client and manager. */
export interface NatsNative {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient | undefined;
  readonly jsm: JetStreamManager | undefined;
}

/** Everything a connected transport works with; the JetStream parts are undefined in core mode. */
export interface Live {
  readonly connection: Connection;
  readonly js: JetStreamClient | undefined;
  readonly streams: StreamManager | undefined;
  readonly jsPublisher: PipelinedPublisher | undefined;
  readonly corePublisher: CorePublisher;
  readonly native: NatsNative;
  /** What the connected server lets the adapter offer (its version and max_payload). */
  readonly capabilities: Capabilities;
}

/**
 * Connects and sets up the clients for the mode. JetStream mode on a server older than
 * {@link MINIMUM_SERVER_VERSION}.jetStream is UNSUPPORTED here rather than failing later. `closed` is asked
 * once everything is open: when it says the transport was closed meanwhile, the connection is closed again
 * and this rejects with CLOSED.
 */
export async function openLive(options: ResolvedOptions, closed: () => boolean): Promise<Live> {
  const connection = await Connection.open(options);
  try {
    const nc = connection.nc;
    const features = serverFeatures(nc.info?.version);
    let jsm: JetStreamManager | undefined;
    let js: JetStreamClient | undefined;
    if (options.mode === 'jetstream') {
      if (!features.jetStream) throw tooOldForJetStream(nc.info?.version);
      jsm = await jetstreamManager(nc).catch((error: unknown) => {
        throw mapError(error, 'open JetStream');
      });
      js = jetstream(nc);
    }
    const capabilities = capabilitiesFor(options.mode, options.duplicateWindowMs, {
      maxPayload: nc.info?.max_payload,
      features,
    });
    if (closed()) throw natsError('CLOSED', 'the transport was closed while it connected', false);
    return {
      connection,
      js,
      streams: jsm ? new StreamManager(jsm, options, features) : undefined,
      jsPublisher: js ? new PipelinedPublisher(connection) : undefined,
      corePublisher: new CorePublisher(connection),
      native: { nc, js, jsm },
      capabilities,
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** Makes sure the one stream holding every topic exists (JetStream mode). */
export function ensureTopicStream(streams: StreamManager, prefix: string): Promise<void> {
  return streams.ensureTopicStream(names.topicStreamName(prefix), `${prefix}.t.>`);
}

/** JetStream mode on a server older than the client's consumers API: UNSUPPORTED at connect, not later. */
function tooOldForJetStream(version: string | undefined) {
  return natsError(
    'UNSUPPORTED',
    `nats-server ${version ?? '(unknown version)'} is older than ${MINIMUM_SERVER_VERSION.jetStream}, the first version JetStream mode works with — upgrade the server or use ?mode=core`,
    false,
  );
}
