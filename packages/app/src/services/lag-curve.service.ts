import { learnCompletenessCurve, type IsoDate, type LearnedCurve } from '@roas/core';
import type { Db } from '../adapters/db/database.ts';
import { lagObservations } from '../adapters/db/repositories/lag.repository.ts';

/** The account's attribution-lag curve learned from its re-synced history (the default until it has enough). */
export async function accountLagCurve(db: Db, accountId: string, today: IsoDate): Promise<LearnedCurve> {
  return learnCompletenessCurve(await lagObservations(db, accountId, today));
}
