import type { EngineRules, EvidenceModels } from '@roas/core';
import { availableParallelism } from 'node:os';
import { isPolicyName, type PolicyName } from '../policies/registry.ts';
import { loadScenario } from '../scenarios/load.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { summarise, type PolicySummary } from './aggregate.ts';
import type { RunMetrics } from './metrics.ts';
import { simulate } from './simulate.ts';
import { runOnWorkers } from './worker-pool.ts';

/** What to benchmark: every policy runs on every seed (common random numbers make the runs paired). */
export type BenchmarkOptions = {
  /** A validated scenario, or a preset name / JSON text / .json path for `loadScenario`. */
  scenario: Scenario | string;
  policies: readonly string[];
  seeds: readonly number[];
  /** Days to simulate (default: the scenario's horizon). */
  days?: number;
  /** Worker threads (default: one per core, capped by the number of runs); 0 runs in this thread. */
  workers?: number;
  /** Keep every run's metrics in the result. */
  includeRuns?: boolean;
  /** Rules for the `engine` policy (for example a tuned rules file); the defaults otherwise. */
  engineRules?: EngineRules;
  /** Trained models for the `engine+ml` policy (sent to the workers as JSON, validated there). */
  engineModels?: EvidenceModels;
};

/** Reported after each finished run. */
export type BenchmarkProgress = { done: number; total: number; policy: string; seed: number };

/** The benchmark's JSON: `{ scenario, seeds, days, policies: { <name>: PolicySummary } }`. */
export type BenchmarkResult = {
  scenario: string;
  seeds: number[];
  days: number;
  policies: Record<string, PolicySummary>;
  /** Reference policies added because the gap needs them. */
  addedReferences: string[];
  runs?: RunMetrics[];
};

/** A (policy, seed) run handed to a worker. */
export type BenchmarkTask = { type: 'run'; id: number; policy: string; seed: number };
/** Messages to a benchmark worker: the scenario once, then tasks. */
export type WorkerRequest =
  | {
      type: 'init';
      scenario: Scenario;
      days: number;
      engineRules: EngineRules | null;
      engineModels: EvidenceModels | null;
    }
  | BenchmarkTask;
/** A worker's answer to one task. */
export type WorkerReply =
  { type: 'result'; id: number; metrics: RunMetrics } | { type: 'error'; id: number; message: string };

const REFERENCES = ['equal', 'oracle'] as const satisfies readonly PolicyName[];

/** Worker entry: a plain-JS shim that registers tsx in the worker thread, then loads the TypeScript worker. */
const WORKER_ENTRY = new URL('./benchmark-worker-boot.mjs', import.meta.url);

/**
 * Runs every policy on every seed, in parallel across worker threads, and summarises them: profit
 * (reported and true), ROAS, oracle gap closed with a paired 95% CI, wasted spend, time to find
 * winners, learning resets, budget churn. `equal` and `oracle` are added when missing, since the gap
 * is measured between them. Workers run the TypeScript sources through tsx (registered in each thread).
 */
export async function runBenchmark(
  options: BenchmarkOptions,
  onProgress?: (progress: BenchmarkProgress) => void,
): Promise<BenchmarkResult> {
  const scenario = typeof options.scenario === 'string' ? loadScenario(options.scenario) : options.scenario;
  const days = options.days ?? scenario.horizonDays;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive integer (${days})`);
  for (const policy of options.policies) {
    if (!isPolicyName(policy)) throw new RangeError(`unknown policy "${policy}"`);
  }
  if (options.policies.includes('engine+ml') && !options.engineModels)
    throw new RangeError('the engine+ml policy needs trained models (engineModels), and none were given');
  const seeds = [...new Set(options.seeds)];
  if (seeds.some((seed) => !Number.isSafeInteger(seed) || seed < 0))
    throw new RangeError('seeds must be non-negative integers');
  const addedReferences = REFERENCES.filter((name) => !options.policies.includes(name));
  const policies = [...new Set([...options.policies, ...addedReferences])];
  // Seed-major order keeps partial progress balanced across policies.
  const tasks: BenchmarkTask[] = [];
  for (const seed of seeds)
    for (const policy of policies) tasks.push({ type: 'run', id: tasks.length, policy, seed });

  const workerCount = Math.min(options.workers ?? availableParallelism(), tasks.length);
  const results =
    workerCount <= 0
      ? runInThread(scenario, days, tasks, options, onProgress)
      : await runInWorkers(scenario, days, tasks, workerCount, options, onProgress);

  const runsByPolicy = new Map<string, RunMetrics[]>(policies.map((p) => [p, []]));
  for (const metrics of results) runsByPolicy.get(metrics.policy)?.push(metrics);
  return {
    scenario: scenario.name,
    seeds,
    days,
    policies: summarise(runsByPolicy),
    addedReferences,
    ...(options.includeRuns ? { runs: results } : {}),
  };
}

function runInThread(
  scenario: Scenario,
  days: number,
  tasks: readonly BenchmarkTask[],
  engine: Pick<BenchmarkOptions, 'engineRules' | 'engineModels'>,
  onProgress?: (progress: BenchmarkProgress) => void,
): RunMetrics[] {
  return tasks.map((task, done) => {
    const metrics = simulate(
      scenario,
      task.policy as PolicyName,
      task.seed,
      days,
      engine.engineRules,
      engine.engineModels,
    );
    onProgress?.({ done: done + 1, total: tasks.length, policy: task.policy, seed: task.seed });
    return metrics;
  });
}

async function runInWorkers(
  scenario: Scenario,
  days: number,
  tasks: readonly BenchmarkTask[],
  workerCount: number,
  engine: Pick<BenchmarkOptions, 'engineRules' | 'engineModels'>,
  onProgress?: (progress: BenchmarkProgress) => void,
): Promise<RunMetrics[]> {
  // tsx's `--import tsx` declines to register in worker threads on Node 20, hence the shim over execArgv.
  const replies = await runOnWorkers<BenchmarkTask, Extract<WorkerReply, { type: 'result' }>>({
    entry: WORKER_ENTRY,
    tasks,
    workerCount,
    init: {
      type: 'init',
      scenario,
      days,
      engineRules: engine.engineRules ?? null,
      engineModels: engine.engineModels ?? null,
    } satisfies WorkerRequest,
    request: (task) => task satisfies WorkerRequest,
    onResult: (done, task) =>
      onProgress?.({ done, total: tasks.length, policy: task.policy, seed: task.seed }),
    workerName: 'benchmark worker',
    taskName: 'run',
  });
  return replies.map((reply) => reply.metrics);
}
