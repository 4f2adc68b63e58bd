/** Server version → features → capabilities: pure logic, no broker. */
import { describe, expect, it } from 'vitest';
import { capabilitiesFor, HEADER_ALLOWANCE } from '../src/capabilities.js';
import { ttlHeaderValue } from '../src/header-block.js';
import { MINIMUM_SERVER_VERSION, serverFeatures, versionNumber } from '../src/server-features.js';

const WINDOW = 120_000;

function facts(version: string | undefined, maxPayload = 1_048_576) {
  return { maxPayload, features: serverFeatures(version) };
}

describe('server versions', () => {
  it('compares versions numerically, ignoring pre-release suffixes', () => {
    expect(versionNumber('2.9.10')).toBeGreaterThan(versionNumber('2.9.4'));
    expect(versionNumber('2.10.0')).toBeGreaterThan(versionNumber('2.9.25'));
    expect(versionNumber('2.11.0-RC.1')).toBe(versionNumber('2.11.0'));
    expect(versionNumber(undefined)).toBe(0);
    expect(versionNumber('garbage')).toBe(0);
  });

  it('gives each feature from its minimum version on, and none to an unknown version', () => {
    for (const [feature, minimum] of Object.entries(MINIMUM_SERVER_VERSION)) {
      const [major, minor, patch] = minimum.split('.').map(Number) as [number, number, number];
      const before = patch > 0 ? `${major}.${minor}.${patch - 1}` : `${major}.${minor - 1}.99`;
      expect(serverFeatures(minimum)[feature as keyof typeof MINIMUM_SERVER_VERSION], minimum).toBe(true);
      expect(serverFeatures(before)[feature as keyof typeof MINIMUM_SERVER_VERSION], before).toBe(false);
    }
    expect(Object.values(serverFeatures(undefined)).some(Boolean)).toBe(false);
  });

  it('nats-server 2.9.10 has JetStream mode but no per-message TTL, metadata or priority groups', () => {
    expect(serverFeatures('2.9.10')).toEqual({
      jetStream: true,
      consumerMetadata: false,
      messageTtl: false,
      consumerPriorityGroups: false,
      messageSchedules: false,
    });
  });
});

describe('capabilities by mode and server', () => {
  it('declares ttl in JetStream mode only from nats-server 2.11 on', () => {
    expect(capabilitiesFor('jetstream', WINDOW, facts('2.9.10')).ttl).toBe(false);
    expect(capabilitiesFor('jetstream', WINDOW, facts('2.10.24')).ttl).toBe(false);
    expect(capabilitiesFor('jetstream', WINDOW, facts('2.11.0')).ttl).toBe(true);
    expect(capabilitiesFor('jetstream', WINDOW, facts('2.12.1')).ttl).toBe(true);
    expect(capabilitiesFor('core', WINDOW, facts('2.12.1')).ttl).toBe(false);
  });

  it('never declares delay or priority, whatever the server', () => {
    for (const mode of ['jetstream', 'core'] as const) {
      const capabilities = capabilitiesFor(mode, WINDOW, facts('2.12.1'));
      expect(capabilities.delay).toBe(false);
      expect(capabilities.priority).toBe(false);
    }
  });

  it('before connect: the JetStream set without optional server features and the default max_payload', () => {
    expect(capabilitiesFor('jetstream', WINDOW)).toEqual({
      persistent: true,
      replay: true,
      delay: false,
      nackDelay: true,
      ttl: false,
      dedupe: true,
      dedupeWindowMs: WINDOW,
      ackDeadline: true,
      priority: false,
      wildcards: true,
      maxPayloadBytes: 1_048_576 - HEADER_ALLOWANCE,
    });
    expect(capabilitiesFor('core', WINDOW)).toMatchObject({ persistent: false, dedupe: false, ttl: false });
  });

  it('takes the payload limit from the server, less the header allowance', () => {
    expect(capabilitiesFor('core', WINDOW, facts('2.9.10', 8_388_608)).maxPayloadBytes).toBe(
      8_388_608 - HEADER_ALLOWANCE,
    );
  });
});

describe('Nats-TTL values', () => {
  it('are whole seconds, rounded up, at least 1 s', () => {
    expect(ttlHeaderValue(1)).toBe('1s');
    expect(ttlHeaderValue(1000)).toBe('1s');
    expect(ttlHeaderValue(1001)).toBe('2s');
    expect(ttlHeaderValue(30_000)).toBe('30s');
  });
});
