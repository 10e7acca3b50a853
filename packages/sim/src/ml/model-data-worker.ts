import { parentPort } from 'node:worker_threads';
import { isPolicyName } from '../policies/registry.ts';
import { loadScenario } from '../scenarios/load.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { simulateModelData } from './model-data.ts';
import type { ModelDataReply, ModelDataRequest } from './model-data-runner.ts';

// One model-data worker thread: simulates accounts one at a time and sends their rows back.
const scenarios = new Map<string, Scenario>();

function run(request: ModelDataRequest): ModelDataReply {
  try {
    if (!isPolicyName(request.policy)) throw new RangeError(`unknown policy "${request.policy}"`);
    let scenario = scenarios.get(request.preset);
    if (!scenario) {
      scenario = loadScenario(request.preset);
      scenarios.set(request.preset, scenario);
    }
    const data = simulateModelData({ ...request, scenario, policy: request.policy });
    return { type: 'result', id: request.id, ...data };
  } catch (error) {
    return {
      type: 'error',
      id: request.id,
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
}

parentPort?.on('message', (request: ModelDataRequest) => {
  parentPort?.postMessage(run(request));
});
