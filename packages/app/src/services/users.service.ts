import type { Db } from '../adapters/db/database.ts';
import {
  countUsers,
  disableUser,
  findUserByUsername,
  insertUser,
  listActiveUsers,
  lockActiveAdmins,
  reactivateUser,
  type Role,
  type UserRow,
} from '../adapters/db/repositories/users.repository.ts';
import { deleteUserSessions } from '../adapters/db/repositories/sessions.repository.ts';
import { UserError } from '../shared/errors.ts';
import { AUDIT_ACTIONS, recordAudit, type AuditActor } from './audit.service.ts';
import { findPasswordProblem, generatePassword, hashPassword } from './auth-password.ts';

export type { Role } from '../adapters/db/repositories/users.repository.ts';

/** Lowest to highest: each role may do everything the roles before it may. */
export const ROLES = ['viewer', 'approver', 'admin'] as const satisfies readonly Role[];

/** True when a user with role `actual` may do what needs `required`. */
export function hasRole(actual: Role, required: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}

export const FIRST_ADMIN_USERNAME = 'admin';

/** A user problem the HTTP layer maps to a status by `code`; the CLI prints the message alone. */
export class UsersError extends UserError {
  constructor(
    readonly code: 'invalid_username' | 'weak_password' | 'exists' | 'not_found' | 'last_admin',
    message: string,
  ) {
    super(message);
    this.name = 'UsersError';
  }
}

export type PublicUser = { id: string; username: string; role: Role; createdAt: string };

const toPublic = (row: UserRow): PublicUser => ({
  id: row.id,
  username: row.username,
  role: row.role,
  createdAt: row.createdAt.toISOString(),
});

const USERNAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/** Usernames are compared without case: stored trimmed and lower-cased. */
export function normalizeUsername(raw: string): string {
  const username = raw.trim().toLowerCase();
  if (!USERNAME.test(username)) {
    throw new UsersError(
      'invalid_username',
      'a username is 1 to 64 characters: letters, digits and . _ @ -, starting with a letter or digit',
    );
  }
  return username;
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  return (await listActiveUsers(db)).map(toPublic);
}

/**
 * Adds a user with a hashed password. A name that belonged to a removed user is given back to them
 * with the new password and role (`reactivated`), so their past approvals stay theirs.
 */
export async function addUser(
  db: Db,
  input: { username: string; password: string; role: Role },
  options: { actor: AuditActor; now?: Date },
): Promise<{ user: PublicUser; reactivated: boolean }> {
  const username = normalizeUsername(input.username);
  const problem = findPasswordProblem(input.password);
  if (problem !== null) throw new UsersError('weak_password', problem);
  const passwordHash = await hashPassword(input.password);
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const txDb = tx as unknown as Db;
    const existing = await findUserByUsername(txDb, username);
    if (existing && existing.disabledAt === null)
      throw new UsersError('exists', `there is already a user named ${username}`);
    const row = existing
      ? await reactivateUser(txDb, existing.id, { passwordHash, role: input.role })
      : await insertUser(txDb, { username, passwordHash, role: input.role }, now);
    if (!row) throw new UsersError('exists', `there is already a user named ${username}`);
    await recordAudit(txDb, {
      actor: options.actor,
      action: existing ? AUDIT_ACTIONS.userReactivated : AUDIT_ACTIONS.userCreated,
      target: `user:${username}`,
      details: { role: input.role },
      at: now,
    });
    return { user: toPublic(row), reactivated: existing !== undefined };
  });
}

/**
 * Removes a user: they can no longer sign in and their sessions end at once. The last admin cannot
 * be removed, or nobody could manage users from the dashboard again.
 */
export async function removeUser(
  db: Db,
  rawUsername: string,
  options: { actor: AuditActor; now?: Date },
): Promise<PublicUser> {
  const username = rawUsername.trim().toLowerCase();
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const txDb = tx as unknown as Db;
    const admins = await lockActiveAdmins(txDb);
    const user = await findUserByUsername(txDb, username);
    if (!user || user.disabledAt !== null)
      throw new UsersError('not_found', `there is no user named ${username}`);
    if (user.role === 'admin' && admins.length <= 1 && admins.includes(user.id)) {
      throw new UsersError(
        'last_admin',
        `${username} is the last admin and cannot be removed; add another admin first ` +
          `(roas users add <name> --role admin), then remove ${username}`,
      );
    }
    await disableUser(txDb, user.id, now);
    await deleteUserSessions(txDb, user.id);
    await recordAudit(txDb, {
      actor: options.actor,
      action: AUDIT_ACTIONS.userRemoved,
      target: `user:${username}`,
      details: { role: user.role },
      at: now,
    });
    return toPublic(user);
  });
}

export type EnsureAdminResult =
  | { created: false }
  | { created: true; username: string; passwordSource: 'config' }
  | { created: true; username: string; passwordSource: 'generated'; generatedPassword: string };

/**
 * First run: when there is no user at all, creates `admin` with ROAS_ADMIN_PASSWORD, or with a
 * generated password returned here for the caller to print once (it is never logged). Does nothing
 * once any user exists, even a removed one.
 */
export async function ensureAdmin(context: {
  config: { adminPassword?: string | undefined };
  database: { db: Db };
}): Promise<EnsureAdminResult> {
  const { db } = context.database;
  if ((await countUsers(db)) > 0) return { created: false };
  const configured = context.config.adminPassword;
  const password = configured ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const now = new Date();
  const created = await db.transaction(async (tx) => {
    const txDb = tx as unknown as Db;
    // Checked again inside the transaction: another process may have created users meanwhile.
    if ((await countUsers(txDb)) > 0) return false;
    const row = await insertUser(txDb, { username: FIRST_ADMIN_USERNAME, passwordHash, role: 'admin' }, now);
    if (!row) return false;
    await recordAudit(txDb, {
      actor: { kind: 'system', name: 'first-run' },
      action: AUDIT_ACTIONS.userCreated,
      target: `user:${FIRST_ADMIN_USERNAME}`,
      details: {
        role: 'admin',
        passwordFrom: configured === undefined ? 'generated' : 'ROAS_ADMIN_PASSWORD',
      },
      at: now,
    });
    return true;
  });
  if (!created) return { created: false };
  return configured === undefined
    ? {
        created: true,
        username: FIRST_ADMIN_USERNAME,
        passwordSource: 'generated',
        generatedPassword: password,
      }
    : { created: true, username: FIRST_ADMIN_USERNAME, passwordSource: 'config' };
}

/** What the server prints on stdout after `ensureAdmin`, or null when nothing was created. */
export function describeFirstRunAdmin(result: EnsureAdminResult): string | null {
  if (!result.created) return null;
  if (result.passwordSource === 'config')
    return `Created the first user: ${result.username} (admin), with the password from ROAS_ADMIN_PASSWORD.`;
  return [
    `Created the first user: ${result.username} (admin), password: ${result.generatedPassword}`,
    'This password is shown once and never again: keep it now. Add people with `roas users add`.',
  ].join('\n');
}
