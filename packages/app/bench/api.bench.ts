// The recommendations list under load: an account with 10,000 ad sets and two runs of recommendations
// (20,000 rows), GET /api/recommendations?account=…&limit=50 at 50 concurrent keep-alive connections for
// 10 s over loopback, on PGlite (on disk) and PostgreSQL. Target: p95 under 50 ms on both.
// Run: npm run bench:api   (BENCH_ADSETS, BENCH_CONNECTIONS, BENCH_SECONDS to change the load)
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { buildHttpApp } from '../src/http/app.ts';
import { contextFor } from '../src/main.ts';
import { BENCH_ACCOUNT as ACCOUNT, BENCH_USER, seedApiBench } from './api-seed.ts';
import { freshBenchDatabase, postgresReachable, type BenchDatabase } from './bench-databases.ts';

const AD_SETS = Number(process.env.BENCH_ADSETS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const PAGE = 50;
const TARGET_P95_MS = 50;
const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  process.env.DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

type Engine = 'PGlite (on disk)' | 'PostgreSQL';

/** A fresh database on the engine, and how to dispose of it. */
function freshDatabase(engine: Engine): Promise<BenchDatabase> {
  return freshBenchDatabase(
    engine === 'PGlite (on disk)' ? 'pglite' : 'postgres',
    'roas_api_bench',
    ADMIN_URL,
  );
}

// The load generator runs in a worker thread (its own event loop) so it does not steal the server's.
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const zlib = require('node:zlib');
const { url, headers, connections, durationMs, warmupMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);
const latencies = [];
let errors = 0, badStatus = 0, bytes = 0, wireBytes = 0, measuring = false, stop = false;
function once() {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.get({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        // The first body is inflated to check it; later ones only counted, as autocannon does, so the
        // load generator (on the same two cores) takes as little CPU from the server as it can.
        const wire = Buffer.concat(chunks);
        if (bytes === 0 && res.headers['content-encoding'] === 'gzip') bytes = zlib.gunzipSync(wire).length;
        else if (bytes === 0) bytes = wire.length;
        const body = wire;
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (measuring) {
          if (res.statusCode === 200 && body.length > 0) { latencies.push(ms); wireBytes = wire.length; }
          else badStatus++;
        }
        resolve();
      });
    });
    req.on('error', () => { if (measuring) errors++; resolve(); });
  });
}
async function loop() { while (!stop) await once(); }
const loops = Array.from({ length: connections }, loop);
setTimeout(() => {
  measuring = true;
  const start = Date.now();
  setTimeout(() => {
    measuring = false;
    stop = true;
    const seconds = (Date.now() - start) / 1000;
    Promise.all(loops).then(() => {
      agent.destroy();
      parentPort.postMessage({ latencies, errors, badStatus, bytes, wireBytes, seconds });
    });
  }, durationMs);
}, warmupMs);
`;

type LoadResult = {
  latencies: number[];
  errors: number;
  badStatus: number;
  bytes: number;
  wireBytes: number;
  seconds: number;
};

function load(url: string, headers: Record<string, string>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: {
        url,
        headers,
        connections: CONNECTIONS,
        durationMs: SECONDS * 1000,
        warmupMs: WARMUP_SECONDS * 1000,
      },
    });
    worker.once('message', (result: LoadResult) => resolve(result));
    worker.once('error', reject);
  });
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

type Row = {
  engine: Engine;
  seedSeconds: number;
  rows: number;
  cold: number;
  single: number;
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  requests: number;
  errors: number;
  kb: number;
  wireKb: number;
};

async function measure(engine: Engine): Promise<Row> {
  const { database, dispose } = await freshDatabase(engine);
  const home = mkdtempSync(path.join(tmpdir(), 'roas-api-bench-home-'));
  try {
    await database.migrate();
    const seeded = await seedApiBench(database, AD_SETS);
    const config = loadConfig({ SECRET_KEY: 'bench secret key, not for production', ROAS_HOME: home }, home);
    const app = buildHttpApp(contextFor(config, database, pino({ level: 'silent' })), { webDist: null });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(BENCH_USER),
      });
      const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
      const url = `${base}/api/recommendations?account=${ACCOUNT}&limit=${PAGE}`;
      // The first request finds nothing cached: the database query, the count and the JSON.
      const coldStart = performance.now();
      const first = await fetch(url, { headers: { cookie } });
      const page = (await first.json()) as { items: unknown[]; total: number };
      const cold = performance.now() - coldStart;
      if (first.status !== 200 || page.items.length !== PAGE || page.total !== seeded.rows)
        throw new Error(
          `unexpected first page: ${first.status}, ${page.items.length} items, total ${page.total}`,
        );
      // Unloaded: one request at a time.
      const single: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        await (await fetch(url, { headers: { cookie } })).arrayBuffer();
        single.push(performance.now() - t0);
      }
      // As a browser sends it: with its session cookie, taking gzip.
      const result = await load(url, { cookie, 'accept-encoding': 'gzip, deflate, br' });
      const sorted = result.latencies.sort((a, b) => a - b);
      return {
        engine,
        seedSeconds: seeded.seconds,
        rows: seeded.rows,
        cold,
        single: quantile(
          single.sort((a, b) => a - b),
          0.5,
        ),
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        p99: quantile(sorted, 0.99),
        rps: sorted.length / result.seconds,
        requests: sorted.length,
        errors: result.errors + result.badStatus,
        kb: result.bytes / 1024,
        wireKb: result.wireBytes / 1024,
      };
    } finally {
      await app.close();
    }
  } finally {
    await dispose();
    rmSync(home, { recursive: true, force: true });
  }
}

const engines: Engine[] = ['PGlite (on disk)'];
if (await postgresReachable(ADMIN_URL, 2000)) engines.push('PostgreSQL');
else console.log(`PostgreSQL not reachable at ${ADMIN_URL.replace(/:[^:@/]*@/, ':***@')}: PGlite only`);

console.log(
  `GET /api/recommendations?account=…&limit=${PAGE}: ${AD_SETS.toLocaleString('en-US')} ad sets, ` +
    `${CONNECTIONS} connections, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up\n`,
);
const results: Row[] = [];
for (const engine of engines) {
  const row = await measure(engine);
  results.push(row);
  console.log(
    `${engine}: seeded ${row.rows.toLocaleString('en-US')} recommendations in ${row.seedSeconds.toFixed(1)} s; ` +
      `${row.requests.toLocaleString('en-US')} requests, ${row.errors} errors, ${row.kb.toFixed(0)} KB a page (${row.wireKb.toFixed(0)} KB gzipped)`,
  );
}
const fmt = (n: number) => n.toFixed(1).padStart(7);
console.log(
  '\n| engine           | first (uncached) ms | unloaded p50 ms | p50 ms | p95 ms | p99 ms | requests/s | p95 < 50 ms |',
);
console.log(
  '| ---------------- | ------------------: | --------------: | -----: | -----: | -----: | ---------: | ----------- |',
);
for (const r of results) {
  console.log(
    `| ${r.engine.padEnd(16)} | ${fmt(r.cold).padStart(19)} | ${fmt(r.single).padStart(15)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${r.rps.toFixed(0).padStart(10)} | ${r.p95 < TARGET_P95_MS ? 'met' : 'missed'} |`,
  );
}
if (results.some((r) => r.p95 >= TARGET_P95_MS || r.errors > 0)) process.exitCode = 1;
