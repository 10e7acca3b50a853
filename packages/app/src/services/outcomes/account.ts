import type { Db } from '../../adapters/db/database.ts';
import {
  findAccountById,
  findAccountsByName,
  type AccountRow,
} from '../../adapters/db/repositories/accounts.repository.ts';
import { NotFoundError, UserError } from '../../shared/errors.ts';

/** The account an outcomes request names: its id (with or without `act_`) or its exact, unique name. */
export async function resolveOutcomeAccount(db: Db, wanted: string): Promise<AccountRow> {
  const byId = (await findAccountById(db, wanted)) ?? (await findAccountById(db, `act_${wanted}`));
  if (byId) return byId;
  const byName = await findAccountsByName(db, wanted);
  if (byName.length === 1 && byName[0]) return byName[0];
  if (byName.length > 1)
    throw new UserError(
      `account "${wanted}": ${byName.length} accounts share that name; use the id (${byName.map((a) => a.id).join(', ')})`,
    );
  throw new NotFoundError(`no account ${wanted}`);
}
