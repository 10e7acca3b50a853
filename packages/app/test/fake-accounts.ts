// Many simulated ad accounts behind one fake Graph API URL, for the worker test and bench:workers.
// Each account is a fake Graph API server of its own (one seeded market each) inside this process; a
// front server on one port routes every call by its access token. Every fake numbers its campaigns,
// ad sets and ads from the same counters, so the front gives each account its own id space: the two
// zero digits after an id's six-digit family prefix carry the account's number (1 to 99) on the way
// out, and are put back to zero on the way in (in paths, query values and form fields, decoded).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addDays } from '@roas/core';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { todayIn } from '../src/shared/dates.ts';
import { reportedTruth } from './sync-truth.ts';

export type FakeAccount = { index: number; fake: FakeGraphServer; accountId: string; accessToken: string };

export type FakeAccounts = {
  /** The one Graph API URL every account is reached at. */
  url: string;
  accounts: FakeAccount[];
  /** What the API reports for one account now, with ids as the front serves them: the ground truth. */
  truth(account: FakeAccount, level: 'adset' | 'ad'): ReturnType<typeof reportedTruth>;
  /** Calls answered so far. */
  calls(): number;
  /** Delay before each call is answered (a stand-in for Meta's round trip). */
  setLatency(ms: number): void;
  close(): Promise<void>;
};

// An 18-digit id of the fake's families (campaigns 2384.., ad sets 2385.., ads 2386.., creatives 2388..).
const RAW_ID = /(?<!\d)(238[4-9]\d{2})00(\d{10})(?!\d)/g;
const SPACED_ID = /(?<!\d)(238[4-9]\d{2})(\d{2})(\d{10})(?!\d)/g;

const toSpace = (text: string, tag: string) =>
  text.replace(RAW_ID, (_all, family: string, rest: string) => `${family}${tag}${rest}`);
const fromSpace = (text: string, tag: string) =>
  text.replace(SPACED_ID, (all, family: string, space: string, rest: string) =>
    space === tag ? `${family}00${rest}` : all,
  );

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `count` fake accounts (seeds 1..count, anchored so each one's today is today in its time
 * zone, with `startDay` days of history) behind one front server on 127.0.0.1.
 */
export async function startFakeAccounts(
  count: number,
  options: { adSets: number; startDay: number; latencyMs?: number },
): Promise<FakeAccounts> {
  if (!Number.isInteger(count) || count < 1 || count > 99)
    throw new RangeError(`count must be 1 to 99 (${count})`);
  const today = todayIn('America/Los_Angeles', new Date());
  const accounts: FakeAccount[] = [];
  for (let index = 1; index <= count; index++) {
    const fake = await startFakeGraph({
      scenario: { extends: 'default', adSets: options.adSets, startDate: addDays(today, -options.startDay) },
      seed: index,
      startDay: options.startDay,
      asyncPolls: 1,
    });
    accounts.push({ index, fake, accountId: fake.accountId, accessToken: fake.accessToken });
  }
  const byToken = new Map(accounts.map((a) => [a.accessToken, a]));
  let latencyMs = options.latencyMs ?? 0;
  let calls = 0;
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const raw = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    const isForm = contentType.includes('application/x-www-form-urlencoded');
    const token =
      url.searchParams.get('access_token') ?? (isForm ? new URLSearchParams(raw).get('access_token') : null);
    const account = token === null ? undefined : byToken.get(token);
    if (!account) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: 'unknown access token', type: 'OAuthException', code: 190 } }),
      );
      return;
    }
    const tag = String(account.index).padStart(2, '0');
    const path = url.pathname
      .split('/')
      .map((segment) => fromSpace(decodeURIComponent(segment), tag))
      .map(encodeURIComponent)
      .join('/');
    const query = new URLSearchParams();
    for (const [key, value] of url.searchParams) query.append(key, fromSpace(value, tag));
    let body: string | undefined;
    if (raw !== '') {
      if (isForm) {
        const form = new URLSearchParams();
        for (const [key, value] of new URLSearchParams(raw)) form.append(key, fromSpace(value, tag));
        body = form.toString();
      } else body = fromSpace(raw, tag);
    }
    if (latencyMs > 0) await sleep(latencyMs);
    const search = query.toString();
    const answer = await fetch(`${account.fake.url}${path}${search ? `?${search}` : ''}`, {
      method: req.method ?? 'GET',
      ...(body === undefined ? {} : { body, headers: { 'content-type': contentType } }),
    });
    const text = toSpace(await answer.text(), tag).replaceAll(account.fake.url, origin);
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, key) => {
      if (key !== 'content-length' && key !== 'content-encoding' && key !== 'transfer-encoding')
        headers[key] = value;
    });
    calls++;
    res.writeHead(answer.status, { ...headers, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error), code: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    accounts,
    truth: (account, level) => {
      const tag = String(account.index).padStart(2, '0');
      return reportedTruth(account.fake, level)
        .map((row) => ({ ...row, id: toSpace(row.id, tag) }))
        .sort((a, b) => a.id.localeCompare(b.id) || a.date.localeCompare(b.date));
    },
    calls: () => calls,
    setLatency: (ms) => (latencyMs = ms),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      for (const account of accounts) await account.fake.close();
    },
  };
}
