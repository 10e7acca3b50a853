/** What a failed Graph call means for the caller: retry it, wait, re-authenticate, or give up. */
export type GraphErrorKind =
  | 'throttled' // 4, 17, 32, 613, 80000-80014: wait (estimated_time_to_regain_access) and retry
  | 'transient' // 1, 2, 960, 104, HTTP 5xx, is_transient: retry with backoff
  | 'reduce-data' // 1 "reduce the amount of data", 100/1487534: smaller pages or async
  | 'token' // 102, 190: stop this account's sync until a person reconnects it
  | 'permission' // 10, 200-299, 294
  | 'not-found' // 100/33
  | 'invalid'; // other 100s: our request is wrong, never retried

export type GraphErrorBody = {
  message: string;
  type?: string | undefined;
  code: number;
  error_subcode?: number | undefined;
  is_transient?: boolean | undefined;
  error_user_title?: string | undefined;
  error_user_msg?: string | undefined;
  fbtrace_id?: string | undefined;
};

const THROTTLE_CODES = new Set([4, 17, 32, 613]);

export function classifyGraphError(httpStatus: number, body: GraphErrorBody): GraphErrorKind {
  const { code, error_subcode: subcode } = body;
  if (code === 190 || code === 102) return 'token';
  if (THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80014)) return 'throttled';
  if (
    (code === 1 && /reduce the amount of data/i.test(body.message)) ||
    (code === 100 && subcode === 1487534)
  ) {
    return 'reduce-data';
  }
  if (code === 100 && subcode === 33) return 'not-found';
  if (code === 10 || code === 294 || (code >= 200 && code <= 299)) return 'permission';
  if (
    code === 1 ||
    code === 2 ||
    code === 960 ||
    code === 104 ||
    body.is_transient === true ||
    httpStatus >= 500
  ) {
    return 'transient';
  }
  return 'invalid';
}

/** A Graph API error answer, with Meta's own fields kept for the person reading it. */
export class GraphApiError extends Error {
  readonly kind: GraphErrorKind;
  readonly code: number;
  readonly subcode: number | null;
  readonly httpStatus: number;
  readonly userTitle: string | null;
  readonly userMessage: string | null;
  readonly traceId: string | null;
  /** Minutes Meta says to wait (estimated_time_to_regain_access), when it said. */
  readonly regainAccessMinutes: number | null;

  constructor(
    httpStatus: number,
    body: GraphErrorBody,
    path: string,
    regainAccessMinutes: number | null = null,
  ) {
    const detail = body.error_user_msg ? ` (${body.error_user_msg})` : '';
    super(
      `Graph API ${path}: ${body.message}${detail} [code ${body.code}${body.error_subcode ? `/${body.error_subcode}` : ''}]`,
    );
    this.name = 'GraphApiError';
    this.kind = classifyGraphError(httpStatus, body);
    this.code = body.code;
    this.subcode = body.error_subcode ?? null;
    this.httpStatus = httpStatus;
    this.userTitle = body.error_user_title ?? null;
    this.userMessage = body.error_user_msg ?? null;
    this.traceId = body.fbtrace_id ?? null;
    this.regainAccessMinutes = regainAccessMinutes;
  }

  get isRetryable(): boolean {
    return this.kind === 'throttled' || this.kind === 'transient' || this.kind === 'reduce-data';
  }
}

/** The request never got an answer: timeout, refused or dropped connection. */
export class GraphNetworkError extends Error {
  constructor(
    readonly path: string,
    readonly reason: 'timeout' | 'network',
    cause: unknown,
  ) {
    super(
      `Graph API ${path}: ${reason === 'timeout' ? 'no answer before the timeout' : `network error (${(cause as Error)?.message ?? String(cause)})`}`,
      { cause },
    );
    this.name = 'GraphNetworkError';
  }
}

/** Too many failures in a row for one account: calls fail fast until the breaker's cool-down ends. */
export class CircuitOpenError extends Error {
  constructor(
    readonly accountKey: string,
    readonly retryAt: Date,
  ) {
    super(
      `Graph API calls for ${accountKey} are paused after repeated failures; next try at ${retryAt.toISOString()}`,
    );
    this.name = 'CircuitOpenError';
  }
}

/** A Graph answer whose shape is not what the API documents; names the object and the field. */
export class GraphShapeError extends Error {
  constructor(
    readonly what: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`unexpected Graph API data for ${what}: field "${field}" ${problem}`);
    this.name = 'GraphShapeError';
  }
}

/** An async insights report run that Meta failed, skipped, or did not finish in time. */
export class AsyncReportError extends Error {
  constructor(
    readonly reportRunId: string,
    readonly status: string,
    readonly detail: string | null,
  ) {
    super(`insights report run ${reportRunId}: ${status}${detail ? ` (${detail})` : ''}`);
    this.name = 'AsyncReportError';
  }
}
