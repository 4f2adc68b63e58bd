import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../src/offset-tracker.js';

describe('OffsetTracker (contiguous-prefix commits)', () => {
  it('commits nothing before anything was handed out', () => {
    const tracker = new OffsetTracker();
    expect(tracker.nextCommit()).toBeUndefined();
    expect(tracker.uncommitted()).toBeUndefined();
  });

  it('never commits past an unfinished offset when later ones complete first (C20: ack A B D, fail C E)', () => {
    const tracker = new OffsetTracker();
    for (const offset of [10, 11, 12, 13, 14]) tracker.add(offset);
    expect(tracker.complete(10)).toBe(true);
    expect(tracker.complete(11)).toBe(true);
    expect(tracker.complete(13)).toBe(false);
    expect(tracker.nextCommit()).toBe(12);
    expect(tracker.pending).toBe(2);
    expect(tracker.complete(14)).toBe(false);
    expect(tracker.nextCommit()).toBe(12);
    expect(tracker.complete(12)).toBe(true);
    expect(tracker.nextCommit()).toBe(15);
    expect(tracker.pending).toBe(0);
  });

  it('handles gaps in offsets (compaction, transaction markers)', () => {
    const tracker = new OffsetTracker();
    tracker.add(3);
    tracker.add(7);
    tracker.complete(7);
    expect(tracker.nextCommit()).toBe(3);
    tracker.complete(3);
    expect(tracker.nextCommit()).toBe(8);
  });

  it('counts skipped records (retry copies for other groups) as done without blocking', () => {
    const tracker = new OffsetTracker();
    tracker.add(0, true);
    expect(tracker.nextCommit()).toBe(1);
    tracker.add(1);
    tracker.add(2, true);
    expect(tracker.nextCommit()).toBe(1);
    tracker.complete(1);
    expect(tracker.nextCommit()).toBe(3);
  });

  it('reports only offsets ahead of the last commit, so nothing is committed twice', () => {
    const tracker = new OffsetTracker();
    tracker.add(0);
    tracker.complete(0);
    expect(tracker.uncommitted()).toBe(1);
    tracker.markCommitted(1);
    expect(tracker.uncommitted()).toBeUndefined();
    tracker.add(1);
    expect(tracker.uncommitted()).toBeUndefined();
    tracker.complete(1);
    expect(tracker.uncommitted()).toBe(2);
  });

  it('recognises offsets seen in this generation (a refetch after a rebalance)', () => {
    const tracker = new OffsetTracker();
    tracker.add(5);
    expect(tracker.has(4)).toBe(true);
    expect(tracker.has(5)).toBe(true);
    expect(tracker.has(6)).toBe(false);
    expect(() => tracker.add(5)).toThrow(RangeError);
  });

  it('stays correct over many offsets completed in shuffled order', () => {
    const tracker = new OffsetTracker();
    const offsets = Array.from({ length: 5000 }, (_, i) => i);
    for (const offset of offsets) tracker.add(offset);
    const shuffled = [...offsets].sort(() => Math.random() - 0.5);
    const done = new Set<number>();
    for (const offset of shuffled) {
      tracker.complete(offset);
      done.add(offset);
      let lowest = 0;
      while (done.has(lowest)) lowest++;
      if (offset % 97 === 0) expect(tracker.nextCommit()).toBe(lowest);
    }
    expect(tracker.nextCommit()).toBe(5000);
  });
});
