// Import speed for a 100,000-row Ads Manager export, on PGlite (on disk) and PostgreSQL, side by side.
// Run: npm run bench:import   (PostgreSQL from BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase, type Database } from '../src/adapters/db/database.ts';
import { parseAdsManagerCsv } from '../src/import/ads-manager-parser.ts';
import { generateAdsManagerSample } from '../src/import/sample-export.ts';
import { importAdsManagerCsv } from '../src/services/import.service.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const TARGET_ROWS_PER_SECOND = 20_000;

type Line = { engine: string; phase: string; seconds: number; rowsPerSecond: number };

async function timeImports(engine: string, database: Database, text: string, lines: Line[]): Promise<void> {
  await database.migrate();
  for (const phase of ['first import', 're-import (all unchanged)']) {
    const started = performance.now();
    const summary = await importAdsManagerCsv(database.db, { text, fileName: 'bench.csv', now: new Date() });
    const seconds = (performance.now() - started) / 1000;
    lines.push({ engine, phase, seconds, rowsPerSecond: summary.rows / seconds });
  }
}

async function withPostgres(work: (database: Database) => Promise<void>): Promise<string | null> {
  const adminUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `roas_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    return `PostgreSQL not reachable at ${new URL(adminUrl).host} (${(error as Error).message})`;
  }
  await admin.query(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    const database = await openDatabase({ engine: 'postgres', url: url.toString() });
    try {
      await work(database);
    } finally {
      await database.close();
    }
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
  return null;
}

const sample = generateAdsManagerSample({ rows: ROWS, seed: 1, level: 'ad', withIds: false });
console.log(
  `Export: ${sample.dataRows.toLocaleString('en-US')} daily ad rows, ${sample.entities} ads, ${(sample.csv.length / 1e6).toFixed(1)} MB`,
);

const lines: Line[] = [];
const parseStarted = performance.now();
parseAdsManagerCsv(sample.csv);
const parseSeconds = (performance.now() - parseStarted) / 1000;
lines.push({
  engine: '(none)',
  phase: 'parse only',
  seconds: parseSeconds,
  rowsPerSecond: ROWS / parseSeconds,
});

const dir = mkdtempSync(path.join(tmpdir(), 'roas-bench-'));
try {
  const pglite = await openDatabase({ engine: 'pglite', dataDir: path.join(dir, 'pgdata') });
  try {
    await timeImports('PGlite (on disk)', pglite, sample.csv, lines);
  } finally {
    await pglite.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const skipped = await withPostgres((database) => timeImports('PostgreSQL 15', database, sample.csv, lines));

console.log(
  `\n| engine | phase | seconds | rows/s | target ${TARGET_ROWS_PER_SECOND.toLocaleString('en-US')} rows/s |`,
);
console.log('|---|---|---:|---:|---|');
for (const line of lines) {
  const verdict =
    line.engine === '(none)' ? '' : line.rowsPerSecond >= TARGET_ROWS_PER_SECOND ? 'met' : 'MISSED';
  console.log(
    `| ${line.engine} | ${line.phase} | ${line.seconds.toFixed(2)} | ${Math.round(line.rowsPerSecond).toLocaleString('en-US')} | ${verdict} |`,
  );
}
if (skipped) console.log(`\nPostgreSQL skipped: ${skipped}`);
