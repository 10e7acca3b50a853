// Scheduled jobs on PostgreSQL: 30 simulated accounts synced and decided by 1, 2 and 3 `roas worker`
// processes (pg-boss queues, one advisory lock per account), with the fake Graph API answering at once
// and with a simulated round trip; accounts per minute, and where the CPU went.
// Run: npm run bench:workers   (BENCH_ACCOUNTS, BENCH_ADSETS, BENCH_REPEATS, BENCH_LATENCY_MS="0,100")
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { queryRows } from '../src/adapters/db/database.ts';
import { sendJob, startBoss } from '../src/jobs/pg-boss-queue.ts';
import { startFakeAccounts, type FakeAccounts } from '../test/fake-accounts.ts';
import {
  connectAccounts,
  createWorkerDatabase,
  openJobs,
  startWorkerProcess,
  workerEnv,
  type WorkerProcess,
} from '../test/worker-harness.ts';
import { postgresReachable } from './bench-databases.ts';
import { writeBenchmarkSection } from './benchmarks-doc.ts';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 30);
const AD_SETS = Number(process.env.BENCH_ADSETS ?? 20);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);
const HISTORY_DAYS = 30;
const LATENCIES = (process.env.BENCH_LATENCY_MS ?? '0,100').split(',').map(Number);
const WORKER_COUNTS = [1, 2, 3];
const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
// Clock ticks per second of /proc times (USER_HZ; 100 on Linux).
const TICKS = 100;

/** CPU seconds a process has used, from /proc (0 once it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Busy and total CPU seconds of the whole machine. */
function machineSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}

type Snapshot = {
  workers: number;
  fake: number;
  postgres: Map<number, number>;
  machine: { busy: number; total: number };
};

function snapshot(workers: WorkerProcess[]): Snapshot {
  const usage = process.cpuUsage();
  return {
    workers: workers.reduce((sum, w) => sum + cpuSeconds(w.child.pid ?? 0), 0),
    fake: (usage.user + usage.system) / 1e6,
    postgres: new Map(postgresPids().map((pid) => [pid, cpuSeconds(pid)])),
    machine: machineSeconds(),
  };
}

type Result = {
  latencyMs: number;
  workers: number;
  seconds: number;
  perMinute: number;
  calls: number;
  cpu: { workers: number; fake: number; postgres: number; other: number; machineBusyPercent: number };
};

async function measure(fakes: FakeAccounts, latencyMs: number, count: number): Promise<Result> {
  const db = await createWorkerDatabase(ADMIN_URL, 'bench_workers');
  const workers: WorkerProcess[] = [];
  try {
    await connectAccounts(db.database, fakes);
    fakes.setLatency(latencyMs);
    const env = workerEnv(db.url, fakes, { LOG_LEVEL: 'warn' });
    for (let i = 1; i <= count; i++) workers.push(await startWorkerProcess(`w${i}`, env));
    const boss = await startBoss(db.url, pino({ level: 'silent' }), {
      schedule: false,
      supervise: false,
      max: 2,
    });
    const callsBefore = fakes.calls();
    const before = snapshot(workers);
    const started = performance.now();
    await sendJob(boss, { name: 'sync-all' });
    await boss.stop({ graceful: false, close: true });
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [row] = await queryRows<{ n: number }>(
        db.database.db,
        sql`select count(distinct account_id)::int as n from job_runs where name = 'decide' and status = 'done'`,
      );
      if (row?.n === fakes.accounts.length && (await openJobs(db.database)) === 0) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const after = snapshot(workers);
    let postgres = 0;
    for (const [pid, cpu] of after.postgres) postgres += cpu - (before.postgres.get(pid) ?? 0);
    const workersCpu = after.workers - before.workers;
    const fakeCpu = after.fake - before.fake;
    const busy = after.machine.busy - before.machine.busy;
    const total = after.machine.total - before.machine.total;
    return {
      latencyMs,
      workers: count,
      seconds,
      perMinute: (fakes.accounts.length / seconds) * 60,
      calls: fakes.calls() - callsBefore,
      cpu: {
        workers: workersCpu,
        fake: fakeCpu,
        postgres,
        other: Math.max(0, busy - workersCpu - fakeCpu - postgres),
        machineBusyPercent: (busy / total) * 100,
      },
    };
  } finally {
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await db.drop();
  }
}

if (!(await postgresReachable(ADMIN_URL, 3_000))) {
  console.log(
    `PostgreSQL is not reachable at ${new URL(ADMIN_URL).host}: bench:workers needs it (BENCH_DATABASE_URL).`,
  );
  process.exit(1);
}
const fakes = await startFakeAccounts(ACCOUNTS, { adSets: AD_SETS, startDay: HISTORY_DAYS });
const results: Result[] = [];
try {
  for (const latency of LATENCIES) {
    for (const count of WORKER_COUNTS) {
      // The machine is shared: of REPEATS runs, the least disturbed (fastest) one is kept.
      let best: Result | undefined;
      for (let run = 0; run < REPEATS; run++) {
        const result = await measure(fakes, latency, count);
        console.log(
          `latency ${latency} ms, ${count} worker(s): ${result.perMinute.toFixed(0)} accounts/min (${result.seconds.toFixed(1)} s, machine ${result.cpu.machineBusyPercent.toFixed(0)}% busy)`,
        );
        if (!best || result.perMinute > best.perMinute) best = result;
      }
      if (best) results.push(best);
    }
  }
} finally {
  await fakes.close();
}

