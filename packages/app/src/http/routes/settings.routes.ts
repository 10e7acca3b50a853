import type { FastifyInstance } from 'fastify';
import type { Db } from '../../adapters/db/database.ts';
import {
  diffSettingsVersions,
  listSettingsVersions,
  settingsView,
  toVersionView,
  updateSettings,
  validateRulesText,
} from '../../services/settings.service.ts';
import {
  approveThresholdProposal,
  listThresholdProposals,
  rejectThresholdProposal,
} from '../../services/threshold-proposals.service.ts';
import { userActorOf } from '../auth-guard.ts';
import { registerApiRoute } from '../api-route.ts';
import { API_ROUTES } from '../api-routes.ts';

/** The engine's rules: read, validate, save a new version, list versions and compare two. */
export function registerSettingsRoutes(app: FastifyInstance, deps: { db: Db; now(): Date }): void {
  registerApiRoute(app, API_ROUTES.getSettings, ({ query }) => settingsView(deps.db, query.account));
  registerApiRoute(app, API_ROUTES.validateSettings, ({ body }) => validateRulesText(body.yaml));
  registerApiRoute(app, API_ROUTES.updateSettings, ({ body, request }) =>
    updateSettings(
      deps.db,
      { yaml: body.yaml, document: body.document, comment: body.comment, accountId: body.account },
      { actor: userActorOf(request), now: deps.now() },
    ),
  );
  registerApiRoute(app, API_ROUTES.settingsVersions, async ({ query }) => ({
    versions: (await listSettingsVersions(deps.db, { scope: query.account })).reverse().map(toVersionView),
  }));
  registerApiRoute(app, API_ROUTES.settingsDiff, async ({ query }) => {
    const diff = await diffSettingsVersions(deps.db, query.from, query.to);
    return {
      from: diff.from === null ? null : toVersionView(diff.from),
      to: diff.to === null ? null : toVersionView(diff.to),
      changes: diff.changes,
    };
  });
  registerApiRoute(app, API_ROUTES.thresholdProposals, async ({ query }) => ({
    proposals: await listThresholdProposals(deps.db, { accountId: query.account, status: query.status }),
  }));
  registerApiRoute(app, API_ROUTES.approveThresholdProposal, ({ params, request }) =>
    approveThresholdProposal(deps.db, params.id, { actor: userActorOf(request), now: deps.now() }),
  );
  registerApiRoute(app, API_ROUTES.rejectThresholdProposal, async ({ params, request }) => ({
    proposal: await rejectThresholdProposal(deps.db, params.id, {
      actor: userActorOf(request),
      now: deps.now(),
    }),
    settingsVersion: null,
  }));
}
