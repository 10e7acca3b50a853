import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import {
  abandonJobRuns,
  runningJobRuns,
  type JobRunRow,
} from '../adapters/db/repositories/job-runs.repository.ts';
import type { AppContext } from '../main.ts';
import {
  describeRequest,
  isJobName,
  lockKeyOf,
  parseRequest,
  type JobName,
  type JobRequest,
} from './job-definitions.ts';
import { errorMessage } from './job-handler.ts';
import { defaultJobServices, type JobServices } from './job-services.ts';
import { AdvisoryLockSession } from './locks.ts';
import { queueName, requirePostgres, sendJob, startBoss } from './pg-boss-queue.ts';
import { runJob, runningUnderLock, type RunJobOptions } from './run-job.ts';
import { CRON_TIMEZONE, type ScheduleEntry } from './schedule.ts';

export type WorkerOptions = {
  context: AppContext;
  workerId: string;
  /** Jobs this process runs at once (each its own lock session); never two for one account anywhere. */
  concurrency: number;
  /** The cron schedule this worker keeps (pg-boss fires each tick once across all workers); null: none. */
  schedule: readonly ScheduleEntry[] | null;
  services?: JobServices;
  /** How long a job waits for its busy account before it is put back for later. */
  lockWaitMs?: number;
  /** Seconds a job put back for a busy account waits before it is taken again. */
  deferSeconds?: number;
  /** How often to look for runs whose worker died (their locks are free), to retry their jobs at once. */
  reapEveryMs?: number;
  /** The connection holding a job's lock failed: the job must not go on unprotected (the command exits). */
  onLockLost(key: string, error: unknown): void;
  handler?: RunJobOptions['handler'];
};

export type RunningWorker = {
  workerId: string;
  /** Stops taking jobs and waits up to `timeoutMs` for running ones; returns how many were left running. */
  stop(timeoutMs?: number): Promise<{ left: number }>;
};

// Finish an account (decide, apply) before starting the next sync; cheap global jobs go first.
const FETCH_ORDER: JobName[] = ['decide', 'apply', 'notify', 'sync-all', 'health', 'outcomes', 'sync'];
const IDLE_MIN_MS = 200;
const IDLE_MAX_MS = 2_000;

type Fetched = PgBoss.JobWithMetadata<unknown>;

