import { z } from 'zod';
import { formatCents } from '../market/report.ts';
import type { FakeAccount } from './fake-account.ts';
import { GraphError, graphErrors } from './graph-error.ts';
import {
  OBJECT_STATUSES,
  type AdNode,
  type AdSetNode,
  type CampaignNode,
  type ObjectStatus,
} from './graph-nodes.ts';
import { HOUR_MS } from './sim-clock.ts';

/** At most 4 budget changes per ad set per hour; the 5th blocks budget changes for an hour (meta-graph-api.md 6.2). */
export const BUDGET_CHANGES_PER_HOUR = 4;
/** Budgets above the equivalent of USD 1M are refused (7.1); the fake applies it in any currency. */
const MAX_BUDGET_CENTS = 100_000_000;
/** A synchronous copy handles at most 3 objects, the ad set and its ads together (7.2, [OBS]). */
const MAX_SYNC_COPY_OBJECTS = 3;

const CURRENCY_SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', AUD: 'A$', CAD: 'C$' };

export type WriteContext = {
  account: FakeAccount;
  path: string;
  params: Record<string, string>;
};

/** The write acknowledgement, `{"success":true}` [MEM/OBS in 7.1]. */
type Success = { success: true };

/** Runs a write, recording it (accepted or refused) in the account's write log. */
function logged<T>(ctx: WriteContext, objectId: string, write: () => T): T {
  const params = Object.fromEntries(Object.entries(ctx.params).filter(([key]) => key !== 'access_token'));
  try {
    const result = write();
    ctx.account.logWrite({ method: 'POST', path: ctx.path, objectId, params, outcome: 'ok' });
    return result;
  } catch (error) {
    if (error instanceof GraphError) {
      ctx.account.logWrite({
        method: 'POST',
        path: ctx.path,
        objectId,
        params,
        outcome: 'error',
        error: {
          code: error.code,
          ...(error.subcode === undefined ? {} : { subcode: error.subcode }),
          message: error.message,
        },
      });
    }
    throw error;
  }
}

function isValidateOnly(params: Record<string, string>): boolean {
  return (params.execution_options ?? '').includes('validate_only');
}

function parseStatus(raw: string | undefined): ObjectStatus | undefined {
  if (raw === undefined) return undefined;
  const status = raw.toUpperCase();
  if (!(OBJECT_STATUSES as readonly string[]).includes(status)) {
    throw graphErrors.invalidParameter('Param status must be one of {ACTIVE, PAUSED, DELETED, ARCHIVED}');
  }
  return status as ObjectStatus;
}

function parseBudget(raw: string | undefined, name = 'daily_budget'): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(value) || value < 0) {
    throw graphErrors.invalidParameter(
      `Param ${name} must be a non-negative integer in the currency's minor unit`,
    );
  }
  return value;
}

function minimumText(account: FakeAccount, cents: number): string {
  const symbol = CURRENCY_SYMBOLS[account.currency] ?? account.currency;
  return `${symbol}${formatCents(cents)}`;
}

function checkBudgetRange(account: FakeAccount, cents: number, minimumCents: number): void {
  if (cents < minimumCents) throw graphErrors.budgetTooLow(minimumText(account, minimumCents));
  if (cents > MAX_BUDGET_CENTS) throw graphErrors.budgetTooHigh();
}

/** Enforces 4 budget changes per ad set per rolling hour of simulated time; returns the changes still in the window. */
function checkBudgetRate(adSet: AdSetNode, now: number): number[] {
  if (now < adSet.budgetBlockedUntilMs) {
    throw graphErrors.budgetChangeLimit(Math.max(1, Math.ceil((adSet.budgetBlockedUntilMs - now) / 60_000)));
  }
  const recent = adSet.budgetChanges.filter((at) => at > now - HOUR_MS);
  if (recent.length >= BUDGET_CHANGES_PER_HOUR) {
    adSet.budgetBlockedUntilMs = now + HOUR_MS;
    throw graphErrors.budgetChangeLimit(60);
  }
  return recent;
}

