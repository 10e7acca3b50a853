import { hostname } from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import {
  isAccountJob,
  isJobName,
  JOB_NAMES,
  describeRequest,
  type JobRequest,
} from '../../jobs/job-definitions.ts';
import { requirePostgres, sendJob, startBoss } from '../../jobs/pg-boss-queue.ts';
import { startWorker } from '../../jobs/pg-boss-worker.ts';
import { describeSchedule, scheduleFrom } from '../../jobs/schedule.ts';
import { createContext } from '../../main.ts';
import { findAccount } from '../../services/execution-settings.service.ts';
import { UserError } from '../../shared/errors.ts';
import { runWithContext } from '../run.ts';
import { untilStopped } from './serve.command.ts';

// Exit code when the connection holding a job's lock fails: the job must stop here and be retried elsewhere.
const EXIT_LOCK_LOST = 70;

function parseConcurrency(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 32)
    throw new UserError(`--concurrency "${text}": expected a whole number from 1 to 32`);
  return n;
}

async function runWorker(options: { concurrency: string; id?: string }): Promise<void> {
  const concurrency = parseConcurrency(options.concurrency);
  const config = loadConfig();
  // Refuse before opening anything: on PGlite this process would take the data directory from `roas serve`.
  requirePostgres(config.databaseUrl, '`roas worker`');
  const context = await createContext(config);
  const workerId = options.id ?? `${hostname()}:${process.pid}`;
  try {
    const schedule = config.scheduler === 'on' ? scheduleFrom(config) : null;
    const worker = await startWorker({
      context,
      workerId,
      concurrency,
      schedule,
      onLockLost: (key, error) => {
        context.logger.fatal({ key, err: error }, 'lost the connection holding a job lock: exiting');
        process.exit(EXIT_LOCK_LOST);
      },
    });
    console.log(
      `Worker ${workerId} is taking jobs (${concurrency} at a time; ${schedule ? `schedule: ${describeSchedule(schedule)}` : 'no schedule: ROAS_SCHEDULER=off'}). Ctrl-C to stop.`,
    );
    const signal = await untilStopped();
    context.logger.info({ signal }, 'stopping');
    const { left } = await worker.stop();
    if (left > 0) console.log(`Stopped with ${left} job(s) unfinished: another worker will retry them.`);
  } finally {
    await context.close();
  }
}

async function enqueue(job: string, options: { account?: string; json?: boolean }): Promise<void> {
  if (!isJobName(job) || job === 'sync-all')
    throw new UserError(
      `job "${job}": expected one of ${JOB_NAMES.filter((n) => n !== 'sync-all').join(', ')}`,
    );
  if (isAccountJob(job) && job !== 'sync' && options.account === undefined)
    throw new UserError(`job "${job}" is about one account: add --account <id>`);
  if (!isAccountJob(job) && options.account !== undefined)
    throw new UserError(`job "${job}" runs over every account: drop --account`);
  const config = loadConfig();
  const url = requirePostgres(config.databaseUrl, '`roas worker enqueue`');
  await runWithContext(async (context) => {
    let request: JobRequest;
    if (!isAccountJob(job)) request = { name: job };
    else if (options.account === undefined) request = { name: 'sync-all' };
    else request = { name: job, accountId: (await findAccount(context.database.db, options.account)).id };
    const boss = await startBoss(url, context.logger, { schedule: false, supervise: false, max: 2 });
    let jobId: string | null;
    try {
      jobId = await sendJob(boss, request);
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
    const what = describeRequest(request);
    if (options.json)
      console.log(
        JSON.stringify({
          job: request.name,
          accountId: 'accountId' in request ? request.accountId : null,
          jobId,
          queued: jobId !== null,
        }),
      );
    else console.log(jobId ? `Queued ${what} (job ${jobId}).` : `${what} is already waiting in the queue.`);
  });
}

export function registerWorkerCommand(program: Command): void {
  const worker = program
    .command('worker')
    .description(
      'take scheduled jobs (sync, decide, apply, outcomes, health, notifications) from the PostgreSQL queue; needs DATABASE_URL',
    )
    .option('--concurrency <n>', 'jobs this process runs at once (never two for one account)', '1')
    .option('--id <name>', "this worker's name in the job records (default: host:pid)")
    .action(runWorker);
  worker
    .command('enqueue <job>')
    .description(
      'queue a job now for the workers: sync (every account, or --account), decide, apply (--account), outcomes, health, notify',
    )
    .option('--account <id>', 'the account (id or name) for sync, decide and apply')
    .option('--json', 'print the result as JSON')
    .action(enqueue);
}
