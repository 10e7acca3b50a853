// Sync speed and API economy: an account with 2,000 ad sets (6,000 ads) and 90 days, read from the fake
// Graph API (in its own process) into PGlite on disk, without and with faults.
// Run: npm run bench:sync   (BENCH_ADSETS to change the size)
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SecretBox } from '../src/adapters/crypto/secret-box.ts';
import { GraphClient } from '../src/adapters/meta/graph-client.ts';
import { connectWithToken } from '../src/services/meta-connect.service.ts';
import { syncAccount } from '../src/services/sync.service.ts';
import { todayIn } from '../src/shared/dates.ts';
import { freshBenchDatabase, postgresReachable, type BenchDatabase } from './bench-databases.ts';

const AD_SETS = Number(process.env.BENCH_ADSETS ?? 2000);
const ADS_PER_AD_SET = 3;
const DAYS = 90;
const PAGE = 500;
const LIST_PAGE = 200;
const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const ROAS = fileURLToPath(new URL('../bin/roas.mjs', import.meta.url));

type Fake = { process?: ChildProcess; url: string; accessToken: string; accountId: string };

async function startFake(): Promise<Fake> {
  const scenario = JSON.stringify({
    extends: 'default',
    adSets: AD_SETS,
    dailyBudget: AD_SETS * 100,
    adsPerAdSet: { min: ADS_PER_AD_SET, max: ADS_PER_AD_SET },
  });
  const child = spawn(
    process.execPath,
    [ROAS, 'fake-meta', '--port', '0', '--json', '--start-day', String(DAYS + 1), '--scenario', scenario],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    output += chunk.toString();
    if (output.trim().endsWith('}')) break;
  }
  const details = JSON.parse(output) as { url: string; accessToken: string; accountId: string };
  return { process: child, ...details };
}

async function control(fake: Fake, route: string, body: unknown): Promise<void> {
  const response = await fetch(`${fake.url}/__control/${route}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${route}: ${response.status} ${await response.text()}`);
}

type Result = {
  label: string;
  rows: number;
  calls: number;
  minimum: number;
  seconds: number;
  /** Time the sync sat waiting for Meta: pages the prefetch had not yet brought, report runs being built. */
  blockedSeconds: number;
  /** Throttle pauses, backoff and poll waits the API asked for (recorded in full, slept briefly). */
  waitedSeconds: number;
  peakMb: number;
  /** Resident memory before the sync started: the runtime plus the open database. */
  baselineMb: number;
};

type Engine = 'PGlite (on disk)' | 'PostgreSQL 15';

/** A fresh database on the engine, and how to dispose of it. */
function freshDatabase(engine: Engine): Promise<BenchDatabase> {
  return freshBenchDatabase(
    engine === 'PGlite (on disk)' ? 'pglite' : 'postgres',
    'roas_sync_bench',
    ADMIN_URL,
  );
}

