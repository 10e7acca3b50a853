import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Db } from '../adapters/db/database.ts';
import type { AuditActor } from '../services/audit.service.ts';
import {
  actorOf,
  isCsrfTokenValid,
  resolveSession,
  SESSION_TTL_MS,
  type Session,
} from '../services/auth.service.ts';
import { hasRole, type Role } from '../services/users.service.ts';
import { parseCookies, serializeCookie } from './cookies.ts';
import { HttpError } from './http-error.ts';
import type { SessionCache } from './session-cache.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session, or null; set for every /api request before any route runs. */
    auth: Session | null;
  }
  interface FastifyContextConfig {
    /** Reachable without signing in (health, login, the OAuth callback). Everything else under /api is not. */
    isPublic?: boolean;
  }
}

export const SESSION_COOKIE = 'roas_session';
export const CSRF_HEADER = 'x-csrf-token';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ROLE_CHECK = Symbol('roas.requireRole');

type RoleCheck = ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) & {
  [ROLE_CHECK]: Role;
};

const isApiPath = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/**
 * A preHandler that lets the request through only for a signed-in user with at least this role
 * (viewer < approver < admin): 401 without a session, 403 with too low a role.
 */
export function requireRole(role: Role): RoleCheck {
  const check = (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!request.auth) return Promise.reject(unauthenticated());
    if (!hasRole(request.auth.user.role, role)) {
      return Promise.reject(
        new HttpError(
          403,
          'forbidden',
          `this needs the ${role} role or higher; ${request.auth.user.username} is a ${request.auth.user.role}`,
        ),
      );
    }
    return Promise.resolve();
  };
  return Object.assign(check, { [ROLE_CHECK]: role });
}

/** The audit actor for the signed-in user of this request (routes behind requireRole always have one). */
export function auditActorOf(request: FastifyRequest): AuditActor {
  if (!request.auth) throw unauthenticated();
  return actorOf(request.auth);
}

/** The signed-in user of this request as an audit actor (for services that record who did it). */
export function userActorOf(request: FastifyRequest): AuditActor & { kind: 'user' } {
  if (!request.auth) throw unauthenticated();
  const { id, username } = request.auth.user;
  return { kind: 'user', id, username };
}

function unauthenticated(): HttpError {
  return new HttpError(401, 'unauthenticated', 'sign in first (POST /api/auth/login)');
}

function declaredRole(route: RouteOptions): Role | undefined {
  const hooks = route.preHandler === undefined ? [] : [route.preHandler].flat();
  for (const hook of hooks) {
    const role = (hook as Partial<RoleCheck>)[ROLE_CHECK];
    if (role !== undefined) return role;
  }
  return undefined;
}

/** The session cookie, HttpOnly and SameSite=Lax, Secure when the request came over HTTPS. */
export function sessionCookie(request: FastifyRequest, token: string, expiresAt: Date, now: Date): string {
  return serializeCookie(SESSION_COOKIE, token, {
    maxAgeSeconds: Math.min(SESSION_TTL_MS, expiresAt.getTime() - now.getTime()) / 1000,
    // Lax, not Strict: the Meta OAuth callback arrives as a top-level navigation from facebook.com, and
    // under Strict the browser would leave the cookie off and the user would look signed out there.
    // Every state-changing request needs the CSRF header anyway, so Lax gives nothing away.
    sameSite: 'Lax',
    // `protocol` honours X-Forwarded-Proto (the server trusts its proxy), so a TLS-terminating proxy
    // gets Secure cookies; plain http does not, or browsers would drop the cookie there.
    isSecure: request.protocol === 'https',
  });
}

export function clearedSessionCookie(request: FastifyRequest): string {
  return serializeCookie(SESSION_COOKIE, '', {
    maxAgeSeconds: 0,
    sameSite: 'Lax',
    isSecure: request.protocol === 'https',
  });
}

/** The session token the request's cookie carries, if any. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  return parseCookies(request.headers.cookie).get(SESSION_COOKIE);
}

/**
 * Signs every /api request in from its session cookie; answers 401 unless the route is public and
 * 403 for a state-changing request without the session's CSRF token in `x-csrf-token`. Routes
 * registered afterwards that change state must declare `preHandler: requireRole(...)`, or the server
 * refuses to start: a forgotten check cannot slip through as "any signed-in user".
 */
export function installAuthGuard(
  app: FastifyInstance,
  deps: { db: Db; now(): Date; sessions?: SessionCache },
): void {
  app.decorateRequest('auth', null);

  app.addHook('onRoute', (route) => {
    if (!isApiPath(route.url) || route.config?.isPublic) return;
    const methods = [route.method].flat();
    if (methods.some((m) => STATE_CHANGING.has(m)) && declaredRole(route) === undefined) {
      throw new Error(
        `${methods.join(',')} ${route.url} changes state: give it preHandler: requireRole('viewer' | 'approver' | 'admin')`,
      );
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    // The matched route's pattern as well as the raw URL: the router decodes `/%61pi/x` to /api/x.
    if (!isApiPath(request.url) && !isApiPath(request.routeOptions.url ?? '')) return;
    const token = sessionTokenOf(request);
    if (token !== undefined) {
      const now = deps.now();
      const read = () => resolveSession(deps.db, token, now);
      request.auth = deps.sessions ? await deps.sessions.resolve(token, now, read) : await read();
    }
    if (request.routeOptions.config.isPublic) return;
    if (!request.auth) {
      if (token !== undefined) void reply.header('set-cookie', clearedSessionCookie(request));
      throw unauthenticated();
    }
    if (STATE_CHANGING.has(request.method)) {
      const presented = request.headers[CSRF_HEADER];
      if (!isCsrfTokenValid(request.auth, typeof presented === 'string' ? presented : undefined)) {
        throw new HttpError(
          403,
          'csrf',
          `missing or wrong ${CSRF_HEADER} header: send the csrfToken from GET /api/auth/me`,
        );
      }
    }
  });
}
