import type { AccountHistory, ModelDataset } from '@roas/core';
import { availableParallelism } from 'node:os';
import { isPolicyName } from '../policies/registry.ts';
import { loadScenario } from '../scenarios/load.ts';
import { runOnWorkers } from '../runner/worker-pool.ts';
import { simulateModelData } from './model-data.ts';

/** One simulated account to generate: a preset (or scenario JSON text) run under a policy from a seed. */
export type ModelDataJob = {
  preset: string;
  policy: string;
  seed: number;
  accountIndex: number;
  historyAt?: number | null;
  firstDay?: number;
};

export type ModelDataRequest = ModelDataJob & { id: number };
export type ModelDataReply =
  | { type: 'result'; id: number; dataset: ModelDataset; history: AccountHistory | null }
  | { type: 'error'; id: number; message: string };

export type ModelDataResult = { job: ModelDataJob; dataset: ModelDataset; history: AccountHistory | null };

const WORKER_ENTRY = new URL('./model-data-worker-boot.mjs', import.meta.url);

/**
 * Simulates every job's account and returns its rows (in job order), on worker threads (default: one
 * per core; 0 runs in this thread). Throws on an unknown policy or preset before any work starts.
 */
export async function generateModelData(
  jobs: readonly ModelDataJob[],
  options: { workers?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<ModelDataResult[]> {
  for (const job of jobs) {
    if (!isPolicyName(job.policy))
      throw new RangeError(`job ${job.accountIndex}: unknown policy "${job.policy}"`);
    loadScenario(job.preset);
  }
  const workerCount = Math.min(options.workers ?? availableParallelism(), jobs.length);
  if (workerCount <= 0) {
    return jobs.map((job, i) => {
      const policy = job.policy;
      if (!isPolicyName(policy)) throw new RangeError(`unknown policy "${policy}"`);
      const data = simulateModelData({ ...job, scenario: loadScenario(job.preset), policy });
      options.onProgress?.(i + 1, jobs.length);
      return { job, ...data };
    });
  }
  const replies = await runOnWorkers<ModelDataJob, Extract<ModelDataReply, { type: 'result' }>>({
    entry: WORKER_ENTRY,
    tasks: jobs,
    workerCount,
    request: (job, id) => ({ ...job, id }) satisfies ModelDataRequest,
    onResult: (done) => options.onProgress?.(done, jobs.length),
    workerName: 'model-data worker',
    taskName: 'account',
  });
  return replies.flatMap((reply) => {
    const job = jobs[reply.id];
    return job ? [{ job, dataset: reply.dataset, history: reply.history }] : [];
  });
}
