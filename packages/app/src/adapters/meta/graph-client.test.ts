import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GraphClient, type GraphClientOptions } from './graph-client.ts';
import { CircuitOpenError, GraphApiError, GraphNetworkError, GraphShapeError } from './graph-errors.ts';

type Scripted = {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  hang?: boolean;
  drop?: boolean;
};
type Seen = { method: string; url: URL; body: string };

// A loopback server that answers from a script, one entry per request, and records what it saw.
let server: Server;
let base = '';
let script: Scripted[] = [];
let seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: new URL(req.url ?? '/', base), body });
      const next = script.shift() ?? { status: 500, body: { error: { message: 'script ran out', code: 1 } } };
      if (next.hang) return;
      if (next.drop) {
        req.socket.destroy();
        return;
      }
      res.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...(next.headers ?? {}) });
      res.end(typeof next.body === 'string' ? next.body : JSON.stringify(next.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  script = [];
  seen = [];
});

function client(overrides: Partial<GraphClientOptions> = {}) {
  const sleeps: number[] = [];
  let clock = 1_000_000;
  const graph = new GraphClient({
    baseUrl: base,
    apiVersion: 'v26.0',
    accessToken: 'secret-token',
    random: () => 0.5,
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    ...overrides,
  });
  return { graph, sleeps };
}

