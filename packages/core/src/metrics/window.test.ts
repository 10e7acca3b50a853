import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isIsoDate, isSpanInWindow, windowRange } from './window.ts';

describe('windows', () => {
  it('counts whole days ending on the anchor', () => {
    expect(windowRange('1d', '2026-03-10')).toEqual({ from: '2026-03-10', to: '2026-03-10' });
    expect(windowRange('7d', '2026-03-01')).toEqual({ from: '2026-02-23', to: '2026-03-01' });
    expect(windowRange('30d', '2026-01-15')).toEqual({ from: '2025-12-17', to: '2026-01-15' });
    expect(windowRange('lifetime', '2026-01-15')).toEqual({ from: null, to: '2026-01-15' });
  });

  it('checks spans against a window', () => {
    const range = windowRange('7d', '2026-03-07');
    expect(isSpanInWindow('2026-03-01', '2026-03-07', range)).toBe(true);
    expect(isSpanInWindow('2026-02-28', '2026-03-07', range)).toBe(false);
    expect(isSpanInWindow('2026-03-08', '2026-03-08', range)).toBe(false);
  });

  it('validates real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('26-01-01')).toBe(false);
  });

  it('does day arithmetic across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-01-01', '2026-03-01')).toBe(59);
  });
});
