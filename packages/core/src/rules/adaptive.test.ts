import { describe, expect, it } from 'vitest';
import {
  applyThresholdChanges,
  proposeThresholdChanges,
  StaleProposalError,
  wilsonInterval,
  type OutcomeCounts,
} from './adaptive.ts';
import { DEFAULT_RULES } from './defaults.ts';

const row = (
  over: Partial<OutcomeCounts> & Pick<OutcomeCounts, 'action' | 'hits' | 'misses'>,
): OutcomeCounts => ({
  bucket: null,
  trend: null,
  audienceType: 'broad',
  stage: null,
  ...over,
});

describe('wilsonInterval', () => {
  it('brackets the rate, narrows with more data and stays inside [0, 1]', () => {
    const [lo10, hi10] = wilsonInterval(5, 10);
    const [lo1000, hi1000] = wilsonInterval(500, 1000);
    expect(lo10).toBeLessThan(0.5);
    expect(hi10).toBeGreaterThan(0.5);
    expect(hi1000 - lo1000).toBeLessThan(hi10 - lo10);
    expect(wilsonInterval(0, 10)[0]).toBe(0);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
    // Known value: 8 of 10 at 90% is about [0.541, 0.931] (p ± z·sqrt(p(1-p)/n + z²/4n²) over 1 + z²/n).
    const [lo, hi] = wilsonInterval(8, 10);
    expect(lo).toBeCloseTo(0.5408, 3);
    expect(hi).toBeCloseTo(0.9314, 3);
  });
});

