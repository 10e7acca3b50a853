import { z } from 'zod';
import { graphErrors } from './graph-error.ts';
import { buildGraphRequest, parseBody, stringifyParam, type GraphRequest } from './request.ts';

/** Meta's batch limit (meta-graph-api.md 5). */
export const MAX_BATCH_SIZE = 50;

const itemSchema = z.object({
  method: z.string().default('GET'),
  relative_url: z.string(),
  body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  name: z.string().optional(),
  omit_response_on_success: z.union([z.boolean(), z.string()]).optional(),
});
export type BatchItem = z.infer<typeof itemSchema>;

export type BatchResponse = { code: number; headers?: { name: string; value: string }[]; body: string };

/** The answer of one inner call: a response, or nothing (timed out / dropped: a `null` entry). */
export type BatchItemOutcome = { status: number; headers: Record<string, string>; body: unknown } | null;

/** `batch` as a JSON string (form body) or a real array (JSON body), at most 50 items. */
export function parseBatch(raw: string | undefined): BatchItem[] {
  if (raw === undefined || raw.trim() === '')
    throw graphErrors.invalidParameter('The parameter batch is required');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw graphErrors.invalidParameter('Param batch must be a JSON array');
  }
  if (!Array.isArray(value)) throw graphErrors.invalidParameter('Param batch must be a JSON array');
  if (value.length > MAX_BATCH_SIZE) throw graphErrors.batchTooLarge();
  const parsed = z.array(itemSchema).safeParse(value);
  if (!parsed.success)
    throw graphErrors.invalidParameter('Each batch item needs a method and a relative_url');
  return parsed.data;
}

const HEADER_NAMES: Record<string, string> = {
  'content-type': 'Content-Type',
  'facebook-api-version': 'Facebook-API-Version',
  'x-business-use-case-usage': 'X-Business-Use-Case-Usage',
  'x-ad-account-usage': 'X-Ad-Account-Usage',
  'x-app-usage': 'X-App-Usage',
  'x-fb-ads-insights-throttle': 'X-FB-Ads-Insights-Throttle',
  'x-fb-trace-id': 'X-FB-Trace-ID',
};

/** Evaluates `$.data.*.id`-style paths (the subset batch references use) against a parsed body. */
function evalJsonPath(root: unknown, path: string): string[] {
  const steps = path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+|\*)\]/g, '.$1')
    .split('.')
    .filter((step) => step !== '');
  let current: unknown[] = [root];
  for (const step of steps) {
    current = current.flatMap((value): unknown[] => {
      if (step === '*') return Array.isArray(value) ? (value as unknown[]) : [];
      if (Array.isArray(value) && /^\d+$/.test(step)) return [value[Number(step)]];
      if (typeof value === 'object' && value !== null) return [(value as Record<string, unknown>)[step]];
      return [];
    });
  }
  return current.filter((v) => v !== undefined && v !== null).map(stringifyParam);
}

/** Replaces `{result=name:$.path}` with the comma-joined values from an earlier named result. */
function resolveReferences(text: string, results: Map<string, unknown>): string {
  return text.replace(/\{result=([^:}]+):([^}]+)\}/g, (_match, name: string, path: string) => {
    const body = results.get(name);
    return body === undefined ? '' : evalJsonPath(body, path).join(',');
  });
}

/**
 * Runs a batch in order: each item is a full Graph call (its own usage, faults and errors), answered
 * as `{code, headers, body: "<json string>"}`, or `null` when it timed out, was dropped, or asked for
 * `omit_response_on_success` and succeeded.
 */
export function runBatch(
  items: readonly BatchItem[],
  outer: GraphRequest,
  includeHeaders: boolean,
  execute: (request: GraphRequest) => BatchItemOutcome,
): (BatchResponse | null)[] {
  const results = new Map<string, unknown>();
  return items.map((item) => {
    const relative = resolveReferences(item.relative_url, results).replace(/^\/+/, '');
    const url = new URL(relative, 'http://batch.invalid/');
    const rawBody =
      item.body === undefined
        ? ''
        : typeof item.body === 'string'
          ? resolveReferences(item.body, results)
          : JSON.stringify(item.body);
    const body = parseBody(
      typeof item.body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json',
      rawBody,
    );
    const request = buildGraphRequest({
      method: item.method,
      pathname: url.pathname,
      query: url.searchParams,
      body,
      authorization: outer.token === null ? undefined : `Bearer ${outer.token}`,
      defaultVersion: outer.version,
    });
    // An inherited token goes into `next` links unless the outer call sent it in a header.
    if (request.tokenSource === 'header' && outer.tokenSource !== 'header') request.tokenSource = 'body';
    const outcome = execute(request);
    if (outcome === null) return null;
    if (item.name !== undefined && outcome.status === 200) results.set(item.name, outcome.body);
    // Meta's exact rendering of an omitted response is not in the document; the fake answers null.
    const omit = item.omit_response_on_success === true || item.omit_response_on_success === 'true';
    if (omit && outcome.status === 200) return null;
    const response: BatchResponse = { code: outcome.status, body: JSON.stringify(outcome.body) };
    if (includeHeaders) {
      response.headers = Object.entries(outcome.headers).map(([name, value]) => ({
        name: HEADER_NAMES[name] ?? name,
        value: name === 'content-type' ? 'text/javascript; charset=UTF-8' : value,
      }));
    }
    return {
      code: response.code,
      ...(response.headers ? { headers: response.headers } : {}),
      body: response.body,
    };
  });
}
