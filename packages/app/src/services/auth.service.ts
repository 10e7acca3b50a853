import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../adapters/db/database.ts';
import {
  deleteExpiredSessions,
  deleteSession,
  findLiveSession,
  insertSession,
} from '../adapters/db/repositories/sessions.repository.ts';
import { findUserByUsername, type Role } from '../adapters/db/repositories/users.repository.ts';
import { AUDIT_ACTIONS, recordAudit, type AuditActor } from './audit.service.ts';
import { verifyAgainstNothing, verifyPassword } from './auth-password.ts';

/** A session lasts a week from sign-in, then the user signs in again. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;

export type SessionUser = { id: string; username: string; role: Role };

export type Session = {
  /** The SHA-256 of the cookie token: what the database keys sessions by. */
  id: string;
  user: SessionUser;
  csrfToken: string;
  expiresAt: Date;
};

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

export function actorOf(session: Session): AuditActor {
  return { kind: 'user', id: session.user.id, username: session.user.username };
}

/** The live session a cookie token names, or null when it is unknown, expired or its user was removed. */
export async function resolveSession(db: Db, token: string, now: Date): Promise<Session | null> {
  // Tokens are 43 characters; anything else cannot be ours, so spare the database the lookup.
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const found = await findLiveSession(db, hashToken(token), now);
  if (!found) return null;
  return {
    id: found.session.id,
    user: found.user,
    csrfToken: found.session.csrfToken,
    expiresAt: found.session.expiresAt,
  };
}

/** Compares a CSRF token from a request header with the session's, in constant time. */
export function isCsrfTokenValid(session: Session, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(session.csrfToken);
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type Limit = { max: number; windowMs: number };

export type LoginLimits = {
  /** Failures allowed for one username from one address. */
  perUserAndIp: Limit;
  /** Failures allowed for one username from all addresses together: caps guessing from forged addresses. */
  perUser: Limit;
};

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUserAndIp: { max: 5, windowMs: 15 * 60_000 },
  perUser: { max: 50, windowMs: 15 * 60_000 },
};

const MAX_TRACKED_KEYS = 10_000;

/**
 * Failed logins in memory, per username and address and per username: enough for one server
 * process. Several processes would each count on their own (then keep this state in the database).
 */
export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {}

  private keys(username: string, ip: string): [string, Limit][] {
    return [
      [`u:${username}|ip:${ip}`, this.limits.perUserAndIp],
      [`u:${username}`, this.limits.perUser],
    ];
  }

  private recent(key: string, limit: Limit, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > now - limit.windowMs);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }

  /** Milliseconds until this username may try again from this address; 0 when it may try now. */
  retryAfterMs(username: string, ip: string, now: Date): number {
    let wait = 0;
    for (const [key, limit] of this.keys(username, ip)) {
      const times = this.recent(key, limit, now.getTime());
      const oldest = times[times.length - limit.max];
      if (times.length >= limit.max && oldest !== undefined)
        wait = Math.max(wait, oldest + limit.windowMs - now.getTime());
    }
    return wait;
  }

  /** Counts a failure; true when it used up the last allowed attempt. */
  recordFailure(username: string, ip: string, now: Date): boolean {
    let isLocked = false;
    for (const [key, limit] of this.keys(username, ip)) {
      const times = this.recent(key, limit, now.getTime());
      times.push(now.getTime());
      // Re-inserted last, so the oldest keys are the first to go when the map is full.
      this.failures.delete(key);
      this.failures.set(key, times);
      if (times.length >= limit.max) isLocked = true;
    }
    this.prune(now.getTime());
    return isLocked;
  }

  recordSuccess(username: string, ip: string): void {
    for (const [key] of this.keys(username, ip)) this.failures.delete(key);
  }

  private prune(now: number): void {
    if (this.failures.size <= MAX_TRACKED_KEYS) return;
    const longest = Math.max(this.limits.perUser.windowMs, this.limits.perUserAndIp.windowMs);
    for (const [key, times] of this.failures) {
      if ((times.at(-1) ?? 0) <= now - longest) this.failures.delete(key);
    }
    for (const key of this.failures.keys()) {
      if (this.failures.size <= MAX_TRACKED_KEYS) break;
      this.failures.delete(key);
    }
  }
}

