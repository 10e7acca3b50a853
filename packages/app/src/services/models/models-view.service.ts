// What the dashboard's Models page and GET /api/models show: each model an account can see, whether
// its decisions use it and why, and its accuracy on its holdout beside the baselines.
import type { Db } from '../../adapters/db/database.ts';
import { resolveOutcomeAccount } from '../outcomes/account.ts';
import { modelUsage, type ModelUsage } from './model-registry.service.ts';

export type ModelsView = {
  account: { id: string; name: string } | null;
  /** Whether decisions use the models at all (ML_ENABLED). */
  mlEnabled: boolean;
  models: ModelUsage[];
};

/** The models of one account (id or exact name; NotFoundError when unknown) and the cold start, or of all. */
export async function modelsView(
  db: Db,
  options: { accountId?: string | undefined; mlEnabled: boolean },
): Promise<ModelsView> {
  const account = options.accountId === undefined ? null : await resolveOutcomeAccount(db, options.accountId);
  return {
    account: account && { id: account.id, name: account.name },
    mlEnabled: options.mlEnabled,
    models: await modelUsage(db, account?.id),
  };
}
