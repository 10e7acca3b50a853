import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { AppContext } from '../main.ts';
import { LoginRateLimiter, type LoginLimits } from '../services/auth.service.ts';
import { MetaConnectError } from '../services/meta-connect.service.ts';
import { UsersError } from '../services/users.service.ts';
import { UserError } from '../shared/errors.ts';
import { installAuthGuard } from './auth-guard.ts';
import { HttpError } from './http-error.ts';
import { registerAuthRoutes } from './routes/auth.routes.ts';
import { registerMetaAuthRoutes } from './routes/meta-auth.routes.ts';
import { registerUsersRoutes } from './routes/users.routes.ts';

const CONNECT_STATUS = {
  not_configured: 503,
  bad_state: 400,
  consent_denied: 403,
  token_invalid: 401,
  no_accounts: 404,
} as const satisfies Record<MetaConnectError['code'], number>;

const USERS_STATUS = {
  invalid_username: 400,
  weak_password: 400,
  exists: 409,
  not_found: 404,
  last_admin: 409,
} as const satisfies Record<UsersError['code'], number>;

export type HttpAppOptions = {
  /** The clock for sessions and login limits; tests move it. */
  now?: () => Date;
  loginLimits?: LoginLimits;
};

const isClientError = (error: Error): error is FastifyError =>
  'statusCode' in error &&
  typeof error.statusCode === 'number' &&
  error.statusCode >= 400 &&
  error.statusCode < 500;

/**
 * The HTTP server: every route under /api, one error shape, no stack traces to clients. Every /api
 * route needs a signed-in user unless it is marked public, and state-changing ones a CSRF token.
 */
export function buildHttpApp(context: AppContext, options: HttpAppOptions = {}): FastifyInstance {
  const app = Fastify({ logger: false, trustProxy: true });
  const now = options.now ?? (() => new Date());
  const db = context.database.db;

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.status).send({ error: { code: error.code, message: error.message } });
    }
    if (error instanceof MetaConnectError) {
      return reply
        .status(CONNECT_STATUS[error.code])
        .send({ error: { code: error.code, message: error.message } });
    }
    if (error instanceof UsersError) {
      return reply
        .status(USERS_STATUS[error.code])
        .send({ error: { code: error.code, message: error.message } });
    }
    if (error instanceof UserError)
      return reply.status(400).send({ error: { code: 'bad_request', message: error.message } });
    if ('validation' in error && error.validation) {
      return reply.status(400).send({ error: { code: 'invalid_input', message: error.message } });
    }
    // Fastify's own refusals (malformed JSON, unsupported content type, body too large) are the client's.
    if (isClientError(error)) {
      return reply
        .status(error.statusCode ?? 400)
        .send({ error: { code: 'bad_request', message: error.message } });
    }
    context.logger.error({ err: error, url: request.url.split('?')[0] }, 'request failed');
    return reply
      .status(500)
      .send({ error: { code: 'internal', message: 'something went wrong on our side; it has been logged' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    }),
  );

  installAuthGuard(app, { db, now });
  app.get('/api/health', { config: { isPublic: true } }, () => ({
    ok: true,
    database: context.database.engine,
  }));
  registerAuthRoutes(app, { db, limiter: new LoginRateLimiter(options.loginLimits), now });
  registerUsersRoutes(app, { db, now });
  registerMetaAuthRoutes(app, context);
  return app;
}
