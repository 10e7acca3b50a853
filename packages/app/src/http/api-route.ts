import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Role } from '../services/users.service.ts';
import { requireRole } from './auth-guard.ts';
import { JsonText } from './list-cache.ts';
import { parseInput } from './validation.ts';

type Schema = z.ZodType;

const GZIP_FROM_BYTES = 8 * 1024;

/** Whether an Accept-Encoding header takes gzip (and does not refuse it with q=0). */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    return !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}
type Out<S> = S extends Schema ? z.output<S> : undefined;

/** One route of the API: what it takes, what it answers, and who may call it. */
export type ApiRoute<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
  R extends Schema = Schema,
> = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify's path syntax (`/api/adsets/:id`); OpenAPI gets `{id}`. */
  path: string;
  /** The least role that may call it, or `public` for no sign-in. */
  role: Role | 'public';
  summary: string;
  description?: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Whether the body may be left out. */
  isBodyOptional?: boolean;
  response: R;
  /** The success status (200 unless given). */
  status?: number;
  /** The error statuses this route can answer, besides 401/403 from its role. */
  errors?: number[];
  /** What the success response is when it is not JSON (a redirect, no content). */
  responseKind?: 'json' | 'redirect' | 'empty';
};

/** Declares a route with its schemas kept as precise types, for `registerApiRoute` and the OpenAPI document. */
export function defineRoute<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  R extends Schema = Schema,
>(route: ApiRoute<P, Q, B, R>): ApiRoute<P, Q, B, R> {
  return route;
}

export type RouteInput<P, Q, B> = {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  request: FastifyRequest;
  reply: FastifyReply;
};

/**
 * Registers a declared route: its role check (which the auth guard insists on for state changes),
 * its params, query and body parsed with the declared schemas (400 `invalid_input` naming each bad
 * field), and the handler's result sent with the declared status (a `JsonText` as it is).
 */
export function registerApiRoute<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
  R extends Schema,
>(
  app: FastifyInstance,
  route: ApiRoute<P, Q, B, R>,
  handler: (
    input: RouteInput<P, Q, B>,
  ) => Promise<z.output<R> | JsonText<z.output<R>>> | z.output<R> | JsonText<z.output<R>>,
): void {
  const parse = <S extends Schema | undefined>(schema: S, value: unknown): Out<S> =>
    (schema === undefined ? undefined : parseInput(schema, value)) as Out<S>;
  app.route({
    method: route.method,
    url: route.path,
    ...(route.role === 'public' ? { config: { isPublic: true } } : { preHandler: requireRole(route.role) }),
    handler: async (request, reply) => {
      const input: RouteInput<P, Q, B> = {
        params: parse(route.params as P, request.params),
        query: parse(route.query as Q, request.query),
        body: parse(route.body as B, request.body),
        request,
        reply,
      };
      const result = await handler(input);
      void reply.status(route.status ?? 200);
      if (result instanceof JsonText) {
        void reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('vary', 'accept-encoding');
        // Pages are large and compress about tenfold; a cached one is compressed only once.
        if (result.text.length >= GZIP_FROM_BYTES && acceptsGzip(request.headers['accept-encoding']))
          return reply.header('content-encoding', 'gzip').send(result.gzipped());
        return reply.send(result.text);
      }
      return reply.send(result);
    },
  });
}
