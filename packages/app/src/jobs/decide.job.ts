import { findAccountById } from '../adapters/db/repositories/accounts.repository.ts';
import { executionOf } from '../services/execution-settings.service.ts';
import { recommend } from '../services/recommend.service.ts';
import { UserError } from '../shared/errors.ts';
import type { JobRequest } from './job-definitions.ts';
import { errorMessage, skipped, type JobEnv, type JobResult } from './job-handler.ts';

/**
 * Decides one account on its freshly synced data and stores the run under the job's id, so a retried
 * job stores nothing twice. Queues the run's notification, then an apply unless the account is in
 * `recommend` mode (where nothing is ever written to Meta).
 */
export async function runDecideJob(accountId: string, env: JobEnv): Promise<JobResult> {
  const { db } = env.context.database;
  let results;
  try {
    results = await recommend(db, {
      accountId,
      dryRun: false,
      now: env.context.meta.now(),
      runId: env.jobId,
      ml: env.context.config.mlEnabled,
    });
  } catch (error) {
    if (error instanceof UserError) return skipped(error.message);
    throw error;
  }
  const run = results[0];
  const counts: Record<string, number> = {};
  for (const r of run?.recommendations ?? []) counts[r.action] = (counts[r.action] ?? 0) + 1;
  const summary: Record<string, unknown> = { runId: run?.runId ?? null, asOf: run?.asOf ?? null, counts };
  const next: JobRequest[] = [];
  if (run?.runId) {
    // A notification that cannot be queued is logged and never fails the decision (issue 7: notifications).
    try {
      await env.services.notifyDecisionRun(env.context, { accountId, runId: run.runId });
      next.push({ name: 'notify' });
    } catch (error) {
      summary.notification = errorMessage(error);
      env.logger.warn({ accountId, err: error }, 'run summary not queued for Slack');
    }
  }
  const account = await findAccountById(db, accountId);
  const mode = account ? executionOf(account).mode : 'recommend';
  summary.mode = mode;
  if (mode !== 'recommend') next.push({ name: 'apply', accountId });
  return { status: 'done', summary, next };
}
