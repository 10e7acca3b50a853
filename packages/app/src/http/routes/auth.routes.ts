import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../adapters/db/database.ts';
import {
  endSessionByToken,
  login,
  logout,
  type LoginRateLimiter,
  type Session,
} from '../../services/auth.service.ts';
import { clearedSessionCookie, requireRole, sessionCookie, sessionTokenOf } from '../auth-guard.ts';
import { HttpError } from '../http-error.ts';
import { parseInput } from '../validation.ts';

const loginSchema = z.object({
  username: z.string().min(1, 'is required').max(256),
  password: z.string().min(1, 'is required').max(1024),
});

const describeSession = (session: Session) => ({
  user: session.user,
  csrfToken: session.csrfToken,
  expiresAt: session.expiresAt.toISOString(),
});

/** Sign in with a username and password (a session cookie), sign out, and who am I (with the CSRF token). */
export function registerAuthRoutes(
  app: FastifyInstance,
  deps: { db: Db; limiter: LoginRateLimiter; now(): Date },
): void {
  // Public, and exempt from CSRF: it takes only a JSON body, which a cross-site form cannot send.
  app.post('/api/auth/login', { config: { isPublic: true } }, async (request, reply) => {
    const body = parseInput(loginSchema, request.body);
    const result = await login(deps, { ...body, ip: request.ip });
    switch (result.outcome) {
      case 'rate_limited':
        void reply.header('retry-after', String(result.retryAfterSeconds));
        throw new HttpError(
          429,
          'rate_limited',
          `too many failed sign-ins; try again in ${Math.ceil(result.retryAfterSeconds / 60)} minute(s)`,
        );
      case 'bad_credentials':
        throw new HttpError(401, 'bad_credentials', 'wrong username or password');
      case 'ok': {
        const previous = sessionTokenOf(request);
        if (previous !== undefined) await endSessionByToken(deps.db, previous);
        void reply
          .header('set-cookie', sessionCookie(request, result.token, result.session.expiresAt, deps.now()))
          .header('cache-control', 'no-store');
        return describeSession(result.session);
      }
    }
  });

  app.post('/api/auth/logout', { preHandler: requireRole('viewer') }, async (request, reply) => {
    if (request.auth) await logout(deps.db, request.auth, { ip: request.ip, now: deps.now() });
    return reply.header('set-cookie', clearedSessionCookie(request)).status(204).send();
  });

  app.get('/api/auth/me', { preHandler: requireRole('viewer') }, (request, reply) => {
    if (!request.auth) throw new HttpError(401, 'unauthenticated', 'sign in first (POST /api/auth/login)');
    void reply.header('cache-control', 'no-store');
    return describeSession(request.auth);
  });
}
