import type { Config } from '../config.ts';
import type { GlobalJobName } from './job-definitions.ts';

/** Cron expressions are read in UTC by both runners, so a schedule means the same on every machine. */
export const CRON_TIMEZONE = 'UTC';

export type ScheduleEntry = { job: GlobalJobName; cron: string };

/** The configured schedule: every account synced (each then decided and applied), outcomes, health, notifications. */
export function scheduleFrom(
  config: Pick<Config, 'syncCron' | 'outcomesCron' | 'healthCron' | 'notifyCron' | 'trainCron'>,
): ScheduleEntry[] {
  return [
    { job: 'sync-all', cron: config.syncCron },
    { job: 'outcomes', cron: config.outcomesCron },
    { job: 'health', cron: config.healthCron },
    { job: 'notify', cron: config.notifyCron },
    { job: 'train', cron: config.trainCron },
  ];
}

const LABELS: Record<ScheduleEntry['job'], string> = {
  'sync-all': 'sync every account (then decide and apply)',
  outcomes: 'outcomes',
  health: 'health',
  notify: 'notifications',
  train: 'model training',
};

/** One line for the server's start message: each job and its cron. */
export function describeSchedule(schedule: readonly ScheduleEntry[]): string {
  return `${schedule.map((e) => `${LABELS[e.job]} "${e.cron}"`).join(', ')} (cron in ${CRON_TIMEZONE})`;
}
