import { z } from 'zod';
import type { Market } from '../market/market.ts';
import type { AdSetDayTruth, AdSetDecision, AdSetLatent, DriftEvent } from '../market/types.ts';
import type { WriteLogEntry } from './graph-nodes.ts';
import { FaultSpecError, faultSpecSchema, toFaultSpec, type FaultSpec } from './faults.ts';
import type { GraphApp } from './graph-app.ts';
import { SCOPES, type TokenType } from './tokens.ts';

/** How far `advance` moves the simulated clock; each midnight crossed simulates one market day. */
export type AdvanceBy = { days?: number; hours?: number; minutes?: number };

export type FakeGraphState = {
  day: number;
  /** The simulated today (no delivery data yet); insights cover the days before it. */
  date: string;
  simTime: string;
  apiVersion: string;
  accountId: string;
  scenario: string;
  seed: number;
  horizonDays: number;
  faults: FaultSpec;
};

/** Everything the fake knows, for tests: latent parameters, true outcomes, configuration, writes. */
export type GroundTruth = {
  state: FakeGraphState;
  latent: readonly AdSetLatent[];
  driftEvents: readonly DriftEvent[];
  /** True per-day outcome of every market ad set, keyed by ad set id. */
  days: Record<string, readonly AdSetDayTruth[]>;
  campaigns: {
    id: string;
    name: string;
    status: string;
    effectiveStatus: string;
    isCbo: boolean;
    dailyBudgetCents: number | null;
    adSetIds: string[];
  }[];
  adSets: {
    id: string;
    name: string;
    campaignId: string;
    audienceType: string;
    status: string;
    effectiveStatus: string;
    dailyBudgetCents: number | null;
    isPlaceholder: boolean;
    isDelivering: boolean;
  }[];
  ads: { id: string; adSetId: string; status: string; effectiveStatus: string; isPlaceholder: boolean }[];
  /** The market decisions the next simulated day will run with. */
  nextDecisions: AdSetDecision[];
  correctedDecisions: number;
  writes: readonly WriteLogEntry[];
};

export type IssueTokenOptions = {
  type?: TokenType;
  scopes?: readonly string[];
  expiresInSeconds?: number | null;
};

/** Test and demo controls; the same operations back the `/__control/...` HTTP routes. */
export type FakeGraphControl = {
  readonly market: Market;
  state(): FakeGraphState;
  advance(by: AdvanceBy): FakeGraphState;
  faults(): FaultSpec;
  /** Replaces the active faults (a spec object or the compact `--faults` string). */
  setFaults(spec: FaultSpec | string): FaultSpec;
  truth(): GroundTruth;
  writes(): readonly WriteLogEntry[];
  issueToken(options?: IssueTokenOptions): string;
  expireToken(token: string): boolean;
  revokeToken(token: string): boolean;
  resetUsage(): void;
};

const advanceSchema = z
  .object({
    days: z.number().int().min(0).max(3650).optional(),
    hours: z.number().min(0).optional(),
    minutes: z.number().min(0).optional(),
  })
  .strict();

const tokenSchema = z
  .object({
    type: z.enum(['USER', 'SYSTEM_USER']).optional(),
    scopes: z.array(z.enum(SCOPES)).optional(),
    expiresInSeconds: z.number().int().min(0).nullable().optional(),
  })
  .strict();

const tokenActionSchema = z.object({ token: z.string().min(1) }).strict();
const faultsBodySchema = z.union([z.object({ spec: z.string() }).strict(), faultSpecSchema]);

