import { startFakeGraph, type FakeGraphOptions, type FakeGraphServer } from './server.ts';

/** A Graph response as the tests look at it. */
export type GraphReply<T = Record<string, unknown>> = { status: number; body: T; headers: Headers };

export type GraphErrorBody = {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    is_transient: boolean;
    error_user_title?: string;
    error_user_msg?: string;
    fbtrace_id: string;
  };
};

export type ListBody<T = Record<string, unknown>> = {
  data: T[];
  paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
};

export type TestServer = FakeGraphServer & {
  /** GET `/v26.0/<path>` with the params (token added unless given or null). */
  get<T = Record<string, unknown>>(
    path: string,
    params?: Record<string, string>,
    token?: string | null,
  ): Promise<GraphReply<T>>;
  /** POST a form body to `/v26.0/<path>`. */
  post<T = Record<string, unknown>>(
    path: string,
    params?: Record<string, string>,
    token?: string | null,
  ): Promise<GraphReply<T>>;
  /** Fetches an absolute URL (a `next` link) as is. */
  fetchUrl<T = Record<string, unknown>>(url: string): Promise<GraphReply<T>>;
  /** Calls a `/__control/...` route with a JSON body. */
  controlCall<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<GraphReply<T>>;
};

async function reply<T>(response: Response): Promise<GraphReply<T>> {
  const text = await response.text();
  return {
    status: response.status,
    body: (text === '' ? {} : JSON.parse(text)) as T,
    headers: response.headers,
  };
}

/** Starts a fake on a random port with small defaults (seed 7, 21 days of history). */
export async function startTestServer(options: Partial<FakeGraphOptions> = {}): Promise<TestServer> {
  const server = await startFakeGraph({ scenario: 'default', seed: 7, startDay: 21, ...options });
  const withToken = (
    params: Record<string, string>,
    token: string | null | undefined,
  ): Record<string, string> =>
    token === null ? params : { access_token: token ?? server.accessToken, ...params };
  return {
    ...server,
    async get(path, params = {}, token) {
      const query = new URLSearchParams(withToken(params, token));
      return reply(await fetch(`${server.url}/v26.0/${path}?${query.toString()}`));
    },
    async post(path, params = {}, token) {
      return reply(
        await fetch(`${server.url}/v26.0/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(withToken(params, token)).toString(),
        }),
      );
    },
    async fetchUrl(url) {
      return reply(await fetch(url));
    },
    async controlCall(method, path, body) {
      return reply(
        await fetch(`${server.url}/__control/${path}`, {
          method,
          headers: { 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
    },
  };
}

/** The error envelope of a reply (throws if the reply was not an error). */
export function errorOf(reply: GraphReply<unknown>): GraphErrorBody['error'] {
  const body = reply.body as Partial<GraphErrorBody>;
  if (!body.error) throw new Error(`expected an error, got ${reply.status} ${JSON.stringify(reply.body)}`);
  return body.error;
}

/** The parsed JSON of a usage header. */
export function usageHeader<T = Record<string, unknown>>(headers: Headers, name: string): T {
  const value = headers.get(name);
  if (value === null) throw new Error(`missing header ${name}`);
  return JSON.parse(value) as T;
}
