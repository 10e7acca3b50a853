import type { AnalystRun } from '../../services/analyst/analyst.service.ts';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../adapters/db/database.ts';
import { reviewAndApply } from '../../services/approve-and-apply.service.ts';
import type { ApplyDeps } from '../../services/apply.service.ts';
import { listHistory } from '../../services/history.service.ts';
import { outcomeSummary } from '../../services/outcomes.service.ts';
import { listRecommendations, runRecommendations } from '../../services/recommendations.service.ts';
import { userActorOf } from '../auth-guard.ts';
import type { ListCache } from '../list-cache.ts';
import { registerApiRoute } from '../api-route.ts';
import { API_ROUTES } from '../api-routes.ts';
import type { JobLocks } from '../../jobs/locks.ts';

/** Recommendations: the list, review (one or many), a run on demand, history and outcomes. */
export function registerRecommendationsRoutes(
  app: FastifyInstance,
  deps: {
    db: Db;
    now(): Date;
    cache: ListCache;
    /** With the account locks, so an approval applied now never overlaps a scheduled job of the account. */
    meta: ApplyDeps & { accountLocks?: JobLocks | undefined };
    /** A fresh Claude analyst per engine run, when one is configured. */
    analyst?: () => AnalystRun | undefined;
    /** Whether runs use the learning models (ML_ENABLED). */
    ml?: boolean;
  },
): void {
  // The same URL is the same page for every signed-in user: pages are cached until the data changes.
  registerApiRoute(app, API_ROUTES.listRecommendations, ({ query, request }) =>
    deps.cache.through(request.url, () =>
      listRecommendations(deps.db, {
        accountId: query.account,
        actions: query.action,
        confidences: query.confidence,
        audiences: query.audience,
        stages: query.stage,
        statuses: query.status,
        from: query.from,
        before: query.to,
        after: query.cursor,
        limit: query.limit,
      }),
    ),
  );
  // Approving hands the recommendation to the apply service; the account's mode decides if it is sent.
  registerApiRoute(app, API_ROUTES.approveRecommendation, ({ params, body, request }) =>
    reviewAndApply(deps.meta, {
      ids: [params.id],
      decision: 'approve',
      comment: body.comment,
      actor: userActorOf(request),
      now: deps.now(),
    }),
  );
  registerApiRoute(app, API_ROUTES.rejectRecommendation, ({ params, body, request }) =>
    reviewAndApply(deps.meta, {
      ids: [params.id],
      decision: 'reject',
      comment: body.comment,
      actor: userActorOf(request),
      now: deps.now(),
    }),
  );
  registerApiRoute(app, API_ROUTES.reviewRecommendations, ({ body, request }) =>
    reviewAndApply(deps.meta, {
      ids: body.ids,
      decision: body.decision,
      comment: body.comment,
      actor: userActorOf(request),
      now: deps.now(),
    }),
  );
  registerApiRoute(app, API_ROUTES.runRecommendations, ({ body }) =>
    runRecommendations(deps.db, {
      accountId: body.accountId,
      now: deps.now(),
      analyst: deps.analyst?.(),
      ml: deps.ml,
    }),
  );
  registerApiRoute(app, API_ROUTES.history, ({ query, request }) =>
    deps.cache.through(request.url, () =>
      listHistory(deps.db, {
        accountId: query.account,
        from: query.from,
        before: query.to,
        after: query.cursor,
        limit: query.limit,
      }),
    ),
  );
  registerApiRoute(app, API_ROUTES.outcomes, ({ query }) => outcomeSummary(deps.db, query.account));
}
