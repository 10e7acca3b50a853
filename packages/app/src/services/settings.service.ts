import {
  DEFAULT_RULES,
  formatRulePath,
  parseEngineRules,
  type EngineRules,
  type RuleIssue,
} from '@roas/core';
import { readFile } from 'node:fs/promises';
import { stringify as stringifyYaml } from 'yaml';
import type { Db } from '../adapters/db/database.ts';
import { findAccountById } from '../adapters/db/repositories/accounts.repository.ts';
import {
  findSettingsVersion,
  insertSettingsVersion,
  latestSettingsVersions,
  listSettingsVersionRows,
  type SettingsVersionRow,
} from '../adapters/db/repositories/settings.repository.ts';
import { DEFAULT_RULES_FILE, parseRulesYaml, RulesFileError } from '../adapters/rules/rules-file.ts';
import { NotFoundError, UserError } from '../shared/errors.ts';
import { AUDIT_ACTIONS, recordAudit, type AuditActor } from './audit.service.ts';

/** The id recommendations record when no version was ever saved: the engine's bundled defaults. */
export const DEFAULT_SETTINGS_VERSION_ID = 0;
export const GLOBAL_SCOPE = 'global';

/** One saved version of the rules: who saved it, when, and why. */
export type SettingsVersionInfo = {
  id: number;
  /** `global`, or the id of the account it applies to. */
  scope: string;
  /** Counts up from 1 within its scope. */
  version: number;
  comment: string | null;
  createdBy: { id: string; username: string | null } | null;
  createdAt: Date;
};

/** The rules an account runs on, and where they came from. */
export type CurrentSettings = {
  rules: EngineRules;
  /** What recommendations record: a `settings_versions` id, or 0 for the bundled defaults. */
  settingsVersionId: number;
  source: 'account' | 'global' | 'default';
  version: SettingsVersionInfo | null;
};

/** A rules document that does not validate: every problem with its path, nothing written. */
export class SettingsValidationError extends UserError {
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(
      [
        'the rules do not validate; nothing was saved:',
        ...issues.map((issue) => `  ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`),
      ].join('\n'),
    );
    this.name = 'SettingsValidationError';
  }
}

export type SettingsChange = {
  /** Where the value lives, as core prints rule paths (`guardrails.cooldownHours`, `stages.testing.kill[2].ctr`). */
  path: string;
  kind: 'changed' | 'added' | 'removed';
  old: unknown;
  new: unknown;
};

export type SettingsDiff = {
  from: SettingsVersionInfo | null;
  to: SettingsVersionInfo | null;
  changes: SettingsChange[];
};

function toInfo(row: SettingsVersionRow): SettingsVersionInfo {
  return {
    id: row.id,
    scope: row.scope,
    version: row.version,
    comment: row.comment,
    createdBy: row.createdBy === null ? null : { id: row.createdBy, username: row.createdByName },
    createdAt: row.createdAt,
  };
}

// A version saved under an older engine may not fit the current one; say so rather than guess.
function rulesOf(row: SettingsVersionRow): EngineRules {
  const parsed = parseEngineRules(row.data);
  if (parsed.ok) return parsed.rules;
  const where = row.scope === GLOBAL_SCOPE ? 'global' : `account ${row.scope}`;
  throw new UserError(
    [
      `settings version ${row.version} (${where}, id ${row.id}) does not validate under this engine; save a new version:`,
      ...parsed.issues.map((issue) => `  ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`),
    ].join('\n'),
  );
}

/**
 * The rules an account decides on: its own newest version, else the newest global one, else the
 * bundled defaults (`DEFAULT_RULES`, which `rules/default-rules.yaml` documents). Without an account,
 * the global rules.
 */
export async function currentSettings(db: Db, accountId: string | null): Promise<CurrentSettings> {
  const scopes = accountId === null ? [GLOBAL_SCOPE] : [accountId, GLOBAL_SCOPE];
  const latest = await latestSettingsVersions(db, scopes);
  const own = accountId === null ? undefined : latest.get(accountId);
  const chosen = own ?? latest.get(GLOBAL_SCOPE);
  if (chosen === undefined) {
    return {
      rules: DEFAULT_RULES,
      settingsVersionId: DEFAULT_SETTINGS_VERSION_ID,
      source: 'default',
      version: null,
    };
  }
  return {
    rules: rulesOf(chosen),
    settingsVersionId: chosen.id,
    source: own ? 'account' : 'global',
    version: toInfo(chosen),
  };
}

