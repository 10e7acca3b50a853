import type { Db } from '../adapters/db/database.ts';
import { listAccounts, type AccountRow } from '../adapters/db/repositories/accounts.repository.ts';
import { UserError } from '../shared/errors.ts';

/** Finds the account a command means: by id or exact name, or the only one there is. */
export async function chooseAccount(db: Db, wanted: string | undefined): Promise<AccountRow> {
  const all = await listAccounts(db);
  if (all.length === 0)
    throw new UserError('no accounts yet: import an export first with `roas import <file.csv>`');
  const names = all.map((a) => `"${a.name}" (${a.id})`).join(', ');
  if (wanted === undefined) {
    const [only] = all;
    if (all.length === 1 && only) return only;
    throw new UserError(`there are ${all.length} accounts; choose one with --account: ${names}`);
  }
  const byId = all.find((a) => a.id === wanted);
  if (byId) return byId;
  const byName = all.filter((a) => a.name === wanted);
  const [match] = byName;
  if (byName.length === 1 && match) return match;
  if (byName.length > 1)
    throw new UserError(`--account "${wanted}": several accounts share that name; use the id: ${names}`);
  throw new UserError(`--account "${wanted}": no such account; known accounts: ${names}`);
}
