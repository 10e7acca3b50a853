import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../adapters/db/database.ts';
import { listAccounts, type AccountRow } from '../adapters/db/repositories/accounts.repository.ts';
import { accounts, EXECUTION_MODES, type ExecutionSettings } from '../adapters/db/schema.ts';
import { NotFoundError, UserError } from '../shared/errors.ts';
import { recordAudit, type AuditActor } from './audit.service.ts';
import { decidingRuleIds, matchesRule } from './deciding-rule.ts';
import { currentSettings } from './settings.service.ts';

export type ExecutionMode = (typeof EXECUTION_MODES)[number];

/** The execution settings with every default filled in. */
export type ResolvedExecutionSettings = Required<ExecutionSettings>;

export const DEFAULT_EXECUTION_SETTINGS: ResolvedExecutionSettings = {
  autoSafeRules: [],
  autoSafeMaxPercent: 20,
  autoSafeMaxPerDay: 10,
  approvalMaxAgeHours: 24,
};

const RULE_PATTERN = /^[A-Za-z0-9_.-]+\*?$/;

const settingsSchema = z
  .object({
    autoSafeRules: z
      .array(
        z.string().regex(RULE_PATTERN, 'a rule id such as matrix.winner.stable, or a prefix ending in *'),
      )
      .max(200),
    autoSafeMaxPercent: z.number().gt(0).max(100),
    autoSafeMaxPerDay: z.number().int().min(1).max(1000),
    approvalMaxAgeHours: z
      .number()
      .gt(0)
      .max(24 * 30),
  })
  .partial()
  .strict();

/** Stored settings with defaults for absent keys; a stored value that no longer validates falls back too. */
export function resolveExecutionSettings(stored: unknown): ResolvedExecutionSettings {
  const resolved = { ...DEFAULT_EXECUTION_SETTINGS };
  if (typeof stored !== 'object' || stored === null) return resolved;
  for (const [key, value] of Object.entries(stored as Record<string, unknown>)) {
    const parsed = settingsSchema.safeParse({ [key]: value });
    if (parsed.success) Object.assign(resolved, parsed.data);
  }
  return resolved;
}

/** An account's execution mode, settings and kill switch, as `roas accounts mode` and the dashboard show them. */
export type AccountExecution = {
  accountId: string;
  name: string;
  source: AccountRow['source'];
  mode: ExecutionMode;
  settings: ResolvedExecutionSettings;
  killSwitchReason: string | null;
};

export function executionOf(account: AccountRow): AccountExecution {
  return {
    accountId: account.id,
    name: account.name,
    source: account.source,
    mode: account.executionMode,
    settings: resolveExecutionSettings(account.executionSettings),
    killSwitchReason: account.killSwitchReason,
  };
}

/** The account an id (with or without `act_`) or exact name means. */
export async function findAccount(db: Db, wanted: string): Promise<AccountRow> {
  const all = await listAccounts(db);
  const byId = all.find((a) => a.id === wanted || a.id === `act_${wanted}`);
  if (byId) return byId;
  const byName = all.filter((a) => a.name === wanted);
  const [only] = byName;
  if (byName.length === 1 && only) return only;
  if (byName.length > 1)
    throw new UserError(`account "${wanted}": several accounts share that name; use the id`);
  throw new NotFoundError(`no account "${wanted}"`);
}

export type ModeChange = {
  mode: ExecutionMode;
  /** Replaces the auto-safe allow-list when given. */
  autoSafeRules?: readonly string[] | undefined;
  autoSafeMaxPercent?: number | undefined;
  autoSafeMaxPerDay?: number | undefined;
  approvalMaxAgeHours?: number | undefined;
};

/**
 * Sets an account's execution mode (and any of its settings): `recommend` never writes, `approve`
 * applies what a person approved, `auto-safe` also applies pending recommendations whose deciding
 * rule is on the allow-list, within the per-action and per-day caps. Allow-list entries must name a
 * rule the current settings can decide with (a typo would silently allow nothing). Only Meta
 * accounts can leave `recommend`: an imported account has no connection to write through.
 */
export async function setExecutionMode(
  db: Db,
  accountId: string,
  change: ModeChange,
  audit: { actor: AuditActor | null; now: Date },
): Promise<AccountExecution> {
  if (!(EXECUTION_MODES as readonly string[]).includes(change.mode))
    throw new UserError(`mode must be one of ${EXECUTION_MODES.join(', ')} (got "${change.mode}")`);
  const account = await findAccount(db, accountId);
  if (change.mode !== 'recommend' && account.source !== 'meta' && account.source !== 'demo')
    throw new UserError(
      `"${account.name}" was imported from a file: only connected Meta accounts can apply changes`,
    );
  const patch: ExecutionSettings = {};
  if (change.autoSafeRules !== undefined) patch.autoSafeRules = [...new Set(change.autoSafeRules)];
  if (change.autoSafeMaxPercent !== undefined) patch.autoSafeMaxPercent = change.autoSafeMaxPercent;
  if (change.autoSafeMaxPerDay !== undefined) patch.autoSafeMaxPerDay = change.autoSafeMaxPerDay;
  if (change.approvalMaxAgeHours !== undefined) patch.approvalMaxAgeHours = change.approvalMaxAgeHours;
  const parsed = settingsSchema.safeParse(patch);
  if (!parsed.success) {
    throw new UserError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; '),
    );
  }
  const settings = resolveExecutionSettings({
    ...resolveExecutionSettings(account.executionSettings),
    ...parsed.data,
  });
  if (patch.autoSafeRules !== undefined) {
    const known = decidingRuleIds((await currentSettings(db, account.id)).rules);
    const unknown = patch.autoSafeRules.filter((p) => !known.some((id) => matchesRule(p, id)));
    if (unknown.length > 0)
      throw new UserError(
        `no rule matches ${unknown.map((u) => `"${u}"`).join(', ')}; rules that decide a change: ${known.join(', ')}`,
      );
  }
  if (change.mode === 'auto-safe' && settings.autoSafeRules.length === 0)
    throw new UserError(
      'auto-safe needs an allow-list of rule ids (--allow matrix.winner.stable,...): with none it would apply nothing by itself',
    );
  await db
    .update(accounts)
    .set({ executionMode: change.mode, executionSettings: settings, updatedAt: audit.now })
    .where(eq(accounts.id, account.id));
  await recordAudit(db, {
    actor: audit.actor,
    action: 'account.mode',
    target: `account:${account.id}`,
    details: { from: account.executionMode, to: change.mode, settings },
    at: audit.now,
  });
  return executionOf({ ...account, executionMode: change.mode, executionSettings: settings });
}

/**
 * Trips (with a reason) or clears an account's kill switch. While it is on, nothing at all is written
 * to Meta for the account (applies and undos are refused), until a person clears it.
 */
export async function setKillSwitch(
  db: Db,
  accountId: string,
  reason: string | null,
  audit: { actor: AuditActor | null; now: Date },
): Promise<AccountExecution> {
  const account = await findAccount(db, accountId);
  const text = reason?.trim() ?? null;
  if (reason !== null && !text) throw new UserError('give the reason the kill switch is on');
  await db
    .update(accounts)
    .set({ killSwitchReason: text, updatedAt: audit.now })
    .where(eq(accounts.id, account.id));
  await recordAudit(db, {
    actor: audit.actor,
    action: text === null ? 'account.kill_switch_off' : 'account.kill_switch_on',
    target: `account:${account.id}`,
    details: { reason: text, previous: account.killSwitchReason },
    at: audit.now,
  });
  return executionOf({ ...account, killSwitchReason: text });
}
