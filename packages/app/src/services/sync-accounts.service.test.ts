import { describe, expect, it } from 'vitest';
import { tokenExpiryWarning } from './sync-accounts.service.ts';

describe('tokenExpiryWarning', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  it('stays quiet for tokens that never expire or have weeks left', () => {
    expect(tokenExpiryWarning(null, now)).toBeNull();
    expect(tokenExpiryWarning(new Date('2026-05-20T00:00:00Z'), now)).toBeNull();
  });
  it('warns in the last week and once expired', () => {
    expect(tokenExpiryWarning(new Date('2026-05-04T12:00:00Z'), now)).toMatch(
      /expires in 3 day\(s\), on 2026-05-04/,
    );
    expect(tokenExpiryWarning(new Date('2026-04-30T00:00:00Z'), now)).toMatch(/expired on 2026-04-30/);
  });
});
