import type { Logger } from 'pino';
import type { AppContext } from '../main.ts';
import type { JobRequest } from './job-definitions.ts';
import type { JobServices } from './job-services.ts';

/** What a job handler gets: the application, the substitutable services, and which job this is. */
export type JobEnv = {
  context: AppContext;
  services: JobServices;
  /** Stable across retries of the same job (the decide job names its recommendation run with it). */
  jobId: string;
  logger: Logger;
};

/**
 * `done`: the work happened; `skipped`: there was nothing to do or it cannot be done (no such account,
 * a blocked token, no data), and retrying would not help. Either way `next` is queued afterwards.
 * A handler throws when retrying may help; the run is recorded as failed.
 */
export type JobResult = {
  status: 'done' | 'skipped';
  summary: Record<string, unknown>;
  next: JobRequest[];
};

export const skipped = (reason: string, summary: Record<string, unknown> = {}): JobResult => ({
  status: 'skipped',
  summary: { ...summary, reason },
  next: [],
});

/** The top-level numbers and strings of a service's answer, for the run's summary (never the whole answer). */
export function briefly(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return { items: value.length };
  if (typeof value !== 'object' || value === null) return { result: value ?? null };
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (['number', 'string', 'boolean'].includes(typeof field) || field === null) out[key] = field;
    else if (Array.isArray(field)) out[key] = field.length;
  }
  return out;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
export { message as errorMessage };
