import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import {
  AsyncReportError,
  CircuitOpenError,
  GraphApiError,
  GraphNetworkError,
  GraphShapeError,
  type GraphErrorBody,
} from './graph-errors.ts';
import { reportRunCreatedSchema, reportRunSchema } from './graph-schemas.ts';
import { readUsage, type GraphUsage } from './graph-usage.ts';

export type GraphClientOptions = {
  /** Scheme and host, e.g. https://graph.facebook.com, or the fake's http://127.0.0.1:PORT. */
  baseUrl: string;
  apiVersion: string;
  accessToken: string;
  /** Adds appsecret_proof to every call when the app requires it. */
  appSecret?: string | undefined;
  timeoutMs?: number;
  maxRetries?: number;
  /** First backoff for transient errors; throttles without a stated wait start at `throttleBaseMs`. */
  backoffBaseMs?: number;
  throttleBaseMs?: number;
  backoffMaxMs?: number;
  /** Usage (percent of quota) at which calls are spaced out, and at which they pause. */
  slowDownAtPercent?: number;
  pauseAtPercent?: number;
  /** Consecutive failed calls before an account's breaker opens, and how long it stays open. */
  breakerFailures?: number;
  breakerCoolDownMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Called for each attempt, without the token: for logs and the account health page. */
  onEvent?: (event: GraphEvent) => void;
};

export type GraphEvent =
  | { type: 'response'; path: string; status: number; usage: GraphUsage; ms: number }
  | { type: 'retry'; path: string; attempt: number; delayMs: number; reason: string }
  | { type: 'pace'; accountKey: string; delayMs: number; usagePercent: number }
  /** How long the caller sat waiting for Meta: a page prefetching did not hide, or a report run being built. */
  | { type: 'api-wait'; path: string; ms: number };

export type GraphParams = Record<
  string,
  string | number | boolean | readonly unknown[] | Record<string, unknown>
>;
export type Paged<T> = {
  data: T[];
  paging?: { next?: string; cursors?: { before?: string; after?: string } };
};
export type BatchRequest = {
  method: 'GET' | 'POST' | 'DELETE';
  relativeUrl: string;
  body?: GraphParams;
  name?: string;
};
export type BatchResult = { ok: true; status: number; body: unknown } | { ok: false; error: GraphApiError };

const DEFAULTS = {
  timeoutMs: 30_000,
  maxRetries: 5,
  backoffBaseMs: 1_000,
  throttleBaseMs: 60_000,
  backoffMaxMs: 15 * 60_000,
  slowDownAtPercent: 75,
  pauseAtPercent: 90,
  breakerFailures: 5,
  breakerCoolDownMs: 5 * 60_000,
};
const BATCH_LIMIT = 50;
const ACCOUNT_IN_PATH = /(?:^|\/)(act_\d+)/;

type Breaker = { failures: number; openUntil: number };

/** Encodes Graph parameters: objects and arrays as JSON strings, as the SDKs send them. */
export function encodeParams(params: GraphParams): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    search.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return search;
}

/**
 * A thin typed client for the Graph API: paces itself from the usage headers, retries what Meta says
 * is retryable (with jittered exponential backoff, or the wait Meta names), halves `limit` when asked
 * to reduce data, opens a per-account circuit breaker after repeated failures, and never retries
 * token or permission errors. Responses are zod-parsed by the caller's schema at this edge.
 */
export class GraphClient {
  private readonly options: Required<Omit<GraphClientOptions, 'appSecret' | 'onEvent'>> &
    Pick<GraphClientOptions, 'appSecret' | 'onEvent'>;
  private readonly usage = new Map<string, { usage: GraphUsage; at: number }>();
  private readonly breakers = new Map<string, Breaker>();
  private readonly origin: string;

  constructor(options: GraphClientOptions) {
    this.options = {
      ...DEFAULTS,
      fetch: globalThis.fetch,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      now: Date.now,
      ...options,
    };
    this.origin = new URL(options.baseUrl).origin;
  }

  /** GET one object or page, parsed by `schema`; `what` names the object in shape errors. */
  async get<S extends z.ZodType>(
    path: string,
    params: GraphParams,
    schema: S,
    what: string,
  ): Promise<z.infer<S>> {
    const body = await this.request('GET', this.url(path), params);
    return parseGraph(schema, body, what);
  }

  async post<S extends z.ZodType>(
    path: string,
    params: GraphParams,
    schema: S,
    what: string,
  ): Promise<z.infer<S>> {
    const body = await this.request('POST', this.url(path), params);
    return parseGraph(schema, body, what);
  }

  /**
   * A write sent exactly once: paced and behind the breaker like every call, but never retried here,
   * because a write whose answer was lost may have been applied. The caller settles a lost answer by
   * reading the object back, and decides itself whether a resend is safe.
   */
  async write<S extends z.ZodType>(
    path: string,
    params: GraphParams,
    schema: S,
    what: string,
  ): Promise<z.infer<S>> {
    const body = await this.request('POST', this.url(path), params, 0);
    return parseGraph(schema, body, what);
  }

