import type { FastifyInstance } from 'fastify';
import type { Db } from '../../adapters/db/database.ts';
import { modelsView } from '../../services/models/models-view.service.ts';
import { registerApiRoute } from '../api-route.ts';
import { API_ROUTES } from '../api-routes.ts';

/** The learning models: which an account uses, and how accurate each was on its holdout. */
export function registerModelsRoutes(app: FastifyInstance, deps: { db: Db; mlEnabled: boolean }): void {
  registerApiRoute(app, API_ROUTES.models, ({ query }) =>
    modelsView(deps.db, { accountId: query.account, mlEnabled: deps.mlEnabled }),
  );
}
