import { listAccounts } from '../adapters/db/repositories/accounts.repository.ts';
import { pruneJobRuns } from '../adapters/db/repositories/job-runs.repository.ts';
import type { JobRequest } from './job-definitions.ts';
import { briefly, type JobEnv, type JobResult } from './job-handler.ts';
import type { JobServices } from './job-services.ts';

const KEEP_RUNS_DAYS = 30;

/** Queues one sync per connected Meta account (accounts whose token Meta refused wait for a reconnect). */
export async function runSyncAllJob(env: JobEnv): Promise<JobResult> {
  const { db } = env.context.database;
  const meta = (await listAccounts(db)).filter((a) => a.source === 'meta');
  const ready = meta.filter((a) => a.syncBlockedReason === null);
  const pruned = await pruneJobRuns(db, new Date(Date.now() - KEEP_RUNS_DAYS * 86_400_000));
  return {
    status: 'done',
    summary: { accounts: ready.length, blocked: meta.length - ready.length, prunedRuns: pruned },
    next: ready.map((a): JobRequest => ({ name: 'sync', accountId: a.id })),
  };
}

/** Runs one of the services over every account. */
export async function runServiceJob(name: 'outcomes' | 'health' | 'notify', env: JobEnv): Promise<JobResult> {
  const call: Record<typeof name, (services: JobServices) => Promise<unknown>> = {
    outcomes: (s) => s.measureOutcomes(env.context),
    health: (s) => s.runHealthChecks(env.context),
    notify: (s) => s.dispatchNotifications(env.context),
  };
  const result = await call[name](env.services);
  // New health alerts go out at once rather than at the next dispatch tick.
  return { status: 'done', summary: briefly(result), next: name === 'health' ? [{ name: 'notify' }] : [] };
}
