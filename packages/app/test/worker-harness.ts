// Runs real `roas worker` processes against a PostgreSQL database of their own and the fake accounts,
// for the worker test and bench:workers.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { SecretBox } from '../src/adapters/crypto/secret-box.ts';
import { deriveStateKey } from '../src/adapters/crypto/secret-key.ts';
import { openDatabase, queryRows, type Database } from '../src/adapters/db/database.ts';
import { loadConfig } from '../src/config.ts';
import { graphClientFactory } from '../src/main.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import type { FakeAccounts } from './fake-accounts.ts';

const ROAS = fileURLToPath(new URL('../bin/roas.mjs', import.meta.url));
export const SECRET_KEY = 'worker test secret key, not for production';

export type WorkerDatabase = { url: string; database: Database; drop(): Promise<void> };

async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated PostgreSQL database named after the admin URL's (so CI's cleanup finds it). */
export async function createWorkerDatabase(adminUrl: string, label: string): Promise<WorkerDatabase> {
  const base = new URL(adminUrl).pathname.slice(1) || 'test';
  const name = `${base}_${label}_${process.pid}_${randomBytes(3).toString('hex')}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  await admin(adminUrl, `create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ engine: 'postgres', url: url.toString(), max: 4 });
  await database.migrate();
  return {
    url: url.toString(),
    database,
    drop: async () => {
      await database.close();
      await admin(adminUrl, `drop database if exists "${name}" with (force)`);
    },
  };
}

/** Connects every fake account through the real connector, its token encrypted under SECRET_KEY. */
export async function connectAccounts(database: Database, fakes: FakeAccounts): Promise<void> {
  const config = loadConfig({ META_GRAPH_URL: fakes.url, SECRET_KEY, ROAS_HOME: '/nonexistent' }, '/');
  const secrets = new SecretBox(SECRET_KEY);
  const deps = {
    db: database.db,
    secrets,
    stateKey: deriveStateKey(SECRET_KEY),
    app: null,
    graphFor: graphClientFactory(config, pino({ level: 'silent' })),
    now: () => new Date(),
  };
  for (const account of fakes.accounts) await connectWithToken(deps, account.accessToken);
}

export type WorkerProcess = {
  id: string;
  child: ChildProcess;
  /** Resolves with the exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Calls `onLine` with every log line (stderr) from now on. */
  onLog(onLine: (line: string) => void): void;
  stderrTail(): string;
};

export function workerEnv(url: string, fakes: FakeAccounts, extra: Record<string, string> = {}) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ROAS_HOME: mkdtempSync(path.join(tmpdir(), 'roas-worker-')),
    DATABASE_URL: url,
    META_GRAPH_URL: fakes.url,
    SECRET_KEY,
    // Only what the test or bench queues runs: no cron ticks in the middle of a measurement.
    ROAS_SCHEDULER: 'off',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Starts `roas worker --id <id>` and resolves once it says it is taking jobs. */
export async function startWorkerProcess(id: string, env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [ROAS, 'worker', '--id', id], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listeners: ((line: string) => void)[] = [];
  let tail: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    tail = [...tail.slice(-40), line];
    for (const listener of listeners) listener(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('is taking jobs')) resolve();
    });
    void exited.then(({ code }) =>
      reject(new Error(`worker ${id} exited (${code}) before it was ready:\n${tail.join('\n')}`)),
    );
  });
  await ready;
  return {
    id,
    child,
    exited,
    onLog: (listener) => listeners.push(listener),
    stderrTail: () => tail.join('\n'),
  };
}

/** Runs `roas worker enqueue <args>` and returns its output. */
export function enqueue(env: Record<string, string>, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [ROAS, 'worker', 'enqueue', ...args], { env }, (error, stdout, stderr) =>
      error ? reject(new Error(`enqueue failed: ${stderr}`)) : resolve(stdout),
    );
  });
}

/** Jobs of ours still waiting, retrying or running in pg-boss. */
export async function openJobs(database: Database): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from pgboss.job where name like 'roas.%' and state in ('created', 'retry', 'active')`,
  );
  return row?.n ?? 0;
}