export type LoginDeps = { db: Db; limiter: LoginRateLimiter; now(): Date };

export type LoginResult =
  | { outcome: 'ok'; token: string; session: Session }
  | { outcome: 'bad_credentials' }
  | { outcome: 'rate_limited'; retryAfterSeconds: number };

/**
 * Checks a username and password and opens a session: a random token for the cookie, stored only as
 * its hash, with a CSRF token and an expiry. Every success and failure is audited; after too many
 * failures the attempt is refused before the password is even checked.
 */
export async function login(
  deps: LoginDeps,
  attempt: { username: string; password: string; ip: string },
): Promise<LoginResult> {
  const now = deps.now();
  const username = attempt.username.trim().toLowerCase().slice(0, 256);
  const wait = deps.limiter.retryAfterMs(username, attempt.ip, now);
  if (wait > 0) return { outcome: 'rate_limited', retryAfterSeconds: Math.ceil(wait / 1000) };

  const user = await findUserByUsername(deps.db, username);
  const isActive = user !== undefined && user.disabledAt === null;
  const isMatch = isActive
    ? await verifyPassword(attempt.password, user.passwordHash)
    : await verifyAgainstNothing(attempt.password);
  if (!isActive || !isMatch) {
    const isLocked = deps.limiter.recordFailure(username, attempt.ip, now);
    await recordAudit(deps.db, {
      // Whoever tried is unknown: the target names the account they tried.
      actor: null,
      action: AUDIT_ACTIONS.loginFailed,
      target: `user:${username}`,
      details: {
        ip: attempt.ip,
        reason: !user ? 'unknown_user' : !isActive ? 'removed_user' : 'wrong_password',
      },
      at: now,
    });
    if (isLocked) {
      await recordAudit(deps.db, {
        actor: null,
        action: AUDIT_ACTIONS.loginLocked,
        target: `user:${username}`,
        details: {
          ip: attempt.ip,
          retryAfterSeconds: Math.ceil(deps.limiter.retryAfterMs(username, attempt.ip, now) / 1000),
        },
        at: now,
      });
    }
    return { outcome: 'bad_credentials' };
  }

  deps.limiter.recordSuccess(username, attempt.ip);
  const token = newToken();
  const session: Session = {
    id: hashToken(token),
    user: { id: user.id, username: user.username, role: user.role },
    csrfToken: newToken(),
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
  };
  await deleteExpiredSessions(deps.db, now);
  await insertSession(deps.db, {
    id: session.id,
    userId: user.id,
    csrfToken: session.csrfToken,
    createdAt: now,
    expiresAt: session.expiresAt,
  });
  await recordAudit(deps.db, {
    actor: actorOf(session),
    action: AUDIT_ACTIONS.loginSucceeded,
    target: `user:${user.username}`,
    details: { ip: attempt.ip },
    at: now,
  });
  return { outcome: 'ok', token, session };
}

/** Ends the session: its token no longer works, even if someone kept a copy of the cookie. */
export async function logout(db: Db, session: Session, details: { ip: string; now: Date }): Promise<void> {
  await deleteSession(db, session.id);
  await recordAudit(db, {
    actor: actorOf(session),
    action: AUDIT_ACTIONS.logout,
    target: `user:${session.user.username}`,
    details: { ip: details.ip },
    at: details.now,
  });
}

/** Ends a session by its cookie token, when one arrives with a login (the old session is replaced). */
export async function endSessionByToken(db: Db, token: string): Promise<void> {
  await deleteSession(db, hashToken(token));
}
