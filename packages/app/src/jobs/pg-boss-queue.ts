import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { UserError } from '../shared/errors.ts';
import { JOB_NAMES, accountOf, queuePolicy, type JobName, type JobRequest } from './job-definitions.ts';
import { LOCK_NAMESPACE } from './locks.ts';

export const queueName = (name: JobName): string => `roas.${name}`;

/** PostgreSQL only: the embedded database belongs to one process, so there is nothing to share a queue with. */
export function requirePostgres(databaseUrl: string | undefined, what: string): string {
  if (!databaseUrl)
    throw new UserError(
      `${what} needs PostgreSQL: set DATABASE_URL. On the embedded database, \`roas serve\` runs the scheduled jobs in its own process`,
    );
  return databaseUrl;
}

/**
 * pg-boss on the application's database (its tables live in the `pgboss` schema, created on first
 * start). `schedule` runs its cron clock here; `supervise` its maintenance (expiring jobs whose worker
 * vanished, archiving finished ones).
 */
export async function startBoss(
  databaseUrl: string,
  logger: Logger,
  options: { schedule: boolean; supervise: boolean; max?: number },
): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    application_name: 'roas-queue',
    max: options.max ?? 4,
    schedule: options.schedule,
    supervise: options.supervise,
  });
  boss.on('error', (error) => logger.warn({ err: error }, 'job queue error'));
  await boss.start();
  await ensureQueues(boss, databaseUrl);
  return boss;
}

/**
 * One queue per job, `short` policy: at most one job waiting per singleton key (the account), so a
 * cron tick while an account's sync still waits adds nothing; one may wait while another runs.
 */
export async function ensureQueues(boss: PgBoss, databaseUrl: string): Promise<void> {
  // Workers starting together would deadlock creating the same queue tables: one at a time.
  const guard = new pg.Client({ connectionString: databaseUrl, application_name: 'roas-queue-setup' });
  await guard.connect();
  try {
    await guard.query('select pg_advisory_lock($1, hashtext($2))', [LOCK_NAMESPACE, 'queues']);
    await createQueues(boss);
  } finally {
    await guard.end();
  }
}

async function createQueues(boss: PgBoss): Promise<void> {
  for (const name of JOB_NAMES) {
    const policy = queuePolicy(name);
    const options = {
      name: queueName(name),
      policy: 'short' as const,
      retryLimit: policy.retryLimit,
      retryDelay: policy.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: policy.expireInSeconds,
    };
    await boss.createQueue(options.name, options);
    // Queues made by an older version keep their options unless updated.
    await boss.updateQueue(options.name, options);
  }
}

/** Queues a job; null when the same job (same account) is already waiting. */
export function sendJob(
  boss: PgBoss,
  request: JobRequest,
  options: { startAfterSeconds?: number } = {},
): Promise<string | null> {
  const accountId = accountOf(request);
  return boss.send(queueName(request.name), accountId === null ? {} : { accountId }, {
    ...(accountId === null ? {} : { singletonKey: accountId }),
    ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
  });
}