  /** The versioned path a call to `path` goes to (`/v26.0/<path>`), as shown in dry runs. */
  versionedPath(path: string): string {
    return this.url(path).pathname;
  }

  /**
   * Every item of a paged edge, following `next` verbatim until it is absent (empty pages included).
   * The next page is requested as soon as the current one arrives, so storing one page overlaps the
   * network time of the next; requests themselves stay one at a time.
   */
  async *paginate<S extends z.ZodType>(
    path: string,
    params: GraphParams,
    itemSchema: S,
    what: string,
  ): AsyncGenerator<z.infer<S>> {
    // Marked handled at once: a prefetched page may fail before the consumer comes back to await it.
    const fetchPage = (url: URL, query: GraphParams | null) => {
      const request = this.request('GET', url, query);
      request.catch(() => undefined);
      return request;
    };
    let pending: Promise<unknown> | null = fetchPage(this.url(path), params);
    while (pending !== null) {
      const waitStarted = this.options.now();
      const body = await pending;
      this.options.onEvent?.({ type: 'api-wait', path, ms: this.options.now() - waitStarted });
      const page = parsePage(body, what);
      const next = page.paging?.next;
      pending = next ? fetchPage(this.checkedNext(next), null) : null;
      for (const [index, item] of page.data.entries())
        yield parseGraph(itemSchema, item, `${what} [${index}]`);
    }
  }

  /**
   * An async insights report (meta-graph-api.md 4): create the run, poll it until Meta says it is
   * complete, then page its rows. A failed or skipped run is an AsyncReportError for the caller to
   * fall back on (smaller synchronous queries).
   */
  async *reportRows<S extends z.ZodType>(
    accountId: string,
    params: GraphParams,
    itemSchema: S,
    what: string,
    poll: { intervalMs?: number; maxWaitMs?: number } = {},
  ): AsyncGenerator<z.infer<S>> {
    const waitStarted = this.options.now();
    const created = await this.post(
      `${accountId}/insights`,
      params,
      reportRunCreatedSchema,
      `${what} report run`,
    );
    const intervalMs = poll.intervalMs ?? 2_000;
    const deadline = this.options.now() + (poll.maxWaitMs ?? 30 * 60_000);
    for (let polls = 0; ; polls++) {
      const run = await this.get(
        created.report_run_id,
        { fields: 'id,async_status,async_percent_completion' },
        reportRunSchema,
        `report run`,
      );
      if (run.async_status === 'Job Completed') break;
      if (run.async_status === 'Job Failed' || run.async_status === 'Job Skipped') {
        throw new AsyncReportError(created.report_run_id, run.async_status, run.error_message ?? null);
      }
      if (this.options.now() > deadline) throw new AsyncReportError(created.report_run_id, 'timed out', null);
      // Poll quickly at first, then back off to a minute: long jobs need no tight polling.
      await this.options.sleep(Math.min(60_000, intervalMs * 1.5 ** Math.min(polls, 10)));
    }
    this.options.onEvent?.({
      type: 'api-wait',
      path: `${accountId}/insights`,
      ms: this.options.now() - waitStarted,
    });
    yield* this.paginate(
      `${created.report_run_id}/insights`,
      { limit: params.limit ?? 500 },
      itemSchema,
      what,
    );
  }

