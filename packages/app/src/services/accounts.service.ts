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

/** An ad account as the dashboard lists it. */
export type AccountSummary = {
  id: string;
  name: string;
  /** `meta` (connected), `csv` (imported) or `demo` (the simulated demo account). */
  source: AccountRow['source'];
  currency: string;
  timezone: string;
  status: string | null;
  executionMode: AccountRow['executionMode'];
  lastSyncedAt: string | null;
  tokenExpiresAt: string | null;
  syncBlockedReason: string | null;
  killSwitch: { isOn: boolean; reason: string | null };
};

export function toAccountSummary(a: AccountRow): AccountSummary {
  return {
    id: a.id,
    name: a.name,
    source: a.source,
    currency: a.currency,
    timezone: a.timezone,
    status: a.status,
    executionMode: a.executionMode,
    lastSyncedAt: a.lastSyncedAt?.toISOString() ?? null,
    tokenExpiresAt: a.tokenExpiresAt?.toISOString() ?? null,
    syncBlockedReason: a.syncBlockedReason,
    killSwitch: { isOn: a.killSwitchReason !== null, reason: a.killSwitchReason },
  };
}

/** Every account, by name. */
export async function listAccountSummaries(db: Db): Promise<AccountSummary[]> {
  return (await listAccounts(db)).map(toAccountSummary);
}
