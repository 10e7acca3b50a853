import type { NodeType } from './fields.ts';
import { graphErrors } from './graph-error.ts';

export const ASYNC_STATUSES = [
  'Job Not Started',
  'Job Started',
  'Job Running',
  'Job Completed',
  'Job Failed',
] as const;
export type AsyncStatus = (typeof ASYNC_STATUSES)[number];

export type ReportRun = {
  kind: 'report-run';
  id: string;
  accountId: string;
  createdMs: number;
  completedMs: number | null;
  dateStart: string;
  dateStop: string;
  /** The result, computed when the run was created (the simulated clock does not move while it runs). */
  rows: Record<string, unknown>[];
  willFail: boolean;
  polls: number;
  status: AsyncStatus;
  percent: number;
};

/**
 * Async insights jobs (meta-graph-api.md 4): each `GET /{report_run_id}` is one poll, and a run moves
 * through "Job Not Started", "Job Started", "Job Running" (rising percent) to "Job Completed" (or
 * "Job Failed" under the job-fail fault) after `pollsToComplete` polls. "Job Skipped" is never produced.
 */
export class ReportRuns {
  private readonly runs = new Map<string, ReportRun>();
  private counter = 0;

  constructor(readonly pollsToComplete: number) {}

  create(
    input: Pick<ReportRun, 'accountId' | 'createdMs' | 'dateStart' | 'dateStop' | 'rows' | 'willFail'>,
  ): ReportRun {
    this.counter++;
    const run: ReportRun = {
      kind: 'report-run',
      id: `60254895${String(this.counter).padStart(8, '0')}`,
      completedMs: null,
      polls: 0,
      status: 'Job Not Started',
      percent: 0,
      ...input,
    };
    this.runs.set(run.id, run);
    if (this.pollsToComplete === 0) this.finish(run, input.createdMs);
    return run;
  }

  get(id: string): ReportRun | undefined {
    return this.runs.get(id);
  }

  private finish(run: ReportRun, nowMs: number): void {
    run.status = run.willFail ? 'Job Failed' : 'Job Completed';
    run.percent = run.willFail ? run.percent : 100;
    run.completedMs = nowMs;
  }

  /** One status read: moves the run a step along its lifecycle. */
  poll(run: ReportRun, nowMs: number): void {
    if (run.status === 'Job Completed' || run.status === 'Job Failed') return;
    run.polls++;
    const n = this.pollsToComplete;
    if (run.polls > n) {
      this.finish(run, nowMs);
    } else if (run.polls === 1) {
      run.status = 'Job Not Started';
      run.percent = 0;
    } else if (run.polls === 2) {
      run.status = 'Job Started';
      run.percent = 0;
    } else {
      run.status = 'Job Running';
      run.percent = Math.min(99, Math.round((100 * (run.polls - 2)) / Math.max(1, n - 1)));
    }
  }

  /** The rows of a completed run, or the error for a run that is not done or failed. */
  rowsOf(run: ReportRun): Record<string, unknown>[] {
    // Meta's error for reading an unfinished or failed run is not in the document; (#100) is a guess.
    if (run.status === 'Job Failed')
      throw graphErrors.invalidParameter(`Report run ${run.id} failed; create a new one`);
    if (run.status !== 'Job Completed') {
      throw graphErrors.invalidParameter(`Report run ${run.id} is not complete yet (${run.status})`);
    }
    return run.rows;
  }
}

export function reportRunType(time: (ms: number) => string): NodeType<ReportRun> {
  const isFailed = (r: ReportRun): boolean => r.status === 'Job Failed';
  return {
    name: 'AdReportRun',
    defaults: [
      'id',
      'account_id',
      'time_ref',
      'time_completed',
      'async_status',
      'async_percent_completion',
      'date_start',
      'date_stop',
      'is_running',
      'error_code',
      'error_message',
    ],
    fields: {
      id: (r) => r.id,
      account_id: (r) => r.accountId,
      time_ref: (r) => Math.floor(r.createdMs / 1000),
      time_completed: (r) => (r.completedMs === null ? undefined : Math.floor(r.completedMs / 1000)),
      async_status: (r) => r.status,
      async_percent_completion: (r) => r.percent,
      date_start: (r) => r.dateStart,
      date_stop: (r) => r.dateStop,
      is_running: (r) => r.status === 'Job Started' || r.status === 'Job Running',
      schedule_id: () => undefined,
      created_time: (r) => time(r.createdMs),
      // The failure fields exist on AdReportRun [SRC]; their values here are invented.
      error_code: (r) => (isFailed(r) ? 1 : undefined),
      error_message: (r) => (isFailed(r) ? 'An unknown error occurred while running the report' : undefined),
      error_subcode: (r) => (isFailed(r) ? 99 : undefined),
      error_user_title: (r) => (isFailed(r) ? 'Report failed' : undefined),
      error_user_msg: (r) =>
        isFailed(r) ? 'The report could not be completed. Please try again.' : undefined,
    },
  };
}
