import { UserError } from '../shared/errors.ts';
import { skipped, type JobEnv, type JobResult } from './job-handler.ts';

/** Trains every account's learning models, as `roas train` does; nothing to do while models are off. */
export async function runTrainJob(env: JobEnv): Promise<JobResult> {
  if (!env.context.config.mlEnabled) return skipped('learning models are off (ML_ENABLED=false)');
  let results;
  try {
    results = await env.services.trainModels(env.context);
  } catch (error) {
    if (error instanceof UserError) return skipped(error.message);
    throw error;
  }
  const kinds = results.flatMap((r) => r.kinds);
  const registered = kinds.filter((k) => k.status === 'registered');
  return {
    status: 'done',
    summary: {
      accounts: results.length,
      registered: registered.length,
      inUse: registered.filter((k) => k.isActive).length,
      skipped: kinds.length - registered.length,
    },
    next: [],
  };
}