function rejectLifetimeBudget(params: Record<string, string>): void {
  if (params.lifetime_budget !== undefined && params.lifetime_budget !== '0') {
    throw graphErrors.invalidParameter(
      'lifetime_budget is not supported by the fake Graph API (daily budgets only)',
    );
  }
}

/**
 * `POST /{adset_id}` with `daily_budget` and/or `status` (meta-graph-api.md 7.1). Checks run in the
 * order CBO conflict, minimum, maximum, change rate (the document does not give Meta's order), and a
 * refused write changes nothing. Budgets take effect on the next simulated day.
 */
export function updateAdSet(ctx: WriteContext, adSet: AdSetNode): Success {
  return logged(ctx, adSet.id, () => {
    const { account, params } = ctx;
    const status = parseStatus(params.status);
    const budget = parseBudget(params.daily_budget);
    rejectLifetimeBudget(params);
    const now = account.nowMs();
    let recent: number[] = [];
    if (budget !== undefined) {
      if (account.isCbo(account.campaignOf(adSet))) throw graphErrors.cboConflict();
      checkBudgetRange(account, budget, account.minDailyBudgetCents);
      recent = checkBudgetRate(adSet, now);
    }
    if (isValidateOnly(params)) return { success: true };
    if (budget !== undefined) {
      // Every accepted write counts, even one that repeats the current budget (hence "skip unchanged writes" in 6.5).
      adSet.budgetChanges = [...recent, now];
      adSet.dailyBudgetCents = budget;
    }
    if (status !== undefined) adSet.status = status;
    if (params.name !== undefined && params.name !== '') adSet.name = params.name;
    adSet.updatedMs = now;
    return { success: true };
  });
}

const adSetBudgetsSchema = z.array(
  z.object({ adset_id: z.union([z.string(), z.number()]), daily_budget: z.union([z.string(), z.number()]) }),
);

/**
 * `POST /{campaign_id}` with `status`, `daily_budget` (CBO only) or `adset_budgets` (CBO to ABO, [OBS]).
 * A CBO budget must fund every ad set at the minimum (a guess: the document gives only the ad set floor);
 * campaign budget edits are not rate-limited (the document states the limit for ad sets only).
 */
export function updateCampaign(ctx: WriteContext, campaign: CampaignNode): Success {
  return logged(ctx, campaign.id, () => {
    const { account, params } = ctx;
    const status = parseStatus(params.status);
    const budget = parseBudget(params.daily_budget);
    rejectLifetimeBudget(params);
    const members = campaign.adSetIds
      .map((id) => account.adSets.get(id))
      .filter((node): node is AdSetNode => node !== undefined && node.status !== 'DELETED');
    if (budget !== undefined) {
      if (!account.isCbo(campaign)) {
        // Meta's error for a campaign budget on a campaign whose ad sets hold budgets is not documented.
        throw graphErrors.invalidParameter('Invalid parameter', {
          userTitle: 'Campaign Budget Not Available',
          userMsg:
            "This campaign's ad sets have their own budgets. Use Advantage campaign budget to set a campaign budget.",
        });
      }
      checkBudgetRange(account, budget, account.minDailyBudgetCents * Math.max(1, members.length));
    }
    let adSetBudgets: { node: AdSetNode; cents: number }[] | null = null;
    if (params.adset_budgets !== undefined) {
      if (!account.isCbo(campaign))
        throw graphErrors.invalidParameter(
          'adset_budgets is only valid on a campaign with a campaign budget',
        );
      let raw: unknown;
      try {
        raw = JSON.parse(params.adset_budgets);
      } catch {
        raw = null;
      }
      const parsed = adSetBudgetsSchema.safeParse(raw);
      if (!parsed.success)
        throw graphErrors.invalidParameter(
          'Param adset_budgets must be an array of {adset_id, daily_budget}',
        );
      adSetBudgets = parsed.data.map((entry) => {
        const node = members.find((m) => m.id === String(entry.adset_id));
        if (!node)
          throw graphErrors.invalidParameter(
            `Ad set ${String(entry.adset_id)} is not in campaign ${campaign.id}`,
          );
        const cents = parseBudget(String(entry.daily_budget)) ?? 0;
        checkBudgetRange(account, cents, account.minDailyBudgetCents);
        return { node, cents };
      });
      if (adSetBudgets.length !== members.length) {
        throw graphErrors.invalidParameter(
          'adset_budgets must give a daily_budget for every ad set of the campaign',
        );
      }
    }
    if (isValidateOnly(params)) return { success: true };
    const now = account.nowMs();
    if (adSetBudgets) {
      campaign.dailyBudgetCents = null;
      for (const { node, cents } of adSetBudgets) {
        node.dailyBudgetCents = cents;
        node.updatedMs = now;
      }
    }
    if (budget !== undefined) campaign.dailyBudgetCents = budget;
    if (status !== undefined) campaign.status = status;
    if (params.name !== undefined && params.name !== '') campaign.name = params.name;
    campaign.updatedMs = now;
    return { success: true };
  });
}

