import { MODEL_KINDS, parseTrainedModel, type EvidenceModels, type ModelKind } from '@roas/core';
import { z } from 'zod';

const finiteNonNegative = z.number().finite().nonnegative();

const evidenceModelSchema = z
  .object({
    model: z.unknown(),
    error: finiteNonNegative,
    baselineError: finiteNonNegative,
    version: z.string().min(1),
  })
  .strict();

const describe = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || '(model)'}: ${i.message}`).join('; ');

/**
 * Validates models sent to a worker (or read back from JSON): each kind's trained model, errors and
 * version. Throws a `RangeError` naming the kind and the problem.
 */
export function parseEvidenceModels(json: unknown): EvidenceModels {
  if (typeof json !== 'object' || json === null) throw new RangeError('engine models must be an object');
  const models: EvidenceModels = {};
  for (const [kind, value] of Object.entries(json)) {
    if (!MODEL_KINDS.includes(kind as ModelKind))
      throw new RangeError(`engine models: unknown kind "${kind}" (known: ${MODEL_KINDS.join(', ')})`);
    const parsed = evidenceModelSchema.safeParse(value);
    if (!parsed.success) throw new RangeError(`engine models: ${kind}: ${describe(parsed.error)}`);
    const model = parseTrainedModel(parsed.data.model);
    if (model.kind !== kind) throw new RangeError(`engine models: ${kind} holds a ${model.kind} model`);
    models[model.kind] = { ...parsed.data, model };
  }
  return models;
}
