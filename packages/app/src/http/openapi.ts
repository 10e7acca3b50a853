import { z } from 'zod';
import { ENGINE_VERSION } from '../shared/engine-version.ts';
import type { ApiRoute } from './api-route.ts';
import { API_ROUTES } from './api-routes.ts';
import { apiSchemas, errorResponse } from './contract.ts';

type JsonSchema = Record<string, unknown>;

const ROLE_TEXT = {
  public: 'No sign-in needed.',
  viewer: 'Needs a signed-in user (any role).',
  approver: 'Needs the approver or admin role.',
  admin: 'Needs the admin role.',
} as const;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  302: 'Redirect',
  400: 'Invalid input: the message names each bad field',
  401: 'Not signed in',
  403: 'Signed in with too low a role, or a missing or wrong x-csrf-token',
  404: 'Not found',
  409: 'Conflict with the current state (for example already reviewed or superseded)',
  429: 'Too many failed sign-ins',
  503: 'Not configured',
};

const REF = (id: string) => `#/components/schemas/${id}`;

// JSON Schema noise that OpenAPI readers do not need: the dialect marker and generated ids.
function tidy(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function inline(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return tidy(
    z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      // An empty registry: request shapes are written out in place, not referenced.
      metadata: io === 'input' ? z.registry<{ id?: string }>() : apiSchemas,
      reused: 'inline',
    }),
  );
}

function responseSchema(schema: z.ZodType): JsonSchema {
  const id = apiSchemas.get(schema)?.id;
  return id === undefined ? inline(schema, 'output') : { $ref: REF(id) };
}

function parametersOf(route: ApiRoute): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (schema === undefined) continue;
    const json = inline(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...rest } = property;
      parameters.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  return parameters;
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z_]\w*)/g, '{$1}');

function operation(name: string, route: ApiRoute): JsonSchema {
  const status = route.status ?? 200;
  const responses: Record<string, JsonSchema> = {};
  const kind = route.responseKind ?? 'json';
  responses[String(status)] =
    kind === 'json'
      ? {
          description: STATUS_TEXT[status] ?? 'OK',
          content: { 'application/json': { schema: responseSchema(route.response) } },
        }
      : { description: STATUS_TEXT[status] ?? 'OK' };
  const errors = new Set(route.errors ?? []);
  if (route.role !== 'public') {
    errors.add(401);
    if (route.role !== 'viewer' || route.method !== 'GET') errors.add(403);
  }
  for (const code of [...errors].sort((a, b) => a - b)) {
    responses[String(code)] = {
      description: STATUS_TEXT[code] ?? 'Error',
      content: { 'application/json': { schema: { $ref: REF('Error') } } },
    };
  }
  const needsCsrf = route.role !== 'public' && route.method !== 'GET';
  return {
    operationId: name,
    tags: [route.tag],
    summary: route.summary,
    description: [
      route.description,
      ROLE_TEXT[route.role],
      needsCsrf ? 'Send the session CSRF token in x-csrf-token.' : undefined,
    ]
      .filter(Boolean)
      .join(' '),
    'x-required-role': route.role,
    ...(route.role === 'public' ? { security: [] } : {}),
    parameters: [
      ...parametersOf(route),
      ...(needsCsrf
        ? [{ name: 'x-csrf-token', in: 'header', required: true, schema: { type: 'string' } }]
        : []),
    ],
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: !route.isBodyOptional,
            content: { 'application/json': { schema: inline(route.body, 'input') } },
          },
        }),
    responses,
  };
}

let cached: JsonSchema | undefined;

/** The OpenAPI 3.1 document of every /api route, generated from the same zod schemas that parse input. */
export function openApiDocument(): JsonSchema {
  if (cached) return cached;
  const registered = z.toJSONSchema(apiSchemas, { uri: REF, io: 'output', unrepresentable: 'any' }) as {
    schemas: Record<string, JsonSchema>;
  };
  const schemas = Object.fromEntries(Object.entries(registered.schemas).map(([id, s]) => [id, tidy(s)]));
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [name, route] of Object.entries(API_ROUTES) as [string, ApiRoute][]) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(name, route) };
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'ROAS Pilot API',
      version: ENGINE_VERSION,
      description:
        'Every route is under /api and answers JSON; errors are `{ "error": { "code", "message" } }`. ' +
        'Sign in with POST /api/auth/login (a session cookie); state-changing requests also send the ' +
        'CSRF token from GET /api/auth/me in x-csrf-token. Roles: viewer < approver < admin. Money comes ' +
        'as exact strings in the account currency (Money); metrics in major units as numbers.',
    },
    servers: [{ url: '/' }],
    tags: ['server', 'auth', 'users', 'accounts', 'entities', 'recommendations', 'settings', 'models'].map(
      (tag) => ({
        name: tag,
      }),
    ),
    components: {
      schemas: { ...schemas, Error: schemas.Error ?? responseSchema(errorResponse) },
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'roas_session' } },
    },
    security: [{ session: [] }],
    paths,
  };
  return cached;
}
