import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/adapters/db/database.ts';
import pino from 'pino';
import { listJobRuns, type JobRunRow } from '../src/adapters/db/repositories/job-runs.repository.ts';
import { sendJob, startBoss } from '../src/jobs/pg-boss-queue.ts';
import { postgresReachable } from '../bench/bench-databases.ts';
import { startFakeAccounts, type FakeAccounts } from './fake-accounts.ts';
import { storedRows } from './sync-truth.ts';
import {
  connectAccounts,
  createWorkerDatabase,
  enqueue,
  openJobs,
  startWorkerProcess,
  workerEnv,
  type WorkerDatabase,
  type WorkerProcess,
} from './worker-harness.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL;
const ACCOUNTS = 30;
const isReachable = ADMIN_URL !== undefined && (await postgresReachable(ADMIN_URL, 3_000));
if (!isReachable)
  console.warn('workers.test.ts skipped: PostgreSQL is not reachable (set TEST_DATABASE_URL to run it)');

const until = async (check: () => Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe.skipIf(!isReachable)('roas worker processes on PostgreSQL (pg-boss), one killed midway', () => {
  let fakes: FakeAccounts;
  let db: WorkerDatabase;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    fakes = await startFakeAccounts(ACCOUNTS, { adSets: 3, startDay: 14 });
    db = await createWorkerDatabase(ADMIN_URL ?? '', 'workers');
    await connectAccounts(db.database, fakes);
  });
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await db?.drop();
    await fakes?.close();
  });

  it('three workers sync and decide 30 accounts, never one account twice at once, and lose nothing to a SIGKILL', async () => {
    const env = workerEnv(db.url, fakes);
    const started = await Promise.allSettled(['w1', 'w2', 'w3'].map((id) => startWorkerProcess(id, env)));
    for (const outcome of started) if (outcome.status === 'fulfilled') workers.push(outcome.value);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    const [victim, ...survivors] = workers;
    if (!victim) throw new Error('no workers');

    // w1 is killed in the middle of a sync: right after it stored its second slice of insights.
    let killedAt = 0;
    let killedAccount = '';
    const killed = new Promise<void>((resolve) => {
      let slices = 0;
      victim.onLog((line) => {
        if (killedAt !== 0 || !line.includes('"sync step done"') || !line.includes('"step":"insights:'))
          return;
        if (++slices < 2) return;
        victim.child.kill('SIGKILL');
        killedAt = Date.now();
        killedAccount = (JSON.parse(line) as { accountId: string }).accountId;
        resolve();
      });
    });
    expect(await enqueue(env, ['sync'])).toMatch(/Queued sync-all/);
    // A decision asked for every account at the same time (as from the dashboard) contends with the syncs.
    const boss = await startBoss(db.url, pino({ level: 'silent' }), {
      schedule: false,
      supervise: false,
      max: 2,
    });
    try {
      for (const account of fakes.accounts)
        await sendJob(boss, { name: 'decide', accountId: account.accountId });
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      killed,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('w1 never got to the middle of a sync')), 60_000);
      }),
    ]).finally(() => clearTimeout(timer));
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });

    await until(
      async () => {
        const [row] = await queryRows<{ n: number }>(
          db.database.db,
          sql`select count(distinct account_id)::int as n from job_runs where name = 'decide' and status = 'done'`,
        );
        return row?.n === ACCOUNTS && (await openJobs(db.database)) === 0;
      },
      100_000,
      'every account to be synced and decided',
    );

    const runs = (await listJobRuns(db.database.db)).filter((r) => r.accountId !== null);
    // The killed worker's run never finished: a survivor found its lock free and marked it abandoned.
    const orphans = runs.filter((r) => r.workerId === 'w1' && r.status !== 'done' && r.status !== 'skipped');
    expect(orphans).toHaveLength(1);
    const [orphan] = orphans;
    expect(orphan).toMatchObject({ name: 'sync', accountId: killedAccount, status: 'abandoned' });
    expect(orphan!.finishedAt!.getTime()).toBeGreaterThanOrEqual(killedAt);

    // No two runs of one account overlap; a killed run lasts until the kill.
    const end = (r: JobRunRow) => (r === orphan ? killedAt : r.finishedAt!.getTime());
    const byAccount = new Map<string, JobRunRow[]>();
    for (const run of runs)
      byAccount.set(run.accountId ?? '', [...(byAccount.get(run.accountId ?? '') ?? []), run]);
    expect(byAccount.size).toBe(ACCOUNTS);
    for (const [accountId, list] of byAccount) {
      list.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      for (let i = 1; i < list.length; i++) {
        expect(
          end(list[i - 1]!),
          `${accountId}: run ${i} started before run ${i - 1} ended`,
        ).toBeLessThanOrEqual(list[i]!.startedAt.getTime());
      }
      // Exactly one sync done per account (nothing synced twice), and a decision on its synced data.
      const syncs = list.filter((r) => r.name === 'sync' && r.status === 'done');
      expect(syncs).toHaveLength(1);
      const decided = list.filter((r) => r.name === 'decide' && r.status === 'done');
      expect(decided.some((r) => r.startedAt >= syncs[0]!.finishedAt!)).toBe(true);
    }
    // The killed sync was retried by a survivor and resumed from its checkpoint.
    const retried = byAccount.get(killedAccount)!.find((r) => r.name === 'sync' && r.status === 'done');
    expect(retried?.workerId).not.toBe('w1');
    expect(retried?.summary).toMatchObject({ resumed: true });
    // The survivors shared the work.
    for (const worker of survivors) expect(runs.some((r) => r.workerId === worker.id)).toBe(true);

    // Every account's stored insights equal what the fake reports, and every account has its decisions.
    for (const account of fakes.accounts) {
      expect(await storedRows(db.database.db, 'adset', account.accountId)).toEqual(
        fakes.truth(account, 'adset'),
      );
      expect(await storedRows(db.database.db, 'ad', account.accountId)).toEqual(fakes.truth(account, 'ad'));
    }
    const [decided] = await queryRows<{ n: number }>(
      db.database.db,
      sql`select count(distinct account_id)::int as n from recommendations`,
    );
    expect(decided?.n).toBe(ACCOUNTS);
    const [failed] = await queryRows<{ n: number }>(
      db.database.db,
      sql`select count(*)::int as n from pgboss.job where name like 'roas.%' and state = 'failed'`,
    );
    expect(failed?.n).toBe(0);

    // The survivors stop cleanly on SIGTERM.
    for (const worker of survivors) worker.child.kill('SIGTERM');
    for (const worker of survivors) expect(await worker.exited).toEqual({ code: 0, signal: null });
  }, 180_000);
});
