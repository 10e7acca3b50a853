import { applyRecommendations, type ApplyDeps, type ApplyOutcome } from './apply.service.ts';
import type { AuditActor } from './audit.service.ts';
import { reviewRecommendations, type ReviewDecision, type ReviewResult } from './recommendations.service.ts';
import type { JobLocks } from '../jobs/locks.ts';

/** What happened to one approved recommendation when its account's mode let it go to Meta. */
export type AppliedOutcome = {
  recommendationId: string;
  outcome: ApplyOutcome;
  reason: string | null;
  actionId: string | null;
};

export type ReviewAndApplyResult = ReviewResult & {
  applied: AppliedOutcome[];
  /** Per account, why nothing was sent (recommend mode, kill switch, imported data, an error). */
  applyNotes: string[];
};

/**
 * The dashboard's approve button: records the review (all or nothing, audited), then hands what was
 * approved to the same apply service as `roas apply`, account by account. The account's mode decides:
 * in `recommend` nothing is sent and the note says so; in `approve` or `auto-safe` the approved
 * recommendations are applied now, with fresh reads and the guardrails again. A failed apply never
 * undoes the approval: it is reported and the approval stands for `roas apply` to retry.
 */
export async function reviewAndApply(
  deps: ApplyDeps & { accountLocks?: JobLocks | undefined },
  request: {
    ids: readonly string[];
    decision: ReviewDecision;
    comment?: string | null | undefined;
    actor: AuditActor & { kind: 'user' };
    now: Date;
  },
): Promise<ReviewAndApplyResult> {
  const review = await reviewRecommendations(deps.db, request);
  if (request.decision !== 'approve') return { ...review, applied: [], applyNotes: [] };
  const byAccount = new Map<string, string[]>();
  for (const item of review.items)
    byAccount.set(item.account.id, [...(byAccount.get(item.account.id) ?? []), item.id]);
  const applied: AppliedOutcome[] = [];
  const applyNotes: string[] = [];
  for (const [accountId, ids] of byAccount) {
    try {
      for (const result of await applyRecommendations(deps, {
        accountId,
        recommendationIds: ids,
        dryRun: false,
        actor: request.actor,
        // Never at the same time as a scheduled job of the account: busy is reported, the approval stands.
        accountLocks: deps.accountLocks,
      })) {
        if (result.blocked) applyNotes.push(`${result.account.name}: approved, not sent: ${result.blocked}`);
        for (const item of result.items)
          applied.push({
            recommendationId: item.recommendationId,
            outcome: item.outcome,
            reason: item.reason,
            actionId: item.actionId,
          });
      }
    } catch (error) {
      applyNotes.push(
        `approved, but applying failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return { ...review, applied, applyNotes };
}
