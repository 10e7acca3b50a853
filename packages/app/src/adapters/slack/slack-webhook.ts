import {
  IncomingWebhook,
  IncomingWebhookHTTPError,
  IncomingWebhookRequestError,
  type FetchFunction,
} from '@slack/webhook';
import type { SlackMessage } from './block-kit.ts';

/**
 * How one send ended. `error` never contains the webhook URL (it is a secret: anyone holding it can
 * post to the channel), so it is safe to log and store.
 */
export type SendResult =
  | { ok: true }
  | {
      ok: false;
      /** The HTTP status Slack answered with; null when no answer came (refused, timed out). */
      status: number | null;
      /** Slack's Retry-After on a 429, in milliseconds. */
      retryAfterMs: number | null;
      /** Worth trying again later: no answer, 429, or a 5xx. A 4xx other than 429 will not change. */
      retryable: boolean;
      error: string;
    };

export type SendOptions = { timeoutMs?: number };

/** Retry-After is seconds (or an HTTP date); Slack sends seconds. */
function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The cause of a network failure by its code only (`ECONNREFUSED`), never the address it names. */
function networkCause(error: IncomingWebhookRequestError): string {
  const original = error.original as Error & { cause?: { code?: unknown; name?: unknown } };
  if (original.name === 'TimeoutError' || original.name === 'AbortError') return 'timed out';
  const code = original.cause?.code;
  return typeof code === 'string' ? code : 'network error';
}

/**
 * Posts one message to a Slack incoming webhook with `@slack/webhook` (no retries of its own: the
 * outbox retries with backoff). The fetch is wrapped only to read Retry-After, which the library's
 * error does not carry.
 */
export async function sendSlackMessage(
  webhookUrl: string,
  message: SlackMessage,
  options: SendOptions = {},
): Promise<SendResult> {
  let retryAfter: string | null = null;
  const fetchWithHeaders: FetchFunction = async (url, init) => {
    const response = await fetch(url, init);
    retryAfter = response.headers.get('retry-after');
    return response;
  };
  const webhook = new IncomingWebhook(webhookUrl, {
    fetch: fetchWithHeaders,
    timeout: options.timeoutMs ?? 10_000,
    retryConfig: { retries: 0 },
  });
  try {
    await webhook.send({ text: message.text, blocks: message.blocks });
    return { ok: true };
  } catch (error) {
    if (error instanceof IncomingWebhookHTTPError) {
      const status = error.statusCode;
      const body = error.body.trim().slice(0, 200);
      return {
        ok: false,
        status,
        retryAfterMs: status === 429 ? retryAfterMs(retryAfter, Date.now()) : null,
        retryable: status === 429 || status >= 500,
        error: `Slack answered HTTP ${status}${body ? ` (${body})` : ''}`,
      };
    }
    if (error instanceof IncomingWebhookRequestError)
      return {
        ok: false,
        status: null,
        retryAfterMs: null,
        retryable: true,
        error: `no answer from Slack: ${networkCause(error)}`,
      };
    return {
      ok: false,
      status: null,
      retryAfterMs: null,
      retryable: true,
      error: `sending failed: ${error instanceof Error ? error.name : 'unknown error'}`,
    };
  }
}

/** A short, stable name for a webhook in logs and maps, without revealing it: `slack:3f9a…`. */
export function webhookLabel(hash: string): string {
  return `slack:${hash.slice(0, 8)}`;
}
