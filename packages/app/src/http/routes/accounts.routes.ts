import type { FastifyInstance } from 'fastify';
import type { Db } from '../../adapters/db/database.ts';
import { accountHealth } from '../../services/account-health.service.ts';
import { listAccountSummaries } from '../../services/accounts.service.ts';
import { entityDetail, listAccountAdsets } from '../../services/entity-views.service.ts';
import { registerApiRoute } from '../api-route.ts';
import { API_ROUTES } from '../api-routes.ts';

/** Accounts, their ad sets and health; ad set and ad detail. */
export function registerAccountsRoutes(app: FastifyInstance, deps: { db: Db; now(): Date }): void {
  registerApiRoute(app, API_ROUTES.listAccounts, async () => ({
    accounts: await listAccountSummaries(deps.db),
  }));
  registerApiRoute(app, API_ROUTES.accountAdsets, ({ params, query }) =>
    listAccountAdsets(deps.db, params.id, query),
  );
  registerApiRoute(app, API_ROUTES.accountHealth, ({ params }) =>
    accountHealth(deps.db, params.id, deps.now()),
  );
  registerApiRoute(app, API_ROUTES.adsetDetail, ({ params, query }) =>
    entityDetail(deps.db, { level: 'adset', id: params.id }, { days: query.days, now: deps.now() }),
  );
  registerApiRoute(app, API_ROUTES.adDetail, ({ params, query }) =>
    entityDetail(deps.db, { level: 'ad', id: params.id }, { days: query.days, now: deps.now() }),
  );
}
