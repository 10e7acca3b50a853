import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../main.ts';
import { completeMetaLogin, startMetaLogin } from '../../services/meta-connect.service.ts';
import { requireRole } from '../auth-guard.ts';
import { HttpError } from '../http-error.ts';

// Only same-site paths: an absolute or protocol-relative URL here would be an open redirect.
const returnToSchema = z
  .string()
  .regex(/^\/(?!\/)[^\s]*$/, 'returnTo must be a path on this site, like /accounts')
  .optional();

const callbackSchema = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  error_reason: z.string().optional(),
  error_description: z.string().optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new HttpError(400, 'invalid_input', result.error.issues.map((i) => i.message).join('; '));
  return result.data;
}

/**
 * OAuth with Meta: /start (admins) redirects to the login dialog, /callback stores the connected
 * accounts. The callback is public: Meta's redirect carries the signed, single-use state that only
 * an admin's /start hands out, and that state is what authorises it.
 */
export function registerMetaAuthRoutes(app: FastifyInstance, context: AppContext): void {
  app.get('/api/auth/meta/start', { preHandler: requireRole('admin') }, async (request, reply) => {
    const { returnTo } = parse(z.object({ returnTo: returnToSchema }), request.query);
    const { url } = await startMetaLogin(context.meta, returnTo === undefined ? {} : { returnTo });
    return reply.redirect(url, 302);
  });

  app.get('/api/auth/meta/callback', { config: { isPublic: true } }, async (request, reply) => {
    const params = parse(callbackSchema, request.query);
    const result = await completeMetaLogin(context.meta, params);
    if ((request.headers.accept ?? '').includes('application/json')) return { accounts: result.accounts };
    const target = new URL(result.returnTo ?? '/', 'http://placeholder');
    target.searchParams.set('connected', result.accounts.map((a) => a.id).join(','));
    return reply.redirect(`${target.pathname}${target.search}`, 302);
  });
}