describe('proposeThresholdChanges', () => {
  it('proposes nothing on too few outcomes, however bad', () => {
    const rows = [row({ action: 'SCALE', bucket: 'winner', trend: 'stable', hits: 1, misses: 18 })];
    expect(proposeThresholdChanges(DEFAULT_RULES, rows)).toEqual([]);
  });

  it('proposes nothing when hit rates are unremarkable', () => {
    const rows = [
      row({ action: 'SCALE', bucket: 'winner', trend: 'stable', hits: 35, misses: 15 }),
      row({ action: 'PAUSE', bucket: 'loser', trend: 'stable', hits: 40, misses: 8 }),
      row({ action: 'HOLD', bucket: 'average', trend: 'stable', hits: 80, misses: 20 }),
    ];
    expect(proposeThresholdChanges(DEFAULT_RULES, rows)).toEqual([]);
  });

  it('steps a failing scale cell down and raises the winner line, bounded, with the evidence', () => {
    const rows = [row({ action: 'SCALE', bucket: 'winner', trend: 'stable', hits: 10, misses: 30 })];
    const proposals = proposeThresholdChanges(DEFAULT_RULES, rows);
    expect(proposals.map((p) => p.key)).toEqual([
      'matrix.winner.stable.scalePercent:down',
      'buckets.winnerAtLeast:up',
    ]);
    expect(proposals[0]?.changes).toEqual([
      { path: ['matrix', 'winner', 'stable', 'scalePercent'], from: 20, to: 15 },
    ]);
    expect(proposals[1]?.changes).toEqual([{ path: ['buckets', 'winnerAtLeast'], from: 1.2, to: 1.25 }]);
    expect(proposals[0]?.evidence).toMatchObject({ hits: 10, misses: 30, hitRate: 0.25 });
    expect(proposals[0]?.evidence.interval[1]).toBeLessThan(0.55);
  });

  it('never proposes past its bounds', () => {
    const rules = structuredClone(DEFAULT_RULES);
    rules.buckets.winnerAtLeast = 1.5;
    if (rules.matrix.winner.stable.action === 'SCALE') rules.matrix.winner.stable.scalePercent = 5;
    rules.buckets.breakEven.pauseMaxProbability = 0.02;
    const rows = [
      row({ action: 'SCALE', bucket: 'winner', trend: 'stable', hits: 0, misses: 100 }),
      row({ action: 'PAUSE', bucket: 'loser', trend: 'stable', hits: 0, misses: 100 }),
    ];
    const proposals = proposeThresholdChanges(rules, rows);
    expect(proposals.map((p) => p.key)).toEqual(['audiences.broad.minDaysBeforePause:up']);
  });

  it('loosens a scale cell that almost always holds, only up to the guardrail cap', () => {
    const rows = [row({ action: 'SCALE', bucket: 'winner', trend: 'improving', hits: 98, misses: 2 })];
    const [proposal] = proposeThresholdChanges(DEFAULT_RULES, rows);
    expect(proposal?.changes).toEqual([
      { path: ['matrix', 'winner', 'improving', 'scalePercent'], from: 15, to: 20 },
    ]);
    const capped = structuredClone(DEFAULT_RULES);
    if (capped.matrix.winner.improving.action === 'SCALE') capped.matrix.winner.improving.scalePercent = 20;
    expect(proposeThresholdChanges(capped, rows)).toEqual([]);
  });

  it('makes pausing stricter when pauses were often wrong, and per audience waits longer', () => {
    const rows = [
      row({
        action: 'PAUSE',
        bucket: 'loser',
        trend: 'stable',
        audienceType: 'interest',
        hits: 12,
        misses: 18,
      }),
    ];
    const keys = proposeThresholdChanges(DEFAULT_RULES, rows).map((p) => [p.key, p.changes[0]?.to]);
    expect(keys).toEqual([
      ['buckets.breakEven.pauseMaxProbability:down', 0.05],
      ['audiences.interest.minDaysBeforePause:up', 2],
    ]);
  });

  it('lowers the winner line when holds keep missing winners, but not when scales fail too', () => {
    const holds = [row({ action: 'HOLD', bucket: 'average', trend: 'improving', hits: 10, misses: 20 })];
    expect(proposeThresholdChanges(DEFAULT_RULES, holds).map((p) => p.changes[0])).toEqual([
      { path: ['buckets', 'winnerAtLeast'], from: 1.2, to: 1.15 },
    ]);
    const both = [
      ...holds,
      row({ action: 'SCALE', bucket: 'average', trend: 'stable', hits: 5, misses: 25 }),
    ];
    expect(
      proposeThresholdChanges(DEFAULT_RULES, both).filter((p) => p.key.startsWith('buckets.winnerAtLeast')),
    ).toEqual([]);
  });

  it('refuses a nonsense minimum', () => {
    expect(() => proposeThresholdChanges(DEFAULT_RULES, [], { minDecided: 0 })).toThrow(/minDecided/);
  });
});

describe('applyThresholdChanges', () => {
  it('changes exactly the proposed values and validates the result', () => {
    const next = applyThresholdChanges(DEFAULT_RULES, [
      { path: ['buckets', 'winnerAtLeast'], from: 1.2, to: 1.25 },
    ]);
    expect(next.buckets.winnerAtLeast).toBe(1.25);
    expect({ ...next, buckets: { ...next.buckets, winnerAtLeast: 1.2 } }).toEqual(DEFAULT_RULES);
    expect(DEFAULT_RULES.buckets.winnerAtLeast).toBe(1.2);
  });

  it('refuses a stale proposal and one that breaks the rules', () => {
    expect(() =>
      applyThresholdChanges(DEFAULT_RULES, [{ path: ['buckets', 'winnerAtLeast'], from: 1.3, to: 1.35 }]),
    ).toThrow(StaleProposalError);
    expect(() =>
      applyThresholdChanges(DEFAULT_RULES, [{ path: ['buckets', 'winnerAtLeast'], from: 1.2, to: 0.5 }]),
    ).toThrow(/do not validate/);
    expect(() => applyThresholdChanges(DEFAULT_RULES, [{ path: ['nope', 'x'], from: 1, to: 2 }])).toThrow(
      /is undefined now/,
    );
  });
});