const item = z.object({ id: z.string(), name: z.string() });
const error = (code: number, message: string, extra: Record<string, unknown> = {}) => ({
  status: code === 1 ? 500 : 400,
  body: { error: { message, type: 'OAuthException', code, fbtrace_id: 'T', ...extra } },
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('GraphClient', () => {
  it('follows absolute next URLs verbatim, through empty pages, until next is absent', async () => {
    script = [
      {
        body: {
          data: [{ id: '1', name: 'a' }],
          paging: { next: `${base}/v26.0/act_1/campaigns?after=X&limit=1&access_token=secret-token` },
        },
      },
      {
        body: {
          data: [],
          paging: { next: `${base}/v26.0/act_1/campaigns?after=Y&limit=1&access_token=secret-token` },
        },
      },
      { body: { data: [{ id: '2', name: 'b' }] } },
    ];
    const { graph } = client();
    const items = await collect(
      graph.paginate('act_1/campaigns', { fields: 'id,name', limit: 1 }, item, 'campaigns'),
    );
    expect(items.map((i) => i.id)).toEqual(['1', '2']);
    expect(seen).toHaveLength(3);
    expect(seen[0]?.url.searchParams.get('fields')).toBe('id,name');
    expect(seen[0]?.url.searchParams.get('access_token')).toBe('secret-token');
    expect(seen[1]?.url.searchParams.get('after')).toBe('X');
  });

  it('requests the next page while the current one is consumed, and tolerates stopping early', async () => {
    script = [
      { body: { data: [{ id: '1', name: 'a' }], paging: { next: `${base}/v26.0/act_1/ads?after=X` } } },
      error(100, 'Invalid parameter'),
    ];
    const { graph } = client();
    for await (const first of graph.paginate('act_1/ads', {}, item, 'ads')) {
      expect(first.id).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).toHaveLength(2);
      break;
    }
  });

  it('encodes object parameters as JSON strings', async () => {
    script = [{ body: { data: [] } }];
    const { graph } = client();
    await collect(
      graph.paginate(
        'act_1/insights',
        { time_range: { since: '2026-01-01', until: '2026-01-07' } },
        item,
        'rows',
      ),
    );
    expect(seen[0]?.url.searchParams.get('time_range')).toBe('{"since":"2026-01-01","until":"2026-01-07"}');
  });

  it('retries transient errors with jittered exponential backoff', async () => {
    script = [
      error(1, 'An unknown error occurred'),
      error(2, 'Service temporarily unavailable', { is_transient: true }),
      { body: { id: '7', name: 'ok' } },
    ];
    const { graph, sleeps } = client({ backoffBaseMs: 1000 });
    await expect(graph.get('123', {}, item, 'ad set')).resolves.toEqual({ id: '7', name: 'ok' });
    expect(seen).toHaveLength(3);
    // Equal jitter with random 0.5: 3/4 of the ceiling (1 s, then 2 s).
    expect(sleeps).toEqual([750, 1500]);
  });

  it('waits the time Meta names on a throttle', async () => {
    const usage = JSON.stringify({
      '1': [
        {
          type: 'ads_insights',
          call_count: 100,
          total_cputime: 40,
          total_time: 40,
          estimated_time_to_regain_access: 3,
        },
      ],
    });
    script = [
      {
        ...error(80000, 'There have been too many calls from this ad-account.', { error_subcode: 2446079 }),
        headers: { 'x-business-use-case-usage': usage },
      },
      { body: { id: '1', name: 'x' } },
    ];
    const { graph, sleeps } = client();
    await graph.get('act_1', {}, item, 'account');
    expect(sleeps[0]).toBe(3 * 60_000);
  });

  it('slows down before the limit when usage headers run high', async () => {
    const high = JSON.stringify({ acc_id_util_pct: 95, reset_time_duration: 100 });
    script = [
      { body: { id: '1', name: 'x' }, headers: { 'x-ad-account-usage': high } },
      { body: { id: '1', name: 'x' } },
    ];
    const events: string[] = [];
    const { graph, sleeps } = client({ throttleBaseMs: 60_000, onEvent: (e) => events.push(e.type) });
    await graph.get('act_1', {}, item, 'account');
    await graph.get('act_1/adsets', {}, z.unknown(), 'account');
    expect(sleeps).toEqual([60_000]);
    expect(events).toContain('pace');
    expect(graph.usageOf('act_1')?.maxPercent).toBe(0);
  });

  it('stops at once on a token error, without retrying', async () => {
    script = [error(190, 'Error validating access token: Session has expired', { error_subcode: 463 })];
    const { graph } = client();
    const failure = await graph.get('act_1', {}, item, 'account').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GraphApiError);
    expect((failure as GraphApiError).kind).toBe('token');
    expect(seen).toHaveLength(1);
  });

  it("never retries an invalid request, and keeps Meta's message for the user", async () => {
    script = [
      error(100, 'Invalid parameter', {
        error_subcode: 1885272,
        error_user_title: 'Budget Is Too Low',
        error_user_msg: 'Your ad set budget must be more than $1.00',
      }),
    ];
    const { graph } = client();
    const failure = (await graph
      .post('123', { daily_budget: 50 }, z.unknown(), 'ad set')
      .catch((e: unknown) => e)) as GraphApiError;
    expect(failure.kind).toBe('invalid');
    expect(failure.message).toMatch(/must be more than \$1\.00/);
    expect(seen[0]?.method).toBe('POST');
    expect(new URLSearchParams(seen[0]?.body).get('daily_budget')).toBe('50');
  });

  it('halves limit when asked to reduce the amount of data', async () => {
    script = [
      error(1, "Please reduce the amount of data you're asking for, then retry your request"),
      { body: { data: [] } },
    ];
    const { graph } = client();
    await collect(graph.paginate('act_1/insights', { limit: 500 }, item, 'rows'));
    expect(seen.map((s) => s.url.searchParams.get('limit'))).toEqual(['500', '250']);
  });

  it('times out a hanging request and retries it', async () => {
    script = [{ hang: true }, { body: { id: '1', name: 'x' } }];
    const { graph } = client({ timeoutMs: 200 });
    await expect(graph.get('act_1', {}, item, 'account')).resolves.toEqual({ id: '1', name: 'x' });
  });

  it('gives up after the retry budget and reports the network failure', async () => {
    script = [{ drop: true }, { drop: true }, { drop: true }];
    const { graph } = client({ maxRetries: 2 });
    await expect(graph.get('act_1', {}, item, 'account')).rejects.toBeInstanceOf(GraphNetworkError);
    expect(seen).toHaveLength(3);
  });

  it('opens a per-account circuit breaker after repeated failures', async () => {
    script = Array.from({ length: 3 }, () => error(2, 'unavailable', { is_transient: true }));
    const { graph } = client({ maxRetries: 10, breakerFailures: 3, breakerCoolDownMs: 1e9 });
    await expect(graph.get('act_9', {}, item, 'account')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(seen).toHaveLength(3);
    // Another account is unaffected.
    script = [{ body: { id: '2', name: 'y' } }];
    await expect(graph.get('act_2', {}, item, 'account')).resolves.toMatchObject({ id: '2' });
  });

  it('names the object and field when a response has the wrong shape', async () => {
    script = [{ body: { id: '120', name: 42 } }];
    const { graph } = client();
    await expect(graph.get('120', {}, item, 'ad set')).rejects.toBeInstanceOf(GraphShapeError);
    script = [{ body: { id: '120', name: 42 } }];
    await expect(graph.get('120', {}, item, 'ad set')).rejects.toThrow(
      /ad set 120: field "name" .*expected string/,
    );
  });

  it('refuses to send the token to a next URL on another host', async () => {
    script = [
      { body: { data: [], paging: { next: 'https://evil.example/v26.0/x?access_token=secret-token' } } },
    ];
    const { graph } = client();
    await expect(collect(graph.paginate('act_1/ads', {}, item, 'ads'))).rejects.toThrow(/another host/);
  });

  it('batches in chunks of 50, retries null entries and returns per-item errors', async () => {
    const ok = (id: string) => ({ code: 200, headers: [], body: JSON.stringify({ id, name: id }) });
    const first = Array.from({ length: 50 }, (_, i) => (i === 3 ? null : ok(String(i))));
    first[4] = {
      code: 400,
      headers: [],
      body: JSON.stringify({
        error: { message: 'User request limit reached', code: 17, error_subcode: 2446079 },
      }),
    };
    script = [{ body: first }, { body: [ok('3')] }, { body: [ok('50')] }];
    const { graph } = client();
    const requests = Array.from({ length: 51 }, (_, i) => ({
      method: 'GET' as const,
      relativeUrl: `${i}?fields=id,name`,
    }));
    const results = await graph.batch(requests);
    expect(results).toHaveLength(51);
    expect(results[3]).toMatchObject({ ok: true, body: { id: '3' } });
    expect(results[4]).toMatchObject({ ok: false });
    expect(results[50]).toMatchObject({ ok: true, body: { id: '50' } });
    const firstBatch = JSON.parse(new URLSearchParams(seen[0]?.body).get('batch') ?? '[]') as unknown[];
    expect(firstBatch).toHaveLength(50);
    expect(JSON.parse(new URLSearchParams(seen[1]?.body).get('batch') ?? '[]')).toEqual([
      { method: 'GET', relative_url: '3?fields=id,name' },
    ]);
  });
});
