import { parseEngineRulesOrThrow, type EngineRules, type EvidenceModels } from '@roas/core';
import { parseEvidenceModels } from '../ml/engine-models.ts';
import { parentPort } from 'node:worker_threads';
import { parseScenario } from '../scenarios/load.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { BenchmarkTask, WorkerReply, WorkerRequest } from './benchmark.ts';
import { isPolicyName } from '../policies/registry.ts';
import { simulate } from './simulate.ts';

// One benchmark worker thread: receives the scenario once, then runs (policy, seed) tasks one at a time.
let scenario: Scenario | null = null;
let days = 0;
let engineRules: EngineRules | undefined;
let engineModels: EvidenceModels | undefined;

function run(task: BenchmarkTask): WorkerReply {
  if (!scenario) return { type: 'error', id: task.id, message: 'worker got a task before its scenario' };
  if (!isPolicyName(task.policy))
    return { type: 'error', id: task.id, message: `unknown policy "${task.policy}"` };
  try {
    return {
      type: 'result',
      id: task.id,
      metrics: simulate(scenario, task.policy, task.seed, days, engineRules, engineModels),
    };
  } catch (error) {
    return {
      type: 'error',
      id: task.id,
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
}

parentPort?.on('message', (message: WorkerRequest) => {
  if (message.type === 'init') {
    scenario = parseScenario(message.scenario, 'benchmark worker');
    days = message.days;
    engineRules = message.engineRules ? parseEngineRulesOrThrow(message.engineRules) : undefined;
    engineModels = message.engineModels ? parseEvidenceModels(message.engineModels) : undefined;
    return;
  }
  parentPort?.postMessage(run(message));
});
