import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadScenario } from '../scenarios/load.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { createControl, handleControl, type FakeGraphControl } from './control.ts';
import { toFaultSpec, type FaultSpec } from './faults.ts';
import { GraphApp } from './graph-app.ts';
import { GraphError } from './graph-error.ts';
import { newTraceId } from './ids.ts';
import { oauthDialog } from './oauth.ts';
import { buildGraphRequest, parseBody, splitVersion } from './request.ts';
import type { AccessTier } from './usage.ts';

/** Options of `startFakeGraph`. */
export type FakeGraphOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: '127.0.0.1';
  /** A scenario object, a preset name, JSON text or a path to a `.json` file. */
  scenario: Scenario | string | Record<string, unknown>;
  seed: number;
  /** Version reported when a path has none; any `vNN.N` path prefix is accepted. Default `v26.0`. */
  apiVersion?: string;
  /** Faults active from the start: a spec object or the compact `--faults` string. */
  faults?: FaultSpec | string;
  /** Days simulated before the server starts, so there is history to read. Default 28. */
  startDay?: number;
  /** Quota tier of the usage model: `development` (score max 60) or `standard` (9,000). Default standard. */
  tier?: AccessTier;
  /** Status polls before an async report run completes. Default 3 (Not Started, Started, Running). */
  asyncPolls?: number;
  /** Put one group of ad sets in a CBO campaign. Default true. */
  cbo?: boolean;
  appId?: string;
  appSecret?: string;
  /** The ad account's time zone. Default America/Los_Angeles. */
  timeZone?: string;
};

/** A running fake Graph API server. */
export type FakeGraphServer = {
  /** `http://127.0.0.1:PORT` (no trailing slash, no version). */
  url: string;
  /** A non-expiring system-user token with ads_read, ads_management and business_management. */
  accessToken: string;
  /** `act_<id>` of the simulated ad account. */
  accountId: string;
  appId: string;
  appSecret: string;
  apiVersion: string;
  control: FakeGraphControl;
  close(): Promise<void>;
};

const MAX_BODY_BYTES = 10 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Starts the fake Graph API on 127.0.0.1: OAuth, ad objects, insights (sync and async), batch,
 * writes, usage headers and injected faults, all backed by the seeded market of `scenario`, plus
 * the `/__control/...` routes that move the simulated clock and expose ground truth.
 */
export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraphServer> {
  const scenario = loadScenario(options.scenario);
  const apiVersion = options.apiVersion ?? 'v26.0';
  const appId = options.appId ?? '1234567890123456';
  const appSecret = options.appSecret ?? 'fake-app-secret';
  const startDay = options.startDay ?? 28;
  const asyncPolls = options.asyncPolls ?? 3;
  if (!Number.isInteger(startDay) || startDay < 0)
    throw new RangeError(`startDay must be a non-negative integer (${startDay})`);
  if (!Number.isInteger(asyncPolls) || asyncPolls < 0)
    throw new RangeError(`asyncPolls must be a non-negative integer (${asyncPolls})`);
  const app = new GraphApp({
    scenario,
    seed: options.seed,
    apiVersion,
    faults: toFaultSpec(options.faults),
    startDay,
    tier: options.tier ?? 'standard',
    asyncPolls,
    cbo: options.cbo ?? true,
    appId,
    appSecret,
    timeZone: options.timeZone ?? 'America/Los_Angeles',
  });
  const control = createControl(app);
  const pending = new Set<NodeJS.Timeout>();

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', app.baseUrl);
    const raw = await readBody(req);
    if (url.pathname === '/__control' || url.pathname.startsWith('/__control/')) {
      let body: unknown = undefined;
      if (raw.trim() !== '') {
        try {
          body = JSON.parse(raw);
        } catch {
          sendJson(res, 400, { error: { message: 'control bodies are JSON' } });
          return;
        }
      }
      const answer = handleControl(control, req.method ?? 'GET', url.pathname, body);
      sendJson(res, answer.status, answer.body);
      return;
    }
    const contentType = req.headers['content-type'];
    const { segments } = splitVersion(url.pathname, apiVersion);
    if (segments[0] === 'dialog' && segments[1] === 'oauth' && segments.length === 2) {
      try {
        const { location } = oauthDialog(app.tokens, {
          ...Object.fromEntries(url.searchParams),
          ...parseBody(contentType, raw),
        });
        res.writeHead(302, { location, 'content-length': 0 });
        res.end();
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
        sendJson(res, error.status, error.toBody(newTraceId()));
      }
      return;
    }
    const request = buildGraphRequest({
      method: req.method ?? 'GET',
      pathname: url.pathname,
      query: url.searchParams,
      body: parseBody(contentType, raw),
      authorization: req.headers.authorization,
      defaultVersion: apiVersion,
    });
    const outcome = app.handle(request);
    if (outcome.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    const send = (): void => {
      if (!res.destroyed && !res.writableEnded) sendJson(res, outcome.status, outcome.body, outcome.headers);
    };
    if (outcome.delayMs <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      pending.delete(timer);
      send();
    }, outcome.delayMs);
    pending.add(timer);
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        const message = error instanceof Error ? error.message : String(error);
        sendJson(res, 500, {
          error: { message: `fake Graph API failure: ${message}`, type: 'FakeServerError', code: 1 },
        });
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  app.baseUrl = `http://127.0.0.1:${address.port}`;

  return {
    url: app.baseUrl,
    accessToken: app.systemToken,
    accountId: `act_${app.account.accountId}`,
    appId,
    appSecret,
    apiVersion,
    control,
    close: async () => {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
