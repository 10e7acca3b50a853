import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { AppContext } from '../main.ts';
import { MetaConnectError } from '../services/meta-connect.service.ts';
import { UserError } from '../shared/errors.ts';
import { HttpError } from './http-error.ts';
import { registerMetaAuthRoutes } from './routes/meta-auth.routes.ts';

const CONNECT_STATUS = {
  not_configured: 503,
  bad_state: 400,
  consent_denied: 403,
  token_invalid: 401,
  no_accounts: 404,
} as const satisfies Record<MetaConnectError['code'], number>;

/** The HTTP server: every route under /api, one error shape, no stack traces to clients. */
export function buildHttpApp(context: AppContext): FastifyInstance {
  const app = Fastify({ logger: false, trustProxy: true });

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.status).send({ error: { code: error.code, message: error.message } });
    }
    if (error instanceof MetaConnectError) {
      return reply
        .status(CONNECT_STATUS[error.code])
        .send({ error: { code: error.code, message: error.message } });
    }
    if (error instanceof UserError)
      return reply.status(400).send({ error: { code: 'bad_request', message: error.message } });
    if ('validation' in error && error.validation) {
      return reply.status(400).send({ error: { code: 'invalid_input', message: error.message } });
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

  app.get('/api/health', () => ({ ok: true, database: context.database.engine }));
  registerMetaAuthRoutes(app, context);
  return app;
}
