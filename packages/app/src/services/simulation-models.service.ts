import { evidenceModelOf, type EvidenceModels } from '@roas/core';
import { COLD_START_DIR, readColdStartModels } from './models/cold-start-models.ts';

/**
 * The models `roas simulate`'s engine+ml policy reads: a cold-start folder (manifest.json and one
 * file per kind, as `npm run models:cold-start` writes it; by default the shipped one), checked as
 * the app checks it, each model weighed by its holdout against its naive baseline.
 */
export async function loadSimulationModels(dir: string = COLD_START_DIR): Promise<EvidenceModels> {
  const models: EvidenceModels = {};
  for (const cold of await readColdStartModels(dir))
    models[cold.kind] = evidenceModelOf(cold.model, cold.holdout, `cold-start ${cold.sha256.slice(0, 12)}`);
  return models;
}
