import { redactUrl } from '@switchboard/core';
import type { LogEntry, logCreator } from 'kafkajs';

/** kafkajs log level ERROR (the enum is not importable from an ESM module without loading kafkajs). */
const ERROR = 1;

/**
 * Messages kafkajs logs at ERROR level while it is already retrying on its own (lost connections,
 * rebalances, restarts): the adapter maps the outcome to a MessagingError instead, so they are dropped.
 */
const TRANSIENT =
  /connection|ECONNREFUSED|rebalanc|coordinator|crash|restart|leader|timed out|closed|host this topic|topic creation errors|already exists|seed broker|sasl|not connected|max message size|out of order sequence|^Response /i;

/**
 * A quiet kafkajs log creator: only errors kafkajs does not handle itself reach `sink` (default stderr),
 * prefixed with `[adapter-kafka]` and with any URL credentials removed.
 */
export function quietLogCreator(sink: (line: string) => void = (line) => console.error(line)): logCreator {
  return () => (entry: LogEntry) => {
    if (entry.level > ERROR) return;
    const message = entry.log.message;
    const error = (entry.log as { error?: unknown }).error;
    const text = `${message}${typeof error === 'string' ? `: ${error}` : ''}`;
    if (TRANSIENT.test(text)) return;
    sink(`[adapter-kafka] kafkajs ${entry.namespace}: ${redactUrl(text)}`);
  };
}