/**
 * A `roas worker`: takes jobs from the pg-boss queues in `concurrency` slots. Each job runs under a
 * PostgreSQL session advisory lock on its account (held on a connection of its own for the job's
 * whole run, dropped by the server if this process dies), so no account is ever handled by two
 * workers at once; a job whose account is busy is put back for later. Runs are recorded in
 * `job_runs`. A reaper finds runs still marked running whose lock is free (their worker died) and
 * fails their jobs so pg-boss retries them now rather than at expiry; the retried sync resumes from
 * its checkpoint and the retried decide reuses its run id, so nothing is lost or stored twice.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { context, workerId } = options;
  const url = requirePostgres(context.config.databaseUrl, '`roas worker`');
  const logger: Logger = context.logger;
  const boss = await startBoss(url, logger, { schedule: options.schedule !== null, supervise: true });
  for (const entry of options.schedule ?? []) {
    await boss.schedule(queueName(entry.job), entry.cron, {}, { tz: CRON_TIMEZONE });
  }
  const lockWaitMs = options.lockWaitMs ?? 5_000;
  const newSession = (waitMs: number, name: string) =>
    new AdvisoryLockSession({
      url,
      waitMs,
      onLost: (key, error) => options.onLockLost(key, error),
      applicationName: name,
    });

  let isStopping = false;
  const wakers = new Set<() => void>();
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  /** Fails (so pg-boss retries) the still-active jobs of runs whose worker died. */
  const retryDeadJobs = async (runs: JobRunRow[]) => {
    for (const run of runs) {
      if (!isJobName(run.name)) continue;
      const queue = queueName(run.name);
      const job = await boss.getJobById(queue, run.jobId).catch(() => null);
      if (job?.state !== 'active') continue;
      await boss.fail(queue, run.jobId, { message: `worker ${run.workerId} died while running it` });
      logger.warn(
        { job: run.name, accountId: run.accountId, jobId: run.jobId, deadWorker: run.workerId },
        'job of a dead worker retried',
      );
    }
  };

  const fetchNext = async (): Promise<{ name: JobName; job: Fetched } | null> => {
    for (const name of FETCH_ORDER) {
      const [job] = await boss.fetch<unknown>(queueName(name), { batchSize: 1, includeMetadata: true });
      if (job) return { name, job };
    }
    return null;
  };

  const processJob = async (name: JobName, job: Fetched, locks: AdvisoryLockSession) => {
    const queue = queueName(name);
    let request: JobRequest;
    try {
      request = parseRequest(name, job.data);
    } catch (error) {
      await boss.fail(queue, job.id, { message: errorMessage(error) });
      return;
    }
    const outcome = await runJob(request, {
      context,
      services: options.services ?? defaultJobServices,
      locks,
      workerId,
      jobId: job.id,
      attempt: job.retryCount + 1,
      logger,
      enqueue: async (next) => {
        for (const follow of next) await sendJob(boss, follow);
      },
      onAbandoned: retryDeadJobs,
      ...(options.handler ? { handler: options.handler } : {}),
    });
    switch (outcome.outcome) {
      case 'busy':
        // Another worker has the account: come back later without spending a retry.
        await sendJob(boss, request, { startAfterSeconds: options.deferSeconds ?? 10 });
        await boss.complete(queue, job.id, { deferred: `${lockKeyOf(request)} was busy` });
        logger.info({ job: describeRequest(request), jobId: job.id }, 'account busy: job put back for later');
        return;
      case 'done':
      case 'skipped':
        await boss.complete(queue, job.id, { status: outcome.outcome, ...outcome.summary });
        return;
      case 'failed':
        await boss.fail(queue, job.id, { message: errorMessage(outcome.error) });
        return;
    }
  };

  let inFlight = 0;
  const slot = async (index: number) => {
    const locks = newSession(lockWaitMs, `roas-worker-lock-${index}`);
    let idleMs = IDLE_MIN_MS;
    try {
      while (!isStopping) {
        let fetched: Awaited<ReturnType<typeof fetchNext>> = null;
        try {
          fetched = await fetchNext();
        } catch (error) {
          logger.warn({ err: error }, 'could not fetch a job');
        }
        if (!fetched) {
          await nap(idleMs);
          idleMs = Math.min(IDLE_MAX_MS, idleMs * 2);
          continue;
        }
        idleMs = IDLE_MIN_MS;
        inFlight++;
        try {
          await processJob(fetched.name, fetched.job, locks);
        } catch (error) {
          logger.error({ err: error, job: fetched.name, jobId: fetched.job.id }, 'job bookkeeping failed');
          await boss
            .fail(queueName(fetched.name), fetched.job.id, { message: errorMessage(error) })
            .catch(() => undefined);
        } finally {
          inFlight--;
        }
      }
    } finally {
      await locks.close();
    }
  };

  const reaperLocks = newSession(0, 'roas-worker-reaper');
  const reap = async () => {
    const rows = await runningJobRuns(context.database.db);
    const keys = new Map<string, JobRequest>();
    for (const row of rows) {
      if (!isJobName(row.name)) continue;
      const request = parseRequest(row.name, row.accountId === null ? {} : { accountId: row.accountId });
      keys.set(lockKeyOf(request), request);
    }
    for (const request of keys.values()) {
      // A live holder has this lock; getting it means whoever marked these runs running is gone.
      const held = await reaperLocks.acquire(lockKeyOf(request));
      if (held === null) continue;
      try {
        const dead = await runningUnderLock(context, request);
        if (dead.length === 0) continue;
        await abandonJobRuns(
          context.database.db,
          dead.map((r) => r.id),
          new Date(),
          `its worker stopped before finishing (found by ${workerId})`,
        );
        await retryDeadJobs(dead);
      } finally {
        await held.release();
      }
    }
  };
  let reaping: Promise<void> = Promise.resolve();
  const reapSafely = () => {
    reaping = reaping
      .then(reap)
      .catch((error: unknown) => logger.warn({ err: error }, 'looking for dead workers failed'));
  };
  reapSafely();
  const reaper = setInterval(reapSafely, options.reapEveryMs ?? 10_000);

  const slots = Array.from({ length: options.concurrency }, (_, i) => slot(i));
  const allDone = Promise.allSettled(slots);
  logger.info({ concurrency: options.concurrency, scheduled: options.schedule !== null }, 'worker started');

  return {
    workerId,
    stop: async (timeoutMs = 30_000) => {
      isStopping = true;
      clearInterval(reaper);
      for (const wake of [...wakers]) wake();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allDone, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      const left = inFlight;
      await reaping;
      await reaperLocks.close();
      // Jobs still running stay active in the queue: once this process exits, another worker's reaper retries them.
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      return { left };
    },
  };
}
