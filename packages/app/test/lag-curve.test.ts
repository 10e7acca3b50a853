import { DEFAULT_COMPLETENESS } from '@roas/core';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/adapters/db/database.ts';
import type { AppContext } from '../src/main.ts';
import { accountLagCurve } from '../src/services/lag-curve.service.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import { syncAccount } from '../src/services/sync.service.ts';
import { testContext } from './app-context.ts';
import { createTestDatabase } from './test-databases.ts';

// The market's slow lag profile as a cumulative curve: 35% of purchases reported the same day.
const SLOW = [0.35, 0.5, 0.61, 0.7, 0.79, 0.87, 0.94, 1];

describe('the attribution-lag curve learned from daily syncs', () => {
  let fake: FakeGraphServer;
  let database: Database;
  let context: AppContext;

  beforeAll(async () => {
    fake = await startFakeGraph({ scenario: 'slow-lag', seed: 4, startDay: 10 });
    database = await createTestDatabase('pglite');
    context = testContext(database, fake, { now: () => new Date(fake.control.state().simTime) });
    await connectWithToken(context.meta, fake.accessToken);
  });
  afterAll(async () => {
    await database.close();
    await fake.close();
  });

  it('finds the slow profile, not the default, after a month of daily syncs', async () => {
    const sync = () =>
      syncAccount(
        { db: database.db, now: () => context.meta.now(), graph: context.meta.graphFor(fake.accessToken) },
        fake.accountId,
        { today: fake.control.state().date, historyDays: 20, lookbackDays: 10 },
      );
    await sync();
    expect((await accountLagCurve(database.db, fake.accountId, fake.control.state().date)).source).toBe(
      'default',
    );
    for (let day = 0; day < 26; day++) {
      fake.control.advance({ days: 1 });
      await sync();
    }
    const learned = await accountLagCurve(database.db, fake.accountId, fake.control.state().date);
    expect(learned.source).toBe('learned');
    expect(learned.support[0]).toBeGreaterThan(200);
    for (let age = 0; age < 6; age++) expect(learned.curve[age]).toBeCloseTo(SLOW[age] ?? 1, 1);
    // Far from the default where the profiles differ most.
    expect((DEFAULT_COMPLETENESS[0] ?? 0) - (learned.curve[0] ?? 0)).toBeGreaterThan(0.12);
  }, 180_000);
});
