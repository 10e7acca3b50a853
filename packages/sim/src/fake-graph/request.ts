export const GRAPH_METHODS = ['GET', 'POST', 'DELETE'] as const;
export type GraphMethod = (typeof GRAPH_METHODS)[number];

export type TokenSource = 'query' | 'body' | 'header';

/** One Graph API call, from HTTP or from a batch item. */
export type GraphRequest = {
  method: GraphMethod;
  version: string;
  /** Path after the version, decoded: `["act_1", "insights"]`. */
  segments: string[];
  /** Query and body parameters merged (body wins), every value a string. */
  params: Record<string, string>;
  /** The query string as sent, kept for `next` / `previous` links. */
  query: URLSearchParams;
  token: string | null;
  tokenSource: TokenSource | null;
};

const VERSION = /^v\d+\.\d+$/;

/** Splits `/v26.0/act_1/insights` into the version (default when absent) and the segments. */
export function splitVersion(
  pathname: string,
  defaultVersion: string,
): { version: string; segments: string[] } {
  const segments = pathname
    .split('/')
    .filter((part) => part !== '')
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
  const first = segments[0];
  if (first !== undefined && VERSION.test(first)) return { version: first, segments: segments.slice(1) };
  return { version: defaultVersion, segments };
}

/** JSON bodies may carry numbers, booleans, arrays and objects; Graph reads them as strings (JSON for the last two). */
export function stringifyParam(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

function fromEntries(entries: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of entries) out[key] = value;
  return out;
}

function parseMultipart(contentType: string, raw: string): Record<string, string> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return {};
  const out: Record<string, string> = {};
  for (const part of raw.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const name = /name="([^"]*)"/i.exec(part.slice(0, split))?.[1];
    if (name === undefined) continue;
    out[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return out;
}

/** Body parameters from a form, multipart or JSON body (meta-graph-api.md 2.2: the Node SDK sends JSON). */
export function parseBody(contentType: string | undefined, raw: string): Record<string, string> {
  if (raw.trim() === '') return {};
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/json') || (!type.includes('form') && raw.trimStart().startsWith('{'))) {
    try {
      const value = JSON.parse(raw) as unknown;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return fromEntries(Object.entries(value).map(([key, v]) => [key, stringifyParam(v)]));
      }
    } catch {
      return {};
    }
    return {};
  }
  if (type.includes('multipart/form-data')) return parseMultipart(contentType ?? '', raw);
  return fromEntries(new URLSearchParams(raw).entries());
}

/** `Authorization: Bearer <token>` (also Graph's older `OAuth <token>`); the document marks the header form [MEM]. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header?.trim() ?? '');
  return match?.[1] ?? null;
}

/** Builds the Graph request of an HTTP call or batch item. */
export function buildGraphRequest(input: {
  method: string;
  pathname: string;
  query: URLSearchParams;
  body: Record<string, string>;
  authorization: string | undefined;
  defaultVersion: string;
}): GraphRequest {
  const { version, segments } = splitVersion(input.pathname, input.defaultVersion);
  const params = { ...fromEntries(input.query.entries()), ...input.body };
  const upper = input.method.toUpperCase();
  // Graph also honours `?method=post|delete` on a GET (used by clients that cannot send other verbs).
  const override = params.method?.toUpperCase();
  const method: GraphMethod =
    upper === 'GET' && (override === 'POST' || override === 'DELETE')
      ? override
      : (GRAPH_METHODS as readonly string[]).includes(upper)
        ? (upper as GraphMethod)
        : 'GET';
  let token: string | null = null;
  let tokenSource: TokenSource | null = null;
  if (input.body.access_token) {
    token = input.body.access_token;
    tokenSource = 'body';
  } else if (input.query.get('access_token')) {
    token = input.query.get('access_token');
    tokenSource = 'query';
  } else {
    token = bearerToken(input.authorization);
    tokenSource = token === null ? null : 'header';
  }
  return { method, version, segments, params, query: input.query, token, tokenSource };
}