async function run(fake: Fake, label: string, engine: Engine): Promise<Result> {
  const { database, dispose } = await freshDatabase(engine);
  let calls = 0;
  let blockedMs = 0;
  let requestedWaitMs = 0;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    await database.migrate();
    const graph = (token: string) =>
      new GraphClient({
        baseUrl: fake.url,
        apiVersion: 'v26.0',
        accessToken: token,
        onEvent: (event) => {
          if (event.type === 'response') calls++;
          if (event.type === 'api-wait') blockedMs += event.ms;
        },
        // Waits are recorded at their full length but slept briefly, so the benchmark measures our work.
        sleep: (ms) => {
          requestedWaitMs += ms;
          return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
        },
      });
    const secrets = new SecretBox('benchmark secret key 123');
    const deps = {
      db: database.db,
      secrets,
      stateKey: Buffer.alloc(32),
      app: null,
      graphFor: graph,
      now: () => new Date(),
    };
    await connectWithToken(deps, fake.accessToken);
    calls = 0;
    const baseline = process.memoryUsage().rss;
    peak = baseline;
    const started = performance.now();
    const summary = await syncAccount(
      { db: database.db, graph: graph(fake.accessToken), now: () => new Date() },
      fake.accountId,
      {
        today: todayIn('America/Los_Angeles', new Date()),
        historyDays: DAYS,
        pageSize: PAGE,
        asyncPollMs: 10,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const rows = summary.insightRows.adset + summary.insightRows.ad;
    // The fewest calls that can return it all: one account read, full listing pages, full insight pages.
    const minimum =
      1 +
      Math.ceil(summary.objects.campaigns / LIST_PAGE) +
      Math.ceil(summary.objects.adsets / LIST_PAGE) +
      Math.ceil(summary.objects.ads / LIST_PAGE) +
      Math.ceil(summary.insightRows.adset / PAGE) +
      Math.ceil(summary.insightRows.ad / PAGE);
    return {
      label: `${engine}: ${label}`,
      rows,
      calls,
      minimum,
      seconds,
      blockedSeconds: blockedMs / 1000,
      waitedSeconds: requestedWaitMs / 1000,
      peakMb: peak / 2 ** 20,
      baselineMb: baseline / 2 ** 20,
    };
  } finally {
    clearInterval(sampler);
    await dispose();
  }
}

const FAULTS = 'transient:0.05,throttle:0.05:1';

/** One engine's two runs, in this process: what each child started by the main run does. */
async function measureEngine(fake: Fake, engine: Engine): Promise<Result[]> {
  const results: Result[] = [];
  await control(fake, 'faults', {});
  await control(fake, 'usage/reset', {});
  results.push(await run(fake, 'no faults', engine));
  await control(fake, 'faults', { spec: FAULTS });
  await control(fake, 'usage/reset', {});
  results.push(await run(fake, `faults (${FAULTS})`, engine));
  return results;
}

// Each engine runs in a child process of its own, so one engine's memory never shows in the other's figures.
const childEngine = process.env.BENCH_CHILD_ENGINE as Engine | undefined;
if (childEngine) {
  const fake = JSON.parse(process.env.BENCH_FAKE ?? '{}') as Fake;
  console.log(`RESULTS ${JSON.stringify(await measureEngine(fake, childEngine))}`);
  process.exit(0);
}

async function inChild(fake: Fake, engine: Engine): Promise<Result[]> {
  const details = { url: fake.url, accessToken: fake.accessToken, accountId: fake.accountId };
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_CHILD_ENGINE: engine, BENCH_FAKE: JSON.stringify(details) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  for await (const chunk of proc.stdout as AsyncIterable<Buffer>) output += chunk.toString();
  const line = output.split('\n').find((l) => l.startsWith('RESULTS '));
  if (!line) throw new Error(`the ${engine} run printed no results:\n${output}`);
  return JSON.parse(line.slice('RESULTS '.length)) as Result[];
}

const engines: Engine[] = ['PGlite (on disk)'];
if (await postgresReachable(ADMIN_URL)) engines.push('PostgreSQL 15');
else console.log(`PostgreSQL not reachable at ${new URL(ADMIN_URL).host}: measuring PGlite only.`);
const fake = await startFake();
const results: Result[] = [];
try {
  for (const engine of engines) results.push(...(await inChild(fake, engine)));
} finally {
  fake.process?.kill('SIGINT');
}

console.log(
  `\nAccount: ${AD_SETS} ad sets, ${AD_SETS * ADS_PER_AD_SET} ads, ${DAYS} days; fake Graph API in its own process.`,
);
console.log(
  '| run | insight rows | API calls | minimum | calls / minimum | wall s | waiting for Meta s | working s | rows/s of working time | waits Meta asked for (s) | RSS before sync (MB) | peak RSS (MB) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  // API waits include the brief stand-in sleeps of retries and polls, so nothing is subtracted twice.
  const working = r.seconds - r.blockedSeconds;
  console.log(
    `| ${r.label} | ${r.rows.toLocaleString('en-US')} | ${r.calls} | ${r.minimum} | ${(r.calls / r.minimum).toFixed(3)} | ${r.seconds.toFixed(1)} | ${r.blockedSeconds.toFixed(1)} | ${working.toFixed(1)} | ${Math.round(r.rows / working).toLocaleString('en-US')} | ${r.waitedSeconds.toFixed(0)} | ${r.baselineMb.toFixed(0)} | ${r.peakMb.toFixed(0)} |`,
  );
}
console.log(
  'Targets: calls at most 1.2x the minimum; at least 20,000 rows per second of working time; memory under 500 MB.',
);
