import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One recommendation as the fake reads it back out of the prompt's data element. */
export type FakeItem = {
  ref: string;
  adSet: { name: string | null; campaign: string | null };
  engine: { action: string; scalePercent: number | null; confidence: string };
};

/** A request the fake received, kept for assertions. */
export type FakeRequest = {
  index: number;
  /** When it arrived (ms since the epoch). */
  receivedAt: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  system: string;
  user: string;
  items: FakeItem[];
};

/** What the fake answers: a message with this text, an HTTP error, or nothing at all (a hang). */
export type FakeReply =
  | {
      kind: 'answer';
      text: string;
      usage?: { inputTokens: number; outputTokens: number };
      stopReason?: string;
    }
  | { kind: 'status'; status: number; message?: string; headers?: Record<string, string> }
  | { kind: 'hang' };

export type FakeScript = (request: FakeRequest) => FakeReply;

export type FakeAnthropic = {
  /** The base URL to give the SDK (`baseURL`). */
  url: string;
  apiKey: string;
  requests: FakeRequest[];
  /** Replaces how the fake answers from now on. */
  script(next: FakeScript): void;
  close(): Promise<void>;
};

const DATA = /<recommendations_data>([\s\S]*?)<\/recommendations_data>/;

function itemsOf(user: string): FakeItem[] {
  const match = DATA.exec(user);
  if (!match?.[1]) return [];
  try {
    const parsed = JSON.parse(match[1]) as { recommendations?: FakeItem[] };
    return parsed.recommendations ?? [];
  } catch {
    return [];
  }
}

/** A JSON answer with one review per item of the request, each from `review`. */
export function reviewsAnswer(
  request: FakeRequest,
  review: (item: FakeItem) => Record<string, unknown>,
  extra: Partial<Extract<FakeReply, { kind: 'answer' }>> = {},
): FakeReply {
  return {
    kind: 'answer',
    text: JSON.stringify({ reviews: request.items.map((item) => ({ ref: item.ref, ...review(item) })) }),
    ...extra,
  };
}

/** The review of an analyst who agrees with the engine. */
export function agreeing(item: FakeItem): Record<string, unknown> {
  return {
    validation: 'agree',
    action: item.engine.action,
    scalePercent: null,
    reasons: [`the evidence supports ${item.engine.action.toLowerCase()}`, 'the guardrails passed as shown'],
    riskFlags: [],
    confidence: item.engine.confidence,
  };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_fake_${Date.now()}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(
    res,
    status,
    { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } },
    headers,
  );
}

const tokens = (text: string) => Math.ceil(Buffer.byteLength(text) / 4);

/**
 * A fake of the Anthropic Messages API (`POST /v1/messages`) on loopback, for tests and local trials:
 * it checks the key and the request's shape, records every request, and answers as scripted (valid,
 * malformed or hostile JSON, HTTP errors, or a hang). By default it agrees with every recommendation.
 */
export async function startFakeAnthropic(
  options: { apiKey?: string; script?: FakeScript; port?: number } = {},
): Promise<FakeAnthropic> {
  const apiKey = options.apiKey ?? 'sk-ant-fake-key';
  let script: FakeScript = options.script ?? ((request) => reviewsAnswer(request, agreeing));
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/messages')
        return sendError(res, 404, `no route ${req.method ?? ''} ${req.url ?? ''}`);
      // The SDK sends the key as a bearer token; the API also takes it as x-api-key.
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if ((req.headers['x-api-key'] ?? bearer) !== apiKey) return sendError(res, 401, 'invalid API key');
      if (typeof req.headers['anthropic-version'] !== 'string')
        return sendError(res, 400, 'anthropic-version header is required');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return sendError(res, 400, 'the body is not JSON');
      }
      const messages = body.messages as { role?: string; content?: unknown }[] | undefined;
      const first = Array.isArray(messages) ? messages[0] : undefined;
      if (typeof body.model !== 'string' || typeof body.max_tokens !== 'number' || !first)
        return sendError(res, 400, 'model, max_tokens and messages are required');
      const user = typeof first.content === 'string' ? first.content : JSON.stringify(first.content);
      const system = typeof body.system === 'string' ? body.system : '';
      const request: FakeRequest = {
        index: requests.length,
        receivedAt: Date.now(),
        headers: req.headers,
        body,
        system,
        user,
        items: itemsOf(user),
      };
      requests.push(request);
      let reply: FakeReply;
      try {
        reply = script(request);
      } catch (error) {
        return sendError(res, 500, `the fake's script failed: ${(error as Error).message}`);
      }
      if (reply.kind === 'hang') return;
      if (reply.kind === 'status')
        return sendError(res, reply.status, reply.message ?? `scripted ${reply.status}`, reply.headers);
      sendJson(res, 200, {
        id: `msg_fake_${request.index}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [{ type: 'text', text: reply.text, citations: null }],
        stop_reason: reply.stopReason ?? 'end_turn',
        stop_sequence: null,
        usage: {
          input_tokens: reply.usage?.inputTokens ?? tokens(system + user),
          output_tokens: reply.usage?.outputTokens ?? tokens(reply.text),
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    script(next) {
      script = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