/** `POST /{ad_id}` with `status` (and `name`). Pausing every market ad of an ad set stops its delivery. */
export function updateAd(ctx: WriteContext, ad: AdNode): Success {
  return logged(ctx, ad.id, () => {
    const status = parseStatus(ctx.params.status);
    if (isValidateOnly(ctx.params)) return { success: true };
    if (status !== undefined) ad.status = status;
    if (ctx.params.name !== undefined && ctx.params.name !== '') ad.name = ctx.params.name;
    ad.updatedMs = ctx.account.nowMs();
    return { success: true };
  });
}

/** `DELETE /{id}`: the object keeps existing with status DELETED, hidden from default listings. */
export function deleteNode(ctx: WriteContext, node: CampaignNode | AdSetNode | AdNode): Success {
  return logged(ctx, node.id, () => {
    node.status = 'DELETED';
    node.updatedMs = ctx.account.nowMs();
    return { success: true };
  });
}

type RenameOptions = { strategy: string; prefix: string; suffix: string };

function parseCopyOptions(params: Record<string, string>): {
  status: (source: ObjectStatus) => ObjectStatus;
  rename: RenameOptions;
} {
  const option = (params.status_option ?? 'PAUSED').toUpperCase();
  if (!['ACTIVE', 'PAUSED', 'INHERITED_FROM_SOURCE'].includes(option)) {
    throw graphErrors.invalidParameter(
      'Param status_option must be one of {ACTIVE, PAUSED, INHERITED_FROM_SOURCE}',
    );
  }
  let rename: RenameOptions = { strategy: 'ONLY_TOP_LEVEL_RENAME', prefix: '', suffix: ' - Copy' };
  if (params.rename_options !== undefined && params.rename_options !== '') {
    try {
      const raw = JSON.parse(params.rename_options) as Record<string, unknown>;
      rename = {
        strategy: typeof raw.rename_strategy === 'string' ? raw.rename_strategy : rename.strategy,
        prefix: typeof raw.rename_prefix === 'string' ? raw.rename_prefix : '',
        suffix: typeof raw.rename_suffix === 'string' ? raw.rename_suffix : '',
      };
    } catch {
      throw graphErrors.invalidParameter('Param rename_options must be a JSON object');
    }
  }
  return {
    status: (source) => (option === 'INHERITED_FROM_SOURCE' ? source : (option as ObjectStatus)),
    rename,
  };
}

function renamed(name: string, rename: RenameOptions, isTopLevel: boolean): string {
  if (rename.strategy === 'NO_RENAME' || (!isTopLevel && rename.strategy !== 'DEEP_RENAME')) return name;
  return `${rename.prefix}${name}${rename.suffix}`;
}

