import { applyRecommendations } from '../services/apply.service.ts';
import { UserError } from '../shared/errors.ts';
import { skipped, type JobEnv, type JobResult } from './job-handler.ts';

/**
 * Applies what the account's mode allows (approved recommendations; in auto-safe also allow-listed
 * ones within caps) through the same service as `roas apply`: idempotent writes, settled by read-back.
 */
export async function runApplyJob(accountId: string, env: JobEnv): Promise<JobResult> {
  let results;
  try {
    results = await applyRecommendations(env.context.meta, {
      accountId,
      dryRun: false,
      actor: { kind: 'system', name: 'scheduler' },
    });
  } catch (error) {
    if (error instanceof UserError) return skipped(error.message);
    throw error;
  }
  const [result] = results;
  if (!result) return skipped(`no account ${accountId}`);
  const outcomes: Record<string, number> = {};
  for (const item of result.items) outcomes[item.outcome] = (outcomes[item.outcome] ?? 0) + 1;
  if (result.blocked !== null) return skipped(result.blocked, { mode: result.account.mode });
  return {
    status: 'done',
    summary: { mode: result.account.mode, outcomes },
    next: result.items.length > 0 ? [{ name: 'notify' }] : [],
  };
}
