import type { Logger } from 'pino';
import {
  abandonJobRuns,
  finishJobRun,
  runningJobRuns,
  startJobRun,
  type JobRunRow,
} from '../adapters/db/repositories/job-runs.repository.ts';
import type { AppContext } from '../main.ts';
import { accountOf, describeRequest, lockKeyOf, type JobRequest } from './job-definitions.ts';
import { errorMessage, type JobResult } from './job-handler.ts';
import { handleJob } from './job-handlers.ts';
import type { JobServices } from './job-services.ts';
import type { JobLocks } from './locks.ts';

export type RunJobOptions = {
  context: AppContext;
  services: JobServices;
  locks: JobLocks;
  workerId: string;
  jobId: string;
  attempt: number;
  logger: Logger;
  /** Queues the follow-up jobs; called while the lock is still held, before the run is marked done. */
  enqueue(next: JobRequest[]): Promise<void>;
  /** Hears of runs found still marked running under this lock: their worker died (pg-boss retries them). */
  onAbandoned?(runs: JobRunRow[]): Promise<void>;
  /** Runs the handler; tests substitute one. */
  handler?: typeof handleJob;
};

export type JobOutcome =
  | { outcome: 'busy' }
  | ({ outcome: 'done' | 'skipped' } & Omit<JobResult, 'status'>)
  | { outcome: 'failed'; error: unknown };

/** Runs still marked running under the request's lock: to whoever holds that lock, their workers are gone. */
export function runningUnderLock(context: AppContext, request: JobRequest): Promise<JobRunRow[]> {
  const accountId = accountOf(request);
  return runningJobRuns(
    context.database.db,
    accountId === null ? { name: request.name, accountId: null } : { accountId },
  );
}

/**
 * Runs one job under its lock (the account's, or the global job's own) and records the run: started
 * after the lock is taken, finished before it is released, so one account's runs never overlap.
 * `busy` when another worker holds the lock. Handler failures are recorded and returned, never thrown.
 */
export async function runJob(request: JobRequest, options: RunJobOptions): Promise<JobOutcome> {
  const { context, logger } = options;
  const { db } = context.database;
  const key = lockKeyOf(request);
  const lock = await options.locks.acquire(key);
  if (lock === null) return { outcome: 'busy' };
  const fields = {
    job: request.name,
    accountId: accountOf(request),
    jobId: options.jobId,
    worker: options.workerId,
  };
  try {
    const stale = await runningUnderLock(context, request);
    if (stale.length > 0) {
      const now = new Date();
      await abandonJobRuns(
        db,
        stale.map((r) => r.id),
        now,
        `its worker stopped before finishing (found by ${options.workerId})`,
      );
      logger.warn(
        { ...fields, abandoned: stale.map((r) => r.jobId) },
        'runs of dead workers marked abandoned',
      );
      await options.onAbandoned?.(stale);
    }
    const runId = await startJobRun(db, {
      jobId: options.jobId,
      name: request.name,
      accountId: accountOf(request),
      workerId: options.workerId,
      attempt: options.attempt,
      // The wall clock, not the application's (a test's simulated) one: run records order real events.
      startedAt: new Date(),
    });
    logger.info({ ...fields, attempt: options.attempt }, 'job started');
    const startedMs = performance.now();
    let result: JobResult;
    try {
      result = await (options.handler ?? handleJob)(request, {
        context,
        services: options.services,
        jobId: options.jobId,
        logger,
      });
      await options.enqueue(result.next);
    } catch (error) {
      await finishJobRun(db, runId, { status: 'failed', error: errorMessage(error), at: new Date() }).catch(
        (recordError: unknown) => logger.error({ ...fields, err: recordError }, 'job failure not recorded'),
      );
      logger.warn({ ...fields, err: error }, `job ${describeRequest(request)} failed`);
      return { outcome: 'failed', error };
    }
    await finishJobRun(db, runId, { status: result.status, summary: result.summary, at: new Date() });
    logger.info(
      {
        ...fields,
        status: result.status,
        ms: Math.round(performance.now() - startedMs),
        summary: result.summary,
      },
      'job finished',
    );
    return { outcome: result.status, summary: result.summary, next: result.next };
  } finally {
    await lock.release();
  }
}