export type SaveSettingsRequest = {
  /** `global` (the default) or an account id. */
  scope?: string | undefined;
  comment?: string | null | undefined;
  /** The user saving it (a `users.id`); null from the command line. */
  createdBy?: string | null | undefined;
  now: Date;
};

async function checkScope(db: Db, scope: string): Promise<void> {
  if (scope === GLOBAL_SCOPE) return;
  if (!(await findAccountById(db, scope)))
    throw new NotFoundError(`settings scope "${scope}": no such account (use "global" or an account id)`);
}

async function store(db: Db, rules: EngineRules, request: SaveSettingsRequest): Promise<SettingsVersionInfo> {
  const scope = request.scope ?? GLOBAL_SCOPE;
  await checkScope(db, scope);
  const { id } = await insertSettingsVersion(db, {
    scope,
    data: rules,
    comment: request.comment?.trim() || null,
    createdBy: request.createdBy ?? null,
    createdAt: request.now,
  });
  const row = await findSettingsVersion(db, id);
  if (!row) throw new Error(`settings version ${id} vanished after saving`);
  return toInfo(row);
}

/**
 * Saves a full rules document (parsed JSON, as the dashboard sends it) as the scope's next version.
 * A document that does not validate is refused with the path and reason of each problem.
 */
export async function saveSettings(
  db: Db,
  document: unknown,
  request: SaveSettingsRequest,
): Promise<SettingsVersionInfo> {
  const parsed = parseEngineRules(document);
  if (!parsed.ok)
    throw new SettingsValidationError(
      parsed.issues.map((i: RuleIssue) => ({ path: i.path, message: i.message })),
    );
  return store(db, parsed.rules, request);
}

/** Saves a rules file's text; a bad file is a `RulesFileError` naming line, column, path and reason. */
export async function saveSettingsYaml(
  db: Db,
  file: { text: string; fileName: string },
  request: SaveSettingsRequest,
): Promise<SettingsVersionInfo> {
  return store(db, parseRulesYaml(file.text, file.fileName), request);
}

/** Saved versions, oldest first, with who saved each, when and why; one scope's when given. */
export async function listSettingsVersions(
  db: Db,
  options: { scope?: string | undefined } = {},
): Promise<SettingsVersionInfo[]> {
  return (await listSettingsVersionRows(db, options.scope)).map(toInfo);
}

async function versionRules(
  db: Db,
  id: number,
): Promise<{ info: SettingsVersionInfo | null; rules: unknown }> {
  if (id === DEFAULT_SETTINGS_VERSION_ID) return { info: null, rules: DEFAULT_RULES };
  const row = await findSettingsVersion(db, id);
  if (!row) throw new NotFoundError(`no settings version with id ${id}`);
  return { info: toInfo(row), rules: row.data };
}

