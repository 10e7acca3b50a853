import { describe, expect, it } from 'vitest';
import { todayIn } from './dates.ts';

describe('todayIn', () => {
  it('gives the date in the account time zone', () => {
    const instant = new Date('2026-03-01T05:30:00Z');
    expect(todayIn('UTC', instant)).toBe('2026-03-01');
    expect(todayIn('America/Los_Angeles', instant)).toBe('2026-02-28');
    expect(todayIn('Asia/Kolkata', new Date('2026-02-28T20:00:00Z'))).toBe('2026-03-01');
  });
});