function copyAdInto(
  ctx: WriteContext,
  source: AdNode,
  target: AdSetNode,
  status: ObjectStatus,
  name: string,
): AdNode {
  const now = ctx.account.nowMs();
  const copy: AdNode = {
    kind: 'ad',
    id: ctx.account.nextCopyId('ad'),
    name,
    adSetId: target.id,
    status,
    creativeId: source.creativeId,
    // A copy is a placeholder outside the market: it never delivers, so it never has insights.
    marketIndex: null,
    createdMs: now,
    updatedMs: now,
    copiedFrom: source.id,
  };
  ctx.account.ads.set(copy.id, copy);
  target.adIds.push(copy.id);
  return copy;
}

/**
 * `POST /{adset_id}/copies` (meta-graph-api.md 7.2): a paused (by default) placeholder ad set, plus
 * placeholder ads with `deep_copy`; none of them is part of the market, so they report no delivery.
 */
export function copyAdSet(ctx: WriteContext, source: AdSetNode): Record<string, unknown> {
  return logged(ctx, source.id, () => {
    const { account, params } = ctx;
    const target = params.campaign_id
      ? account.campaigns.get(params.campaign_id)
      : account.campaignOf(source);
    if (!target) throw graphErrors.objectNotFound(params.campaign_id ?? '', 'post');
    const isDeep = params.deep_copy === 'true' || params.deep_copy === '1';
    const { status, rename } = parseCopyOptions(params);
    const ads = isDeep
      ? source.adIds
          .map((id) => account.ads.get(id))
          .filter((ad): ad is AdNode => ad !== undefined && ad.status !== 'DELETED')
      : [];
    if (1 + ads.length > MAX_SYNC_COPY_OBJECTS) {
      // The limit is [OBS]; Meta's exact error for it is not in the document.
      throw graphErrors.invalidParameter(
        `A synchronous copy can create at most ${MAX_SYNC_COPY_OBJECTS} objects; this deep copy needs ${1 + ads.length}. Use an asynchronous batch request.`,
      );
    }
    const now = account.nowMs();
    const copy: AdSetNode = {
      ...source,
      id: account.nextCopyId('adset'),
      name: renamed(source.name, rename, true),
      campaignId: target.id,
      status: status(source.status),
      // Into a CBO campaign the copy has no budget; out of one it gets the account minimum (a guess).
      dailyBudgetCents: account.isCbo(target)
        ? null
        : (source.dailyBudgetCents ?? account.minDailyBudgetCents),
      targeting: structuredClone(source.targeting),
      marketIndex: null,
      createdMs: now,
      updatedMs: now,
      adIds: [],
      budgetChanges: [],
      budgetBlockedUntilMs: 0,
      copiedFrom: source.id,
    };
    account.adSets.set(copy.id, copy);
    target.adSetIds.push(copy.id);
    const adCopies = ads.map((ad) => ({
      source: ad,
      copy: copyAdInto(ctx, ad, copy, status(ad.status), renamed(ad.name, rename, false)),
    }));
    // `copied_adset_id` is [OBS]; the `ad_object_ids` element shape is [MEM].
    return {
      copied_adset_id: copy.id,
      ad_object_ids: [
        { ad_object_type: 'ad_set', source_id: source.id, copied_id: copy.id },
        ...adCopies.map(({ source: from, copy: to }) => ({
          ad_object_type: 'ad',
          source_id: from.id,
          copied_id: to.id,
        })),
      ],
    };
  });
}

/** `POST /{ad_id}/copies`: a placeholder ad (no delivery) in the same or the given ad set. */
export function copyAd(ctx: WriteContext, source: AdNode): Record<string, unknown> {
  return logged(ctx, source.id, () => {
    const { account, params } = ctx;
    const target = params.adset_id ? account.adSets.get(params.adset_id) : account.adSetOf(source);
    if (!target) throw graphErrors.objectNotFound(params.adset_id ?? '', 'post');
    const { status, rename } = parseCopyOptions(params);
    const copy = copyAdInto(ctx, source, target, status(source.status), renamed(source.name, rename, true));
    return {
      copied_ad_id: copy.id,
      ad_object_ids: [{ ad_object_type: 'ad', source_id: source.id, copied_id: copy.id }],
    };
  });
}
