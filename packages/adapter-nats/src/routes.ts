import type { Destination } from '@switchboard/core';
import * as names from './naming.js';

/** Where a publish to one destination goes. */
export interface Route {
  /** The subject messages are published on. */
  readonly subject: string;
  /** The JetStream stream that holds the subject. */
  readonly stream: string;
  /** For a queue: the core subject requests travel on; undefined for a topic. */
  readonly request: string | undefined;
}

/** Most destinations remembered; past it the cache starts again (names are cheap to recompute). */
const LIMIT = 10_000;

/**
 * The subjects and stream of each destination published to, validated and escaped once: publishing is the
 * hot path, and the names never change for a transport's prefix. An invalid name throws INVALID_ARGUMENT
 * every time (it is not remembered).
 */
export class Routes {
  private readonly queues = new Map<string, Route>();
  private readonly topics = new Map<string, Route>();

  constructor(private readonly prefix: string) {}

  of(destination: Destination): Route {
    const queue = destination.kind === 'queue';
    const cache = queue ? this.queues : this.topics;
    let route = cache.get(destination.name);
    if (route === undefined) {
      route = queue ? this.queueRoute(destination.name) : this.topicRoute(destination.name);
      if (cache.size >= LIMIT) cache.clear();
      cache.set(destination.name, route);
    }
    return route;
  }

  private queueRoute(name: string): Route {
    return {
      subject: names.queueSubject(this.prefix, name),
      stream: names.queueStreamName(this.prefix, name),
      request: names.requestSubject(this.prefix, name),
    };
  }

  private topicRoute(name: string): Route {
    return {
      subject: names.topicSubject(this.prefix, name, false),
      stream: names.topicStreamName(this.prefix),
      request: undefined,
    };
  }
}
