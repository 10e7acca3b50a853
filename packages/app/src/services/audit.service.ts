import type { Db } from '../adapters/db/database.ts';
import { insertAuditEvent, listAuditEventRows } from '../adapters/db/repositories/audit.repository.ts';

/** Who acted: a signed-in user, or the system (the first run, or a CLI operator such as `cli:alice`). */
export type AuditActor = { kind: 'user'; id: string; username: string } | { kind: 'system'; name: string };

/** Actions are `noun.verb` strings; new kinds of event follow the same pattern. */
export const AUDIT_ACTIONS = {
  loginSucceeded: 'auth.login',
  loginFailed: 'auth.login_failed',
  loginLocked: 'auth.login_locked',
  logout: 'auth.logout',
  userCreated: 'user.create',
  userReactivated: 'user.reactivate',
  userRemoved: 'user.remove',
  recommendationApproved: 'recommendation.approve',
  recommendationRejected: 'recommendation.reject',
  settingsUpdated: 'settings.update',
  thresholdProposalRejected: 'settings.proposal_reject',
  demoCreated: 'demo.create',
} as const;

export type AuditInput = {
  /** Null when nobody is known, such as a failed login with an unknown username. */
  actor: AuditActor | null;
  action: string;
  /** What was acted on, as `kind:id`: `user:alice`, `recommendation:<uuid>`, `settings:global`. */
  target: string;
  details?: Record<string, unknown>;
  at?: Date;
};

export type AuditEntry = {
  id: string;
  at: string;
  /** The actor's name when the event was written, kept even after the user is removed. */
  who: string | null;
  userId: string | null;
  action: string;
  target: string;
  details: Record<string, unknown>;
};

export function actorName(actor: AuditActor | null): string | null {
  if (actor === null) return null;
  return actor.kind === 'user' ? actor.username : actor.name;
}

/** Writes one audit event: who (user id and name), what, when, on what, and any details. */
export async function recordAudit(db: Db, event: AuditInput): Promise<void> {
  await insertAuditEvent(db, {
    userId: event.actor?.kind === 'user' ? event.actor.id : null,
    action: event.action,
    subject: event.target,
    details: { ...event.details, actor: actorName(event.actor) },
    at: event.at ?? new Date(),
  });
}

/** The newest events first (default 100, at most 1000). */
export async function listAuditEvents(
  db: Db,
  filter: { action?: string; target?: string; limit?: number } = {},
): Promise<AuditEntry[]> {
  const rows = await listAuditEventRows(db, {
    ...(filter.action === undefined ? {} : { action: filter.action }),
    ...(filter.target === undefined ? {} : { subject: filter.target }),
    limit: Math.min(Math.max(filter.limit ?? 100, 1), 1000),
  });
  return rows.map((row) => {
    const { actor, ...details } = row.details;
    return {
      id: row.id,
      at: row.at.toISOString(),
      who: typeof actor === 'string' ? actor : null,
      userId: row.userId,
      action: row.action,
      target: row.subject,
      details,
    };
  });
}