const cpu = (s: number) => s.toFixed(1);
const at = (latency: number, workers: number) =>
  results.find((r) => r.latencyMs === latency && r.workers === workers);
const speedup = (r: Result) => r.perMinute / (at(r.latencyMs, 1)?.perMinute ?? r.perMinute);
const ours = (r: Result) => r.cpu.workers + r.cpu.fake + r.cpu.postgres;
const table = [
  '| API latency (ms) | workers | seconds | accounts/min | vs 1 worker | API calls | CPU s: workers | CPU s: fake API | CPU s: PostgreSQL | cores used by these | CPU s: other processes | machine busy |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.latencyMs} | ${r.workers} | ${r.seconds.toFixed(1)} | ${r.perMinute.toFixed(0)} | ${speedup(r).toFixed(2)}x | ${r.calls} | ${cpu(r.cpu.workers)} | ${cpu(r.cpu.fake)} | ${cpu(r.cpu.postgres)} | ${(ours(r) / r.seconds).toFixed(2)} | ${cpu(r.cpu.other)} | ${r.cpu.machineBusyPercent.toFixed(0)}% |`,
  ),
].join('\n');
console.log(`\n${table}`);

const direct = WORKER_COUNTS.map((n) => at(0, n));
const one = at(0, 1);
const slowest = LATENCIES.at(-1) ?? 0;
const waited = WORKER_COUNTS.map((n) => at(slowest, n));
const list = (items: (Result | undefined)[], f: (r: Result) => string) =>
  items.map((r) => (r ? f(r) : 'n/a')).join(', ');
const explain = [
  `Command: \`npm run bench:workers\`. ${ACCOUNTS} simulated accounts of ${AD_SETS} ad sets (1 to 4 ads each) with ${HISTORY_DAYS} days of history, each a fake Graph API market behind one front server in the benchmark's process; a fresh PostgreSQL 15 database per run; \`roas worker\` processes taking one job at a time each. Timed from queuing the sync of every account until every account is synced and decided and the queue is empty (worker start-up excluded); the best of ${REPEATS} runs. CPU seconds come from \`/proc\` over the same span: the workers, the benchmark's process (the fake API), PostgreSQL's processes, and "other processes" for the rest of the machine's busy time (the machine is shared with other work).`,
  '',
  table,
  '',
  `**What limits the scaling.** With the fake API answering at once, every part of the work is CPU on the same 2 cores: the workers parse and store insight rows and run the engine, the fake computes each answer, PostgreSQL writes the rows. ${
    one
      ? `In the 1-worker run an account cost ${(ours(one) / ACCOUNTS).toFixed(2)} CPU s in all (workers ${(one.cpu.workers / ACCOUNTS).toFixed(2)}, fake ${(one.cpu.fake / ACCOUNTS).toFixed(2)}, PostgreSQL ${(one.cpu.postgres / ACCOUNTS).toFixed(2)}), so 2 cores cap the rate near ${Math.round((2 * 60 * ACCOUNTS) / ours(one))} accounts per minute however many workers run; one worker kept ${(ours(one) / one.seconds).toFixed(2)} of a core busy (a job's steps take turns between the worker, the fake and PostgreSQL), so on an idle machine about ${Math.max(1, Math.ceil((2 * one.seconds) / ours(one)))} workers fill the 2 cores and more only queue for them.`
      : ''
  } On this shared machine other processes used ${list(direct, (r) => (r.cpu.other / r.seconds).toFixed(2))} cores during the 1, 2 and 3-worker runs (machine ${list(direct, (r) => `${r.cpu.machineBusyPercent.toFixed(0)}%`)} busy), so the extra workers found the cores taken, by the other workers' jobs and by whatever else ran: ${list(direct, (r) => `${speedup(r).toFixed(2)}x`)}. With a ${slowest} ms round trip per API call (${waited[0]?.calls ?? 'n/a'} calls per run), a job spends most of its time waiting for the API and needs only ${list(waited, (r) => (ours(r) / r.seconds).toFixed(2))} cores with 1, 2 and 3 workers, so workers overlap their waits: ${list(waited, (r) => `${speedup(r).toFixed(2)}x`)}. Against Meta, whose calls are slower still and limited per account, adding workers adds throughput until the cores, Meta's rate limits or PostgreSQL's writes bind; one account is never split across workers, so the largest account sets the floor on a full sync's time.`,
].join('\n');
await writeBenchmarkSection('workers', 'Scheduled jobs on PostgreSQL (`npm run bench:workers`)', explain);
console.log('\nWritten to docs/benchmarks.md.');