  /** Runs up to 50 requests per call; null entries (not processed) are retried, per-item errors returned. */
  async batch(requests: readonly BatchRequest[]): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (let offset = 0; offset < requests.length; offset += BATCH_LIMIT) {
      results.push(...(await this.batchChunk(requests.slice(offset, offset + BATCH_LIMIT))));
    }
    return results;
  }

  private async batchChunk(requests: readonly BatchRequest[]): Promise<BatchResult[]> {
    const results = new Array<BatchResult | null>(requests.length).fill(null);
    let pending = requests.map((_, i) => i);
    for (let round = 0; pending.length > 0 && round <= this.options.maxRetries; round++) {
      const batch = pending.map((i) => {
        const request = requests[i] as BatchRequest;
        return {
          method: request.method,
          relative_url: request.relativeUrl,
          ...(request.body ? { body: encodeParams(request.body).toString() } : {}),
          ...(request.name ? { name: request.name } : {}),
        };
      });
      const answer = await this.request('POST', this.url(''), { batch, include_headers: false });
      if (!Array.isArray(answer)) throw new GraphShapeError('batch response', '(root)', 'is not an array');
      const stillPending: number[] = [];
      pending.forEach((requestIndex, position) => {
        const item: unknown = answer[position];
        if (item === null || item === undefined) {
          stillPending.push(requestIndex);
          return;
        }
        results[requestIndex] = readBatchItem(item, requests[requestIndex]?.relativeUrl ?? '');
      });
      pending = stillPending;
      if (pending.length > 0) await this.options.sleep(this.backoffMs(round, this.options.backoffBaseMs));
    }
    return results.map(
      (result, i) =>
        result ?? {
          ok: false,
          error: new GraphApiError(
            400,
            { code: 960, message: 'batch item was never processed', is_transient: true },
            requests[i]?.relativeUrl ?? '',
          ),
        },
    );
  }

  /** The current pacing state of an account (or 'app' for calls without one), for health reporting. */
  usageOf(accountKey: string): GraphUsage | null {
    return this.usage.get(accountKey)?.usage ?? null;
  }

  private url(path: string): URL {
    const clean = path.replace(/^\/+/, '');
    return new URL(`${this.origin}/${this.options.apiVersion}/${clean}`);
  }

  // `next` URLs carry our token; only ever send it back to the host we were configured with.
  private checkedNext(next: string): URL {
    const url = new URL(next);
    if (url.origin !== this.origin)
      throw new GraphShapeError('paging', 'next', `points at another host (${url.origin})`);
    return url;
  }

  private async request(
    method: 'GET' | 'POST',
    url: URL,
    params: GraphParams | null,
    maxRetries = this.options.maxRetries,
  ): Promise<unknown> {
    const accountKey = ACCOUNT_IN_PATH.exec(url.pathname)?.[1] ?? 'app';
    const path = url.pathname;
    let currentUrl = new URL(url);
    let currentParams = params === null ? null : { ...params };
    for (let attempt = 0; ; attempt++) {
      this.checkBreaker(accountKey);
      await this.pace(accountKey);
      let error: GraphApiError | GraphNetworkError;
      try {
        return await this.once(method, currentUrl, currentParams, accountKey, path);
      } catch (caught) {
        if (!(caught instanceof GraphApiError || caught instanceof GraphNetworkError)) throw caught;
        error = caught;
      }
      const isRetryable = error instanceof GraphNetworkError || error.isRetryable;
      if (error instanceof GraphNetworkError || error.kind === 'transient' || error.kind === 'throttled') {
        this.recordFailure(accountKey);
      }
      if (!isRetryable || attempt >= maxRetries) throw error;
      let delay: number;
      if (error instanceof GraphApiError && error.kind === 'reduce-data') {
        const halved = halveLimit(currentUrl, currentParams);
        if (halved === null) throw error;
        ({ url: currentUrl, params: currentParams } = halved);
        delay = this.backoffMs(0, this.options.backoffBaseMs);
      } else if (error instanceof GraphApiError && error.kind === 'throttled') {
        delay = error.regainAccessMinutes
          ? Math.min(this.options.backoffMaxMs, error.regainAccessMinutes * 60_000)
          : this.backoffMs(attempt, this.options.throttleBaseMs);
      } else {
        delay = this.backoffMs(attempt, this.options.backoffBaseMs);
      }
      this.options.onEvent?.({
        type: 'retry',
        path,
        attempt: attempt + 1,
        delayMs: delay,
        reason: error.message,
      });
      await this.options.sleep(delay);
    }
  }

  private async once(
    method: 'GET' | 'POST',
    url: URL,
    params: GraphParams | null,
    accountKey: string,
    path: string,
  ): Promise<unknown> {
    const target = new URL(url);
    const auth: GraphParams = { access_token: this.options.accessToken };
    if (this.options.appSecret) {
      auth.appsecret_proof = createHmac('sha256', this.options.appSecret)
        .update(this.options.accessToken)
        .digest('hex');
    }
    let body: string | undefined;
    if (method === 'GET') {
      for (const [key, value] of encodeParams({ ...(params ?? {}), ...auth }))
        target.searchParams.set(key, value);
    } else {
      body = encodeParams({ ...(params ?? {}), ...auth }).toString();
    }
    const started = this.options.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(target, {
        method,
        body,
        headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      throw new GraphNetworkError(path, controller.signal.aborted ? 'timeout' : 'network', error);
    } finally {
      clearTimeout(timer);
    }
    const usage = readUsage(response.headers);
    this.usage.set(accountKey, { usage, at: this.options.now() });
    this.options.onEvent?.({
      type: 'response',
      path,
      status: response.status,
      usage,
      ms: this.options.now() - started,
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      if (response.status >= 500) {
        throw new GraphApiError(
          response.status,
          { code: 1, message: `HTTP ${response.status} with a non-JSON body` },
          path,
        );
      }
      throw new GraphShapeError(path, '(body)', `is not JSON (HTTP ${response.status})`);
    }
    const errorBody = readErrorBody(parsed);
    if (errorBody !== null || !response.ok) {
      throw new GraphApiError(
        response.status,
        errorBody ?? { code: 1, message: `HTTP ${response.status}` },
        path,
        usage.regainAccessMinutes || null,
      );
    }
    this.breakers.delete(accountKey);
    return parsed;
  }

  private async pace(accountKey: string): Promise<void> {
    const last = this.usage.get(accountKey);
    if (!last) return;
    const { maxPercent, regainAccessMinutes } = last.usage;
    const { slowDownAtPercent, pauseAtPercent } = this.options;
    let delay = 0;
    if (regainAccessMinutes > 0) delay = regainAccessMinutes * 60_000;
    else if (maxPercent >= pauseAtPercent) delay = this.options.throttleBaseMs;
    else if (maxPercent >= slowDownAtPercent) {
      // Space calls out in proportion to how close usage is to the pause line.
      delay = ((maxPercent - slowDownAtPercent) / (pauseAtPercent - slowDownAtPercent)) * 10_000;
    }
    const waited = this.options.now() - last.at;
    const remaining = Math.min(this.options.backoffMaxMs, delay) - waited;
    if (remaining <= 0) return;
    this.options.onEvent?.({ type: 'pace', accountKey, delayMs: remaining, usagePercent: maxPercent });
    await this.options.sleep(remaining);
  }

  private backoffMs(attempt: number, base: number): number {
    const ceiling = Math.min(this.options.backoffMaxMs, base * 2 ** attempt);
    // "Equal jitter": at least half the ceiling, so retries from many workers spread without collapsing.
    return Math.round(ceiling / 2 + (this.options.random() * ceiling) / 2);
  }

  private checkBreaker(accountKey: string): void {
    const breaker = this.breakers.get(accountKey);
    if (breaker && breaker.openUntil > this.options.now()) {
      throw new CircuitOpenError(accountKey, new Date(breaker.openUntil));
    }
  }

  private recordFailure(accountKey: string): void {
    const breaker = this.breakers.get(accountKey) ?? { failures: 0, openUntil: 0 };
    breaker.failures++;
    if (breaker.failures >= this.options.breakerFailures) {
      breaker.openUntil = this.options.now() + this.options.breakerCoolDownMs;
      breaker.failures = 0;
    }
    this.breakers.set(accountKey, breaker);
  }
}

function readErrorBody(parsed: unknown): GraphErrorBody | null {
  if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return null;
  const error = parsed.error;
  if (typeof error !== 'object' || error === null) return { code: 1, message: String(error) };
  const e = error as Record<string, unknown>;
  return {
    message: typeof e.message === 'string' ? e.message : 'unknown error',
    type: typeof e.type === 'string' ? e.type : undefined,
    code: typeof e.code === 'number' ? e.code : Number(e.code ?? 1),
    error_subcode: e.error_subcode === undefined ? undefined : Number(e.error_subcode),
    is_transient: e.is_transient === true,
    error_user_title: typeof e.error_user_title === 'string' ? e.error_user_title : undefined,
    error_user_msg: typeof e.error_user_msg === 'string' ? e.error_user_msg : undefined,
    fbtrace_id: typeof e.fbtrace_id === 'string' ? e.fbtrace_id : undefined,
  };
}

function readBatchItem(item: unknown, relativeUrl: string): BatchResult {
  const entry = item as { code?: unknown; body?: unknown };
  const status = Number(entry.code ?? 0);
  let body: unknown = entry.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      return {
        ok: false,
        error: new GraphApiError(status, { code: 1, message: 'batch item body is not JSON' }, relativeUrl),
      };
    }
  }
  const errorBody = readErrorBody(body);
  if (errorBody !== null || status >= 400) {
    return {
      ok: false,
      error: new GraphApiError(status, errorBody ?? { code: 1, message: `HTTP ${status}` }, relativeUrl),
    };
  }
  return { ok: true, status, body };
}

function halveLimit(url: URL, params: GraphParams | null): { url: URL; params: GraphParams | null } | null {
  const current = Number(params?.limit ?? url.searchParams.get('limit') ?? 25);
  if (!(current > 1)) return null;
  const limit = Math.max(1, Math.floor(current / 2));
  if (params !== null) return { url, params: { ...params, limit } };
  const next = new URL(url);
  next.searchParams.set('limit', String(limit));
  return { url: next, params };
}

function parsePage(body: unknown, what: string): Paged<unknown> {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { data?: unknown }).data)) {
    throw new GraphShapeError(what, 'data', 'is missing or not a list');
  }
  return body as Paged<unknown>;
}

/** zod-parses a Graph value, turning the first issue into an error that names the object and field. */
export function parseGraph<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : '(root)';
  const id = typeof value === 'object' && value !== null && 'id' in value ? ` ${String(value.id)}` : '';
  throw new GraphShapeError(`${what}${id}`, field, issue?.message ?? 'is invalid');
}
