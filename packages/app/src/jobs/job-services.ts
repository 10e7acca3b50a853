// The services the global jobs and the decide job call beyond sync, recommend and apply. Passed in
// (not imported by the handlers) so tests can substitute them.
import type { AppContext } from '../main.ts';
import { runHealthChecks } from '../services/health-checks.service.ts';
import { dispatchNotifications, notifyDecisionRun } from '../services/notifications.service.ts';
import { trainModels, type AccountTraining } from '../services/models/model-training.service.ts';
import { measureOutcomes } from '../services/outcomes.service.ts';

export type JobServices = {
  /** Records the 3- and 7-day outcomes of recommendations that reached their horizon. */
  measureOutcomes(context: AppContext): Promise<unknown>;
  /** Checks every account's health, alerts on new problems, trips kill switches. */
  runHealthChecks(context: AppContext): Promise<unknown>;
  /** Sends the pending Slack notifications (batched, rate limited, retried). */
  dispatchNotifications(context: AppContext): Promise<unknown>;
  /** Queues the run summary (pauses, scales, promotions) of a stored decision run. */
  notifyDecisionRun(context: AppContext, run: { accountId: string; runId: string }): Promise<unknown>;
  /** Trains and registers every account's learning models (`roas train`). */
  trainModels(context: AppContext): Promise<AccountTraining[]>;
};

export const defaultJobServices: JobServices = {
  measureOutcomes: (context) => measureOutcomes(context.database.db, { now: context.meta.now() }),
  runHealthChecks: (context) => runHealthChecks(context, { now: context.meta.now() }),
  dispatchNotifications: (context) => dispatchNotifications(context, { now: context.meta.now() }),
  notifyDecisionRun: (context, run) => notifyDecisionRun(context, run),
  trainModels: (context) => trainModels(context.database.db, { now: context.meta.now() }),
};
