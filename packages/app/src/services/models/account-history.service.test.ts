import { describe, expect, it } from 'vitest';
import { budgetOnDay } from './account-history.service.ts';

describe('budgetOnDay', () => {
  const changes = [
    { date: '2026-03-10', fromMinor: 5000n },
    { date: '2026-03-20', fromMinor: 6000n },
  ];

  it('undoes every change applied after the day, back to what ran before the earliest of them', () => {
    expect(budgetOnDay(7000n, changes, '2026-03-05')).toBe(5000n);
    // A change applied on the day is in force at its end.
    expect(budgetOnDay(7000n, changes, '2026-03-10')).toBe(6000n);
    expect(budgetOnDay(7000n, changes, '2026-03-19')).toBe(6000n);
    expect(budgetOnDay(7000n, changes, '2026-03-20')).toBe(7000n);
    expect(budgetOnDay(7000n, [], '2026-03-01')).toBe(7000n);
  });

  it('is unknown before a change that did not record the old budget', () => {
    expect(budgetOnDay(7000n, [{ date: '2026-03-10', fromMinor: null }], '2026-03-01')).toBeNull();
    expect(budgetOnDay(null, [], '2026-03-01')).toBeNull();
  });
});
