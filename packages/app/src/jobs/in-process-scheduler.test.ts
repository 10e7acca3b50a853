import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../adapters/db/database.ts';
import { listJobRuns, startJobRun, type JobRunRow } from '../adapters/db/repositories/job-runs.repository.ts';
import { jobRuns } from '../adapters/db/schema.ts';
import type { AppContext } from '../main.ts';
import { setExecutionMode } from '../services/execution-settings.service.ts';
import { connectWithToken } from '../services/meta-connect.service.ts';
import { testContext } from '../../test/app-context.ts';
import { createTestDatabase } from '../../test/test-databases.ts';
import { InProcessScheduler } from './in-process-scheduler.ts';
import { handleJob } from './job-handlers.ts';
import type { JobServices } from './job-services.ts';
import { defaultJobServices } from './job-services.ts';

/** Runs of one account in start order, each ending before the next starts. */
function expectNoOverlap(runs: JobRunRow[]) {
  const sorted = [...runs].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    const current = sorted[i];
    if (!previous || !current) continue;
    expect(previous.finishedAt, `${previous.name} ${previous.jobId} unfinished`).not.toBeNull();
    expect(previous.finishedAt!.getTime()).toBeLessThanOrEqual(current.startedAt.getTime());
  }
}

const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('the in-process scheduler of roas serve (PGlite)', () => {
  let fake: FakeGraphServer;
  let database: Database;
  let context: AppContext;

  beforeAll(async () => {
    fake = await startFakeGraph({ scenario: { extends: 'default', adSets: 4 }, seed: 5, startDay: 20 });
    database = await createTestDatabase('pglite');
    context = testContext(database, fake, { now: () => new Date(fake.control.state().simTime) });
    await connectWithToken(context.meta, fake.accessToken);
  });
  afterAll(async () => {
    await database.close();
    await fake.close();
  });

  const runsOf = async (name: string) =>
    (await listJobRuns(database.db, fake.accountId)).filter((r) => r.name === name);

  it('syncs then decides each account when the cron fires, never two jobs of one account at once', async () => {
    const scheduler = new InProcessScheduler({
      context,
      // Every second (croner's six-field form), with two slots, and every job made to last over 0.4 s:
      // the next tick's sync comes while the decision still runs, so without the lock they would overlap.
      schedule: [{ job: 'sync-all', cron: '* * * * * *' }],
      concurrency: 2,
      handler: async (request, env) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return handleJob(request, env);
      },
    });
    await scheduler.start();
    await until(async () => (await runsOf('decide')).filter((r) => r.status === 'done').length >= 3, 40_000);
    await scheduler.stop();

    const runs = await listJobRuns(database.db, fake.accountId);
    const syncs = runs.filter((r) => r.name === 'sync');
    const decides = runs.filter((r) => r.name === 'decide');
    expect(syncs.filter((r) => r.status === 'done').length).toBeGreaterThanOrEqual(2);
    expectNoOverlap(runs);
    // Each decision follows a sync, and its recommendation run is named by the job.
    const firstDecide = decides.find((r) => r.status === 'done');
    expect(firstDecide!.startedAt.getTime()).toBeGreaterThanOrEqual(syncs[0]!.finishedAt!.getTime());
    const [stored] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from recommendations where run_id = ${firstDecide!.jobId}`,
    );
    expect(stored?.n).toBeGreaterThan(0);
    expect(firstDecide!.summary).toMatchObject({ runId: firstDecide!.jobId, mode: 'recommend' });
    // recommend mode: nothing is applied, so no apply job is ever queued.
    expect(runs.some((r) => r.name === 'apply')).toBe(false);
  }, 60_000);

  it('applies after deciding when the account is in approve mode', async () => {
    await setExecutionMode(
      database.db,
      fake.accountId,
      { mode: 'approve' },
      { actor: null, now: context.meta.now() },
    );
    const scheduler = new InProcessScheduler({ context, schedule: [] });
    await scheduler.start();
    scheduler.enqueue({ name: 'sync', accountId: fake.accountId });
    await scheduler.whenIdle();
    await scheduler.stop();
    const applies = await runsOf('apply');
    expect(applies).toHaveLength(1);
    // Nothing was approved, so nothing was sent: the run is done with no outcomes.
    expect(applies[0]).toMatchObject({ status: 'done', summary: { mode: 'approve', outcomes: {} } });
    expect(fake.control.writes()).toHaveLength(0);
    await setExecutionMode(
      database.db,
      fake.accountId,
      { mode: 'recommend' },
      { actor: null, now: context.meta.now() },
    );
  }, 60_000);

  it('logs and records a failing job and keeps going', async () => {
    const services: JobServices = {
      ...defaultJobServices,
      runHealthChecks: () => Promise.reject(new Error('health exploded')),
    };
    const scheduler = new InProcessScheduler({ context, schedule: [], services });
    await scheduler.start();
    scheduler.enqueue({ name: 'health' });
    scheduler.enqueue({ name: 'outcomes' });
    scheduler.enqueue({ name: 'sync', accountId: fake.accountId });
    await scheduler.whenIdle();
    await scheduler.stop();
    const all = await listJobRuns(database.db);
    const latest = (name: string) => all.filter((r) => r.name === name).at(-1);
    expect(latest('health')).toMatchObject({ status: 'failed', error: 'health exploded' });
    expect(latest('outcomes')).toMatchObject({ status: 'done', summary: { accounts: 1 } });
    expect(latest('sync')).toMatchObject({ status: 'done' });
    expect(latest('decide')).toMatchObject({ status: 'done' });
  }, 60_000);

  it('queues a waiting job once, and on stop waits for the running one and takes no more', async () => {
    const started: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const scheduler = new InProcessScheduler({
      context,
      schedule: [],
      concurrency: 1,
      handler: async (request) => {
        started.push(request.name);
        if (request.name === 'health') await gate;
        return { status: 'done', summary: {}, next: [] };
      },
    });
    await scheduler.start();
    expect(scheduler.enqueue({ name: 'health' })).toBe(true);
    expect(scheduler.enqueue({ name: 'outcomes' })).toBe(true);
    expect(scheduler.enqueue({ name: 'outcomes' })).toBe(false);
    await until(() => Promise.resolve(started.length === 1), 5_000);
    const stopping = scheduler.stop();
    setTimeout(release, 200);
    expect(await stopping).toEqual({ left: 0 });
    expect(started).toEqual(['health']);
    expect(scheduler.enqueue({ name: 'health' })).toBe(false);
    const [health] = (await listJobRuns(database.db)).filter((r) => r.name === 'health').slice(-1);
    expect(health?.status).toBe('done');
  });

  it('marks runs left running by a killed earlier process as abandoned on start', async () => {
    const id = await startJobRun(database.db, {
      jobId: 'left-behind',
      name: 'sync',
      accountId: fake.accountId,
      workerId: 'serve:1',
      attempt: 1,
      startedAt: new Date(),
    });
    const scheduler = new InProcessScheduler({ context, schedule: [] });
    await scheduler.start();
    await scheduler.stop();
    const [row] = await database.db.select().from(jobRuns).where(eq(jobRuns.id, id));
    expect(row?.status).toBe('abandoned');
    expect(row?.finishedAt).not.toBeNull();
  });
});