export function createControl(app: GraphApp): FakeGraphControl {
  const account = app.account;
  const state = (): FakeGraphState => ({
    day: account.day,
    date: account.today,
    simTime: account.graphTime(account.nowMs()),
    apiVersion: app.apiVersion,
    accountId: `act_${account.accountId}`,
    scenario: account.scenario.name,
    seed: account.market.seed,
    horizonDays: account.scenario.horizonDays,
    faults: app.faults.current,
  });
  return {
    market: account.market,
    state,
    advance(by) {
      const parsed = advanceSchema.parse(by);
      account.advance(parsed);
      return state();
    },
    faults: () => app.faults.current,
    setFaults(spec) {
      app.faults.set(toFaultSpec(spec));
      return app.faults.current;
    },
    truth() {
      const days: Record<string, readonly AdSetDayTruth[]> = {};
      account.market.latent.forEach((adSet, i) => {
        days[adSet.id] = account.market.truth[i] ?? [];
      });
      return {
        state: state(),
        latent: account.market.latent,
        driftEvents: account.market.driftEvents,
        days,
        campaigns: [...account.campaigns.values()].map((c) => ({
          id: c.id,
          name: c.name,
          status: c.status,
          effectiveStatus: account.campaignEffectiveStatus(c),
          isCbo: account.isCbo(c),
          dailyBudgetCents: c.dailyBudgetCents,
          adSetIds: [...c.adSetIds],
        })),
        adSets: [...account.adSets.values()].map((a) => ({
          id: a.id,
          name: a.name,
          campaignId: a.campaignId,
          audienceType: a.audienceType,
          status: a.status,
          effectiveStatus: account.adSetEffectiveStatus(a),
          dailyBudgetCents: a.dailyBudgetCents,
          isPlaceholder: a.marketIndex === null,
          isDelivering: account.isDelivering(a),
        })),
        ads: [...account.ads.values()].map((a) => ({
          id: a.id,
          adSetId: a.adSetId,
          status: a.status,
          effectiveStatus: account.adEffectiveStatus(a),
          isPlaceholder: a.marketIndex === null,
        })),
        nextDecisions: account.decisions(),
        correctedDecisions: account.market.correctedDecisions,
        writes: account.writeLog,
      };
    },
    writes: () => account.writeLog,
    issueToken(options = {}) {
      const parsed = tokenSchema.parse(options);
      return app.tokens.issue({
        type: parsed.type ?? 'USER',
        scopes: parsed.scopes ?? ['ads_read', 'ads_management', 'business_management'],
        expiresInSeconds: parsed.expiresInSeconds === undefined ? null : parsed.expiresInSeconds,
      }).token;
    },
    expireToken: (token) => app.tokens.expire(token),
    revokeToken: (token) => app.tokens.revoke(token),
    resetUsage: () => app.usage.reset(),
  };
}

export type ControlResponse = { status: number; body: unknown };

/** Routes listed by `GET /__control`. */
export const CONTROL_ROUTES = [
  'GET    /__control/state',
  'POST   /__control/advance          {"days"?: n, "hours"?: n, "minutes"?: n}',
  'GET    /__control/faults',
  'POST   /__control/faults           {"spec": "throttle:0.1,..."} or a FaultSpec object (replaces)',
  'DELETE /__control/faults',
  'GET    /__control/truth',
  'GET    /__control/writes',
  'POST   /__control/tokens           {"type"?: "USER"|"SYSTEM_USER", "scopes"?: [...], "expiresInSeconds"?: n|null}',
  'POST   /__control/tokens/expire    {"token": "..."}',
  'POST   /__control/tokens/revoke    {"token": "..."}',
  'POST   /__control/usage/reset',
] as const;

/** The `/__control/...` HTTP routes (not part of Meta's API; no token needed, 127.0.0.1 only). */
export function handleControl(
  control: FakeGraphControl,
  method: string,
  path: string,
  body: unknown,
): ControlResponse {
  const route = `${method.toUpperCase()} ${path.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'GET /__control':
        return { status: 200, body: { routes: CONTROL_ROUTES } };
      case 'GET /__control/state':
        return { status: 200, body: control.state() };
      case 'POST /__control/advance':
        return { status: 200, body: control.advance(advanceSchema.parse(body ?? {})) };
      case 'GET /__control/faults':
        return { status: 200, body: { faults: control.faults() } };
      case 'PUT /__control/faults':
      case 'POST /__control/faults': {
        const parsed = faultsBodySchema.parse(body ?? {});
        return { status: 200, body: { faults: control.setFaults('spec' in parsed ? parsed.spec : parsed) } };
      }
      case 'DELETE /__control/faults':
        return { status: 200, body: { faults: control.setFaults({}) } };
      case 'GET /__control/truth':
        return { status: 200, body: control.truth() };
      case 'GET /__control/writes':
        return { status: 200, body: { writes: control.writes() } };
      case 'POST /__control/tokens': {
        const options = tokenSchema.parse(body ?? {});
        return { status: 200, body: { access_token: control.issueToken(options) } };
      }
      case 'POST /__control/tokens/expire':
        return { status: 200, body: { success: control.expireToken(tokenActionSchema.parse(body).token) } };
      case 'POST /__control/tokens/revoke':
        return { status: 200, body: { success: control.revokeToken(tokenActionSchema.parse(body).token) } };
      case 'POST /__control/usage/reset':
        control.resetUsage();
        return { status: 200, body: { success: true } };
      default:
        return {
          status: 404,
          body: { error: { message: `No control route ${route}`, routes: CONTROL_ROUTES } },
        };
    }
  } catch (error) {
    if (error instanceof z.ZodError) {
      const message = error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      return { status: 400, body: { error: { message } } };
    }
    if (error instanceof FaultSpecError) return { status: 400, body: { error: { message: error.message } } };
    throw error;
  }
}
