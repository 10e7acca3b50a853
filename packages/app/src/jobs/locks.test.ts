import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { accountLockKey, advisoryLocks, AdvisoryLockSession, memoryLocks } from './locks.ts';

const url = process.env.TEST_DATABASE_URL;
const noLoss = () => undefined;

const applicationName = `roas-lock-test-${process.pid}`;

async function openSessions(): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      'select count(*) as n from pg_stat_activity where application_name = $1',
      [applicationName],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

describe('memoryLocks', () => {
  it('gives a key to one holder at a time', async () => {
    const locks = memoryLocks();
    const held = await locks.acquire('account:1');
    expect(await locks.acquire('account:1')).toBeNull();
    expect(await locks.acquire('account:2')).not.toBeNull();
    await held?.release();
    expect(await locks.acquire('account:1')).not.toBeNull();
  });
});

describe.skipIf(!url)('advisoryLocks (PostgreSQL, for work a person starts)', () => {
  it('waits for a worker holding the account, says busy after the wait, and takes it once freed', async () => {
    const key = accountLockKey(`act_${randomUUID()}`);
    const worker = new AdvisoryLockSession({ url: url ?? '', waitMs: 0, onLost: noLoss });
    const job = await worker.acquire(key);
    expect(job).not.toBeNull();
    const locks = advisoryLocks({ url: url ?? '', waitMs: 300, onLost: noLoss, applicationName });
    const started = performance.now();
    expect(await locks.acquire(key)).toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);

    await job?.release();
    const held = await locks.acquire(key);
    expect(held).not.toBeNull();
    // The worker now finds the account taken, until the person's work releases it.
    expect(await worker.acquire(key)).toBeNull();
    await held?.release();
    const again = await worker.acquire(key);
    expect(again).not.toBeNull();
    await again?.release();
    await worker.close();
    // Each acquisition's own session is closed again: none left behind.
    expect(await openSessions()).toBe(0);
  });
});
