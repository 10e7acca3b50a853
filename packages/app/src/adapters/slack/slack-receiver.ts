import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { slackMessageSchema, type SlackMessage } from './block-kit.ts';

/** One POST the receiver got: the parsed message when its Block Kit was valid, the problems otherwise. */
export type ReceivedMessage = {
  path: string;
  receivedAt: Date;
  /** The status the receiver answered with. */
  status: number;
  body: unknown;
  message: SlackMessage | null;
  issues: string[];
};

/** How the receiver answers the next request(s): Slack's `ok`, a server error, or a rate limit. */
export type ReceiverReply = { status: number; retryAfterSeconds?: number; body?: string };

export type SlackReceiver = {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** A webhook URL on this receiver, shaped like Slack's (`/services/T…/B…/…`). */
  webhookUrl(path?: string): string;
  /** Every request received, in order (answered 200 or not). */
  received: ReceivedMessage[];
  /** The messages accepted with 200, in order. */
  messages(): SlackMessage[];
  /** Answers the next requests with these replies, one each, then 200 again. */
  replyNext(...replies: ReceiverReply[]): void;
  /** Answers every request with this reply until reset with null. */
  replyAlways(reply: ReceiverReply | null): void;
  /** Resolves once `count` messages were accepted (rejects after `timeoutMs`). */
  waitForMessages(count: number, timeoutMs?: number): Promise<SlackMessage[]>;
  close(): Promise<void>;
};

const MAX_BODY = 1_000_000;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * A stand-in for Slack's incoming webhooks on 127.0.0.1, for tests and `roas fake-slack`: it answers
 * `ok` as Slack does, checks each message's Block Kit (400 `invalid_blocks` when wrong, like Slack),
 * keeps what it received, and can be told to fail (500) or rate limit (429 with Retry-After).
 */
export async function startSlackReceiver(
  options: { port?: number; host?: string; onMessage?: (received: ReceivedMessage) => void } = {},
): Promise<SlackReceiver> {
  const received: ReceivedMessage[] = [];
  const queued: ReceiverReply[] = [];
  let always: ReceiverReply | null = null;
  const waiters: { count: number; resolve: () => void }[] = [];
  const accepted = () =>
    received.filter((r) => r.status === 200 && r.message !== null).map((r) => r.message as SlackMessage);

  const answer = (response: ServerResponse, reply: ReceiverReply) => {
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
    response.writeHead(reply.status, headers).end(reply.body ?? (reply.status === 200 ? 'ok' : 'error'));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    if (request.method !== 'POST') {
      answer(response, { status: 405, body: 'method_not_allowed' });
      return;
    }
    const text = await readBody(request);
    let body: unknown = null;
    let issues: string[] = [];
    let message: SlackMessage | null = null;
    try {
      body = JSON.parse(text) as unknown;
      const parsed = slackMessageSchema.safeParse(body);
      if (parsed.success) message = parsed.data;
      else issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
    } catch {
      issues = ['the body is not JSON'];
    }
    const reply: ReceiverReply =
      message === null
        ? { status: 400, body: 'invalid_blocks' }
        : (queued.shift() ?? always ?? { status: 200, body: 'ok' });
    const record = { path, receivedAt: new Date(), status: reply.status, body, message, issues };
    received.push(record);
    options.onMessage?.(record);
    answer(response, reply);
    const count = accepted().length;
    for (const waiter of waiters.filter((w) => count >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) answer(response, { status: 500, body: 'receiver_error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const url = `http://${address}:${port}`;

  return {
    url,
    webhookUrl: (path = '/services/T0000000/B0000000/fakefakefakefakefakefake') => `${url}${path}`,
    received,
    messages: accepted,
    replyNext: (...replies) => queued.push(...replies),
    replyAlways: (reply) => {
      always = reply;
    },
    waitForMessages: (count, timeoutMs = 5_000) =>
      new Promise<SlackMessage[]>((resolve, reject) => {
        if (accepted().length >= count) {
          resolve(accepted());
          return;
        }
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} Slack message(s), got ${accepted().length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(accepted());
          },
        });
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
