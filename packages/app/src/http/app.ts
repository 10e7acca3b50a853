import { analystRunFor } from '../services/analyst/analyst.service.ts';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { AppContext } from '../main.ts';
import { LoginRateLimiter, type LoginLimits } from '../services/auth.service.ts';
import { MetaConnectError } from '../services/meta-connect.service.ts';
import { UsersError } from '../services/users.service.ts';
import { SettingsRejectedError, SettingsValidationError } from '../services/settings.service.ts';
import { ConflictError, NotFoundError, UserError } from '../shared/errors.ts';
import { RulesFileError } from '../adapters/rules/rules-file.ts';
import { registerApiRoute } from './api-route.ts';
import { API_ROUTES } from './api-routes.ts';
import { installAuthGuard } from './auth-guard.ts';
import { HttpError } from './http-error.ts';
import { ChangeFeed } from './change-feed.ts';
import { ListCache } from './list-cache.ts';
import { openApiDocument } from './openapi.ts';
import { registerAccountsRoutes } from './routes/accounts.routes.ts';
import { registerAuthRoutes } from './routes/auth.routes.ts';
import { registerMetaAuthRoutes } from './routes/meta-auth.routes.ts';
import { registerModelsRoutes } from './routes/models.routes.ts';
import { registerRecommendationsRoutes } from './routes/recommendations.routes.ts';
import { registerSettingsRoutes } from './routes/settings.routes.ts';
import { registerUsersRoutes } from './routes/users.routes.ts';
import { SessionCache } from './session-cache.ts';
import { serveWebApp, WEB_DIST } from './static-files.ts';

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
  /** The dashboard build to serve outside /api (default packages/web/dist); null serves none. */
  webDist?: string | null;
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
    if (error instanceof NotFoundError)
      return reply.status(404).send({ error: { code: 'not_found', message: error.message } });
    if (error instanceof ConflictError)
      return reply.status(409).send({ error: { code: 'conflict', message: error.message } });
    if (error instanceof SettingsRejectedError) {
      return reply
        .status(400)
        .send({ error: { code: 'invalid_settings', message: error.message, issues: error.issues } });
    }
    if (error instanceof SettingsValidationError) {
      const issues = error.issues.map((i) => ({
        path: i.path,
        line: null,
        column: null,
        message: i.message,
      }));
      return reply.status(400).send({ error: { code: 'invalid_settings', message: error.message, issues } });
    }
    if (error instanceof RulesFileError) {
      const issues = error.issues.map((i) => ({
        path: i.path,
        line: i.line,
        column: i.column,
        message: i.message,
      }));
      return reply.status(400).send({ error: { code: 'invalid_settings', message: error.message, issues } });
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
  const webDist = options.webDist === undefined ? WEB_DIST : options.webDist;
  app.setNotFoundHandler(
    (request, reply) =>
      serveWebApp(request, reply, webDist) ??
      reply.status(404).send({
        error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
      }),
  );

  // Caches that the database's change notifications keep honest: sessions, and list pages.
  const feed = new ChangeFeed();
  void feed.start(context.database, context.logger);
  app.addHook('onClose', () => feed.close());
  // A request that may have written (sign-in and out, reviews, settings) empties the caches before its
  // response leaves, so the client's next request already sees its change.
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') feed.invalidateAll();
    done(null, payload);
  });
  installAuthGuard(app, { db, now, sessions: new SessionCache(feed) });
  app.get('/api/health', { config: { isPublic: true } }, () => ({
    ok: true,
    database: context.database.engine,
  }));
  registerAuthRoutes(app, { db, limiter: new LoginRateLimiter(options.loginLimits), now });
  registerUsersRoutes(app, { db, now });
  registerMetaAuthRoutes(app, context);
  registerApiRoute(app, API_ROUTES.openapi, () => openApiDocument());
  registerAccountsRoutes(app, { db, now });
  registerRecommendationsRoutes(app, {
    db,
    now,
    cache: new ListCache(feed),
    meta: { ...context.meta, accountLocks: context.accountLocks },
    analyst: () => analystRunFor(context),
    ml: context.config.mlEnabled,
  });
  registerSettingsRoutes(app, { db, now });
  registerModelsRoutes(app, { db, mlEnabled: context.config.mlEnabled });
  return app;
}
