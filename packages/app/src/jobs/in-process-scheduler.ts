import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { abandonJobRuns, runningJobRuns } from '../adapters/db/repositories/job-runs.repository.ts';
import type { AppContext } from '../main.ts';
import { dedupeKeyOf, describeRequest, lockKeyOf, type JobRequest } from './job-definitions.ts';
import { defaultJobServices, type JobServices } from './job-services.ts';
import { runJob, type RunJobOptions } from './run-job.ts';
import { CRON_TIMEZONE, type ScheduleEntry } from './schedule.ts';

export type InProcessSchedulerOptions = {
  context: AppContext;
  /** Five-field crons from the configuration; tests may pass croner's six-field (seconds) form. */
  schedule: readonly ScheduleEntry[];
  services?: JobServices;
  /** Jobs at once (never two for one account). PGlite runs one query at a time; two overlap network waits. */
  concurrency?: number;
  workerId?: string;
  /** How long `stop` waits for running jobs before leaving them (a sync resumes from its checkpoint). */
  stopTimeoutMs?: number;
  handler?: RunJobOptions['handler'];
};

/**
 * The scheduler of `roas serve` on the embedded database: croner fires the configured schedule, and a
 * queue in memory runs the jobs here, one at a time per account (sync, then decide, then apply), with
 * the same handlers and run records as `roas worker`. A failed job is logged and recorded; the next
 * tick tries again. A job already waiting is not queued twice.
 */
export class InProcessScheduler {
  private readonly pending: JobRequest[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly crons: Cron[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private isStopping = false;
  private readonly concurrency: number;
  readonly workerId: string;
  private readonly logger: Logger;

  constructor(private readonly options: InProcessSchedulerOptions) {
    this.concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new RangeError(`concurrency must be a positive integer (${this.concurrency})`);
    this.workerId = options.workerId ?? `serve:${process.pid}`;
    this.logger = options.context.logger.child({ scheduler: 'in-process' });
  }

  /** Marks runs a killed earlier process left as running (this process owns the database), then starts the crons. */
  async start(): Promise<void> {
    const { db } = this.options.context.database;
    const left = await runningJobRuns(db);
    if (left.length > 0) {
      await abandonJobRuns(
        db,
        left.map((r) => r.id),
        new Date(),
        'the process running it stopped before it finished',
      );
      this.logger.warn({ runs: left.length }, 'runs left unfinished by an earlier process marked abandoned');
    }
    for (const entry of this.options.schedule) {
      this.crons.push(
        new Cron(entry.cron, { timezone: CRON_TIMEZONE, catch: true }, () => {
          this.enqueue({ name: entry.job });
        }),
      );
    }
  }

  /** Queues a job unless the same one is already waiting; false when it was not queued. */
  enqueue(request: JobRequest): boolean {
    if (this.isStopping) return false;
    const key = dedupeKeyOf(request);
    if (this.pending.some((p) => dedupeKeyOf(p) === key)) return false;
    this.pending.push(request);
    this.pump();
    return true;
  }

  /** Resolves once nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.pending.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the crons and the queue, and waits (up to the timeout) for running jobs; returns how many were left. */
  async stop(): Promise<{ left: number }> {
    this.isStopping = true;
    for (const cron of this.crons) cron.stop();
    this.pending.length = 0;
    const timeoutMs = this.options.stopTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running.values()]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    const left = this.running.size;
    if (left > 0)
      this.logger.warn({ left }, 'stopping with jobs still running: they resume on the next start');
    return { left };
  }

  private pump(): void {
    while (!this.isStopping && this.running.size < this.concurrency) {
      const index = this.pending.findIndex((p) => !this.running.has(lockKeyOf(p)));
      if (index < 0) break;
      const [request] = this.pending.splice(index, 1);
      if (!request) break;
      const key = lockKeyOf(request);
      const run = this.execute(request).finally(() => {
        this.running.delete(key);
        this.pump();
        if (this.pending.length === 0 && this.running.size === 0)
          for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
      this.running.set(key, run);
    }
  }

  private async execute(request: JobRequest): Promise<void> {
    try {
      const outcome = await runJob(request, {
        context: this.options.context,
        services: this.options.services ?? defaultJobServices,
        locks: this.options.context.accountLocks,
        workerId: this.workerId,
        jobId: randomUUID(),
        attempt: 1,
        logger: this.logger,
        enqueue: (next) => {
          for (const job of next) this.enqueue(job);
          return Promise.resolve();
        },
        ...(this.options.handler ? { handler: this.options.handler } : {}),
      });
      if (outcome.outcome === 'busy') this.enqueue(request);
    } catch (error) {
      // Bookkeeping itself failed (the database went away): log it and keep the scheduler alive.
      this.logger.error({ err: error, job: describeRequest(request) }, 'job could not be run');
    }
  }
}
