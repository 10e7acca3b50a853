// The scheduled jobs, what each is about (one account or all of them), and how the queue treats it.
import { accountLockKey } from './locks.ts';

/** Jobs about one account: never two at once for the same account, in any process. */
export const ACCOUNT_JOBS = ['sync', 'decide', 'apply'] as const;
/** Jobs over every account; `sync-all` fans out one `sync` per connected Meta account. */
export const GLOBAL_JOBS = ['sync-all', 'outcomes', 'health', 'notify', 'train'] as const;
export const JOB_NAMES = [...ACCOUNT_JOBS, ...GLOBAL_JOBS] as const;

export type AccountJobName = (typeof ACCOUNT_JOBS)[number];
export type GlobalJobName = (typeof GLOBAL_JOBS)[number];
export type JobName = (typeof JOB_NAMES)[number];

export type JobRequest = { name: AccountJobName; accountId: string } | { name: GlobalJobName };

export function isAccountJob(name: string): name is AccountJobName {
  return (ACCOUNT_JOBS as readonly string[]).includes(name);
}

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}

export function isGlobalJob(name: string): name is GlobalJobName {
  return (GLOBAL_JOBS as readonly string[]).includes(name);
}

export function accountOf(request: JobRequest): string | null {
  return 'accountId' in request ? request.accountId : null;
}

/** What may not run twice at once: every job of one account shares a key; a global job has its own. */
export function lockKeyOf(request: JobRequest): string {
  return 'accountId' in request ? accountLockKey(request.accountId) : `job:${request.name}`;
}

/** Two requests with the same key are the same work: a second one queued behind the first adds nothing. */
export function dedupeKeyOf(request: JobRequest): string {
  return 'accountId' in request ? `${request.name}:${request.accountId}` : request.name;
}

export function describeRequest(request: JobRequest): string {
  return 'accountId' in request ? `${request.name} ${request.accountId}` : request.name;
}

/** A request from a queued job's name and data; anything else is refused (a queue holds only these). */
export function parseRequest(name: string, data: unknown): JobRequest {
  if (isAccountJob(name)) {
    const accountId = (data as { accountId?: unknown } | null)?.accountId;
    if (typeof accountId !== 'string' || accountId === '')
      throw new Error(`job ${name}: data has no accountId (${JSON.stringify(data)})`);
    return { name, accountId };
  }
  if (isGlobalJob(name)) return { name };
  throw new Error(`unknown job "${name}": expected one of ${JOB_NAMES.join(', ')}`);
}

export type QueuePolicy = {
  /** A job still marked active this long after it started is failed and retried (pg-boss expiry). */
  expireInSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
};

// Expiry is the last resort after a crash (the reaper in pg-boss-worker.ts finds dead workers sooner), so
// it only has to exceed the longest honest run: a first 90-day sync of a large account takes minutes.
const ACCOUNT_POLICY: Record<AccountJobName, QueuePolicy> = {
  sync: { expireInSeconds: 2 * 3600, retryLimit: 4, retryDelaySeconds: 5 },
  decide: { expireInSeconds: 30 * 60, retryLimit: 4, retryDelaySeconds: 5 },
  // Longer than meta-write's 20-minute send lease, so a slow write is never retried while in flight.
  apply: { expireInSeconds: 45 * 60, retryLimit: 4, retryDelaySeconds: 10 },
};
const GLOBAL_POLICY: QueuePolicy = { expireInSeconds: 3600, retryLimit: 2, retryDelaySeconds: 30 };

export function queuePolicy(name: JobName): QueuePolicy {
  return isAccountJob(name) ? ACCOUNT_POLICY[name] : GLOBAL_POLICY;
}
