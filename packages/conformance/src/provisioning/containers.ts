import type { BrokerKind } from './types.js';

/** A broker running in a container that provisioning started. */
export interface ContainerHandle {
  /** The URL to connect to now (a restart may change the mapped port). */
  url(): string;
  /** Restarts the container keeping its filesystem; absent where that would not keep the broker usable. */
  restart?: () => Promise<void>;
  /** Stops and removes the container. */
  stop(): Promise<void>;
}

/** Starts a broker container; injected in tests. */
export type ContainerStarter = (kind: BrokerKind, persistent: boolean) => Promise<ContainerHandle>;

/** Images used by {@link startContainer}. */
export const CONTAINER_IMAGES: Readonly<Record<BrokerKind, string>> = {
  rabbitmq: 'rabbitmq:4.1-alpine',
  redis: 'redis:7.4-alpine',
  kafka: 'confluentinc/cp-kafka:7.9.0',
  nats: 'nats:2.11-alpine',
};

/**
 * Whether a container of `kind` can be restarted keeping both its data and its URL working.
 * Kafka cannot: its advertised listener names the host port mapped at start, which Docker
 * reassigns on restart, so a persistent Kafka comes only from the environment.
 */
export function containerCanRestart(kind: BrokerKind): boolean {
  return kind !== 'kafka';
}

/**
 * Starts `kind` with testcontainers, imported only here and only when called, so importing the
 * provisioning module never touches Docker. Persistent Redis runs with AOF; NATS always has
 * JetStream (its store lives in the container filesystem, which a restart keeps).
 */
export const startContainer: ContainerStarter = async (kind, persistent) => {
  switch (kind) {
    case 'rabbitmq': {
      const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
      const c = await new RabbitMQContainer(CONTAINER_IMAGES.rabbitmq).start();
      const url = (): string => `amqp://guest:guest@${c.getHost()}:${c.getMappedPort(5672)}`;
      return handle(
        url,
        () => c.restart(),
        () => c.stop(),
        persistent,
      );
    }
    case 'redis': {
      const { RedisContainer } = await import('@testcontainers/redis');
      const base = new RedisContainer(CONTAINER_IMAGES.redis);
      const c = await (persistent
        ? base.withCommand(['redis-server', '--appendonly', 'yes', '--appendfsync', 'always'])
        : base
      ).start();
      const url = (): string => `redis://${c.getHost()}:${c.getMappedPort(6379)}`;
      return handle(
        url,
        () => c.restart(),
        () => c.stop(),
        persistent,
      );
    }
    case 'nats': {
      const { NatsContainer } = await import('@testcontainers/nats');
      const c = await new NatsContainer(CONTAINER_IMAGES.nats).withJetStream().start();
      const url = (): string => `nats://${c.getHost()}:${c.getMappedPort(4222)}`;
      return handle(
        url,
        () => c.restart(),
        () => c.stop(),
        persistent,
      );
    }
    case 'kafka': {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const c = await new KafkaContainer(CONTAINER_IMAGES.kafka).withKraft().start();
      const url = `kafka://${c.getHost()}:${c.getMappedPort(9093)}`;
      return handle(
        () => url,
        undefined,
        () => c.stop(),
        false,
      );
    }
  }
};

function handle(
  url: () => string,
  restart: (() => Promise<void>) | undefined,
  stop: () => Promise<unknown>,
  withRestart: boolean,
): ContainerHandle {
  return {
    url,
    ...(withRestart && restart ? { restart } : {}),
    stop: async () => {
      await stop();
    },
  };
}
