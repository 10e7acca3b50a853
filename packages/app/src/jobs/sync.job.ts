import { findAccountById } from '../adapters/db/repositories/accounts.repository.ts';
import { syncAccounts } from '../services/sync-accounts.service.ts';
import { UserError } from '../shared/errors.ts';
import { skipped, type JobEnv, type JobResult } from './job-handler.ts';

/**
 * Syncs one connected Meta account through the same service as `roas sync` (checkpointed, so a
 * retry after a crash resumes the interrupted run), then queues its decision. A token Meta refuses
 * blocks the account instead of being retried.
 */
export async function runSyncJob(accountId: string, env: JobEnv): Promise<JobResult> {
  let results;
  try {
    results = await syncAccounts(env.context, { accountId });
  } catch (error) {
    if (error instanceof UserError) return skipped(error.message);
    throw error;
  }
  const [result] = results;
  if (!result) return skipped(`no connected Meta account ${accountId}`);
  if (result.ok) {
    const { summary } = result;
    return {
      status: 'done',
      summary: {
        since: summary.since,
        until: summary.until,
        resumed: summary.resumed,
        insightRows: summary.insightRows.adset + summary.insightRows.ad,
        stored: summary.stored,
        warnings: result.warnings,
      },
      next: [{ name: 'decide', accountId }],
    };
  }
  const account = await findAccountById(env.context.database.db, accountId);
  if (account?.syncBlockedReason) return skipped(result.error, { blocked: true });
  throw new Error(result.error);
}