/** What changed from one version to another (0 = the bundled defaults): each path with its old and new value. */
export async function diffSettingsVersions(db: Db, fromId: number, toId: number): Promise<SettingsDiff> {
  const from = await versionRules(db, fromId);
  const to = await versionRules(db, toId);
  return { from: from.info, to: to.info, changes: diffRules(from.rules, to.rules) };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The leaf-level differences between two rules documents, in document order. Lists compare item by
 * item; a list that grew or shrank shows its extra items as added or removed.
 */
export function diffRules(before: unknown, after: unknown): SettingsChange[] {
  const changes: SettingsChange[] = [];
  const walk = (a: unknown, b: unknown, segments: (string | number)[]) => {
    if (isRecord(a) && isRecord(b)) {
      const keys = [...Object.keys(a), ...Object.keys(b).filter((key) => !(key in a))];
      for (const key of keys) {
        const path = [...segments, key];
        if (!(key in b))
          changes.push({ path: formatRulePath(path), kind: 'removed', old: a[key], new: null });
        else if (!(key in a))
          changes.push({ path: formatRulePath(path), kind: 'added', old: null, new: b[key] });
        else walk(a[key], b[key], path);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const path = [...segments, i];
        if (i >= b.length)
          changes.push({ path: formatRulePath(path), kind: 'removed', old: a[i], new: null });
        else if (i >= a.length)
          changes.push({ path: formatRulePath(path), kind: 'added', old: null, new: b[i] });
        else walk(a[i], b[i], path);
      }
      return;
    }
    if (!Object.is(a, b)) changes.push({ path: formatRulePath(segments), kind: 'changed', old: a, new: b });
  };
  walk(before, after, []);
  return changes;
}

/** A settings version for the API: dates as ISO strings. */
export type SettingsVersionView = Omit<SettingsVersionInfo, 'createdAt'> & { createdAt: string };

export const toVersionView = (info: SettingsVersionInfo): SettingsVersionView => ({
  ...info,
  createdAt: info.createdAt.toISOString(),
});

/** The rules in effect for an account (or globally) with where they come from, as data and as YAML. */
export type SettingsView = {
  /** Whose rules were asked for: `global` or the account id. */
  scope: string;
  source: CurrentSettings['source'];
  versionId: number;
  version: SettingsVersionView | null;
  rules: EngineRules;
  /** The same rules as a rules file: the documented default file when nothing was saved. */
  yaml: string;
};

let defaultRulesText: string | undefined;

export async function settingsView(db: Db, accountId: string | undefined): Promise<SettingsView> {
  if (accountId !== undefined) await checkScope(db, accountId);
  const current = await currentSettings(db, accountId ?? null);
  let yaml: string;
  if (current.source === 'default') {
    defaultRulesText ??= await readFile(DEFAULT_RULES_FILE, 'utf8');
    yaml = defaultRulesText;
  } else {
    yaml = stringifyYaml(current.rules, { lineWidth: 0 });
  }
  return {
    scope: accountId ?? GLOBAL_SCOPE,
    source: current.source,
    versionId: current.settingsVersionId,
    version: current.version === null ? null : toVersionView(current.version),
    rules: current.rules,
    yaml,
  };
}

export type SettingsIssue = {
  path: string | null;
  line: number | null;
  column: number | null;
  message: string;
};

/** Checks a rules file's text without saving it: every problem with its line, column and path. */
export function validateRulesText(text: string): { ok: boolean; issues: SettingsIssue[] } {
  try {
    parseRulesYaml(text, 'rules.yaml');
    return { ok: true, issues: [] };
  } catch (error) {
    if (!(error instanceof RulesFileError)) throw error;
    const issues: SettingsIssue[] =
      error.issues.length > 0
        ? error.issues.map((i) => ({ path: i.path, line: i.line, column: i.column, message: i.message }))
        : [{ path: null, line: null, column: null, message: error.message.split('\n')[0] ?? error.message }];
    return { ok: false, issues };
  }
}

/** A settings document or file that was refused: its issues go back to the caller with the error. */
export class SettingsRejectedError extends UserError {
  constructor(
    message: string,
    readonly issues: readonly SettingsIssue[],
  ) {
    super(message);
    this.name = 'SettingsRejectedError';
  }
}

/**
 * Saves a new version from the dashboard (a rules file's text or a parsed document), audited with who,
 * when, why and what changed from the rules in effect before.
 */
export async function updateSettings(
  db: Db,
  input: {
    yaml?: string | undefined;
    document?: unknown;
    comment?: string | null | undefined;
    accountId?: string | undefined;
  },
  context: { actor: AuditActor & { kind: 'user' }; now: Date },
): Promise<{ version: SettingsVersionView; changes: SettingsChange[] }> {
  const scope = input.accountId ?? GLOBAL_SCOPE;
  await checkScope(db, scope);
  const before = await currentSettings(db, input.accountId ?? null);
  let rules: EngineRules;
  if (input.yaml !== undefined) {
    const checked = validateRulesText(input.yaml);
    if (!checked.ok)
      throw new SettingsRejectedError('the rules file does not validate; nothing was saved', checked.issues);
    rules = parseRulesYaml(input.yaml, 'rules.yaml');
  } else {
    const parsed = parseEngineRules(input.document);
    if (!parsed.ok)
      throw new SettingsRejectedError(
        'the rules do not validate; nothing was saved',
        parsed.issues.map((i) => ({ path: i.path, line: null, column: null, message: i.message })),
      );
    rules = parsed.rules;
  }
  const changes = diffRules(before.rules, rules);
  return db.transaction(async (tx) => {
    const txDb = tx as unknown as Db;
    const info = await store(txDb, rules, {
      scope,
      comment: input.comment,
      createdBy: context.actor.id,
      now: context.now,
    });
    await recordAudit(txDb, {
      actor: context.actor,
      action: AUDIT_ACTIONS.settingsUpdated,
      target: `settings:${scope}`,
      details: {
        versionId: info.id,
        version: info.version,
        comment: info.comment,
        previousVersionId: before.settingsVersionId,
        changes: changes.slice(0, 50).map((c) => ({ path: c.path, old: c.old, new: c.new })),
        changeCount: changes.length,
      },
      at: context.now,
    });
    return { version: toVersionView(info), changes };
  });
}
