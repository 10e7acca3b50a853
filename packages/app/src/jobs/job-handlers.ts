import { runApplyJob } from './apply.job.ts';
import { runDecideJob } from './decide.job.ts';
import { runServiceJob, runSyncAllJob } from './global.jobs.ts';
import type { JobRequest } from './job-definitions.ts';
import type { JobEnv, JobResult } from './job-handler.ts';
import { runSyncJob } from './sync.job.ts';
import { runTrainJob } from './train.job.ts';

/** Runs one job's handler (no locking or bookkeeping: see run-job.ts). */
export function handleJob(request: JobRequest, env: JobEnv): Promise<JobResult> {
  switch (request.name) {
    case 'sync':
      return runSyncJob(request.accountId, env);
    case 'decide':
      return runDecideJob(request.accountId, env);
    case 'apply':
      return runApplyJob(request.accountId, env);
    case 'sync-all':
      return runSyncAllJob(env);
    case 'outcomes':
    case 'health':
    case 'notify':
      return runServiceJob(request.name, env);
    case 'train':
      return runTrainJob(env);
  }
}
