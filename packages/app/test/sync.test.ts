import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../src/adapters/db/database.ts';
import { accounts, syncRuns } from '../src/adapters/db/schema.ts';
import { graphClientFactory, type AppContext } from '../src/main.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import { SyncBlockedError, syncAccount, type SyncOptions } from '../src/services/sync.service.ts';
import { testContext } from './app-context.ts';
import { reportedTruth, storedRows } from './sync-truth.ts';
import { createTestDatabase, testEngines } from './test-databases.ts';

for (const engine of testEngines()) {
  describe(`Meta sync against the fake Graph API [${engine}]`, () => {
    let fake: FakeGraphServer;
    let database: Database;
    let context: AppContext;
    let calls = 0;

    async function setUp(options: { faults?: string } = {}) {
      fake = await startFakeGraph({
        scenario: { extends: 'default', adSets: 6 },
        seed: 11,
        startDay: 30,
        asyncPolls: 2,
        ...(options.faults ? { faults: options.faults } : {}),
      });
      database = await createTestDatabase(engine);
      context = testContext(database, fake, { now: () => new Date(fake.control.state().simTime) });
      await connectWithToken(context.meta, fake.accessToken);
      calls = 0;
    }
    afterEach(async () => {
      await database.close();
      await fake.close();
    });

    // A Graph client that counts every attempt it makes, retries included.
    const graphFor = (token: string) =>
      graphClientFactory(context.config, context.logger, {
        backoffBaseMs: 1,
        throttleBaseMs: 5,
        backoffMaxMs: 50,
        onEvent: (event) => {
          if (event.type === 'response') calls++;
        },
      })(token);
    const sync = (options: Partial<SyncOptions> = {}, token = fake.accessToken) =>
      syncAccount(
        { db: database.db, now: () => context.meta.now(), graph: graphFor(token) },
        fake.accountId,
        {
          today: fake.control.state().date,
          historyDays: 40,
          sliceDays: 10,
          asyncPollMs: 1,
          ...options,
        },
      );

    async function expectTruth() {
      const adsets = await storedRows(database.db, 'adset', fake.accountId);
      expect(adsets.length).toBeGreaterThan(0);
      expect(adsets).toEqual(reportedTruth(fake, 'adset'));
      expect(await storedRows(database.db, 'ad', fake.accountId)).toEqual(reportedTruth(fake, 'ad'));
    }

    it('stores exactly what the API reports, at ad set and ad level, and re-reads late conversions', async () => {
      await setUp();
      const first = await sync();
      expect(first.objects.adsets).toBeGreaterThanOrEqual(6);
      expect(first.insightRows.adset).toBeGreaterThan(100);
      await expectTruth();

      fake.control.advance({ days: 3 });
      const second = await sync();
      expect(second.since < first.until).toBe(true);
      expect(second.stored.changed).toBeGreaterThan(0);
      await expectTruth();
      const [revisions] = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from insight_revisions`,
      );
      expect(revisions?.n).toBeGreaterThan(0);
      const [account] = await database.db.select().from(accounts).where(eq(accounts.id, fake.accountId));
      expect(account?.lastSyncedAt).not.toBeNull();
    }, 120_000);

    it('reads the same rows through many small pages and through async report runs', async () => {
      await setUp();
      const paged = await sync({ pageSize: 7 });
      expect(paged.asyncSlices).toBe(0);
      await expectTruth();
      await database.db.execute(sql`truncate adset_insights, ad_insights, sync_runs`);
      const viaReports = await sync({ asyncRowThreshold: 0 });
      expect(viaReports.asyncSlices).toBeGreaterThan(0);
      await expectTruth();
    }, 120_000);

    it('survives 5% transient errors plus throttling and a failing page', async () => {
      await setUp({ faults: 'transient:0.05,throttle:0.05,page-fail:2' });
      await sync();
      await expectTruth();
    }, 120_000);

    it('resumes a sync that stopped midway without redoing finished steps', async () => {
      await setUp();
      let slices = 0;
      const stopped = await sync({
        onProgress: ({ step }) => {
          if (step.startsWith('insights:') && ++slices === 3) throw new Error('killed');
        },
      }).catch((e: unknown) => e);
      expect((stopped as Error).message).toBe('killed');
      const [failed] = await database.db.select().from(syncRuns);
      expect(failed?.status).toBe('failed');
      expect(failed?.checkpoint.done).toEqual(
        expect.arrayContaining(['account', 'campaigns', 'adsets', 'ads']),
      );

      const resumed = await sync();
      expect(resumed.resumed).toBe(true);
      expect(resumed.objects.adsets).toBe(0);
      await expectTruth();
      const runs = await database.db.select().from(syncRuns);
      expect(runs.map((r) => r.status)).toEqual(['done']);
    }, 120_000);

    it('stops an account whose token expired, with a clear reason and without a retry storm', async () => {
      await setUp();
      const token = fake.control.issueToken({ type: 'USER', expiresInSeconds: 3600 });
      await connectWithToken(context.meta, token);
      fake.control.expireToken(token);
      calls = 0;
      const failure = await sync({}, token).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SyncBlockedError);
      expect((failure as Error).message).toMatch(/reconnect/);
      expect(calls).toBe(1);
      const [account] = await database.db.select().from(accounts).where(eq(accounts.id, fake.accountId));
      expect(account?.syncBlockedReason).toMatch(/token/);
      await expect(sync()).rejects.toThrow(SyncBlockedError);
      expect(calls).toBe(1);
    }, 60_000);
  });
}
