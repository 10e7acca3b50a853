import type { Scenario } from '../scenarios/schema.ts';
import { parseBatch, runBatch, type BatchItemOutcome } from './batch.ts';
import { FakeAccount } from './fake-account.ts';
import { FaultInjector, type FaultSpec } from './faults.ts';
import { fieldsParam, project, validateFields, type NodeType } from './fields.ts';
import { parseListParam } from './filtering.ts';
import { GraphError, graphErrors } from './graph-error.ts';
import type { AdNode, AdSetNode, AudienceNode, CampaignNode, CreativeNode } from './graph-nodes.ts';
import { newTraceId } from './ids.ts';
import { computeInsights, type InsightsScope } from './insights.ts';
import { parseInsightsQuery, type InsightLevel } from './insights-query.ts';
import { debugToken, oauthAccessToken } from './oauth.ts';
import { BUSINESS, nodeTypes, type NodeTypes, type UserNode } from './objects.ts';
import { filterListed, type ListedNode } from './listing.ts';
import { paginate, type Page } from './paging.ts';
import { ReportRuns, reportRunType, type ReportRun } from './report-runs.ts';
import type { GraphRequest } from './request.ts';
import { SYSTEM_USER_ID, TokenRegistry, USER_ID, type Scope, type TokenRecord } from './tokens.ts';
import { UsageMeter, type AccessTier, type UsageBucket, type UsageOverride } from './usage.ts';
import {
  copyAd,
  copyAdSet,
  deleteNode,
  updateAd,
  updateAdSet,
  updateCampaign,
  type WriteContext,
} from './writes.ts';

export type GraphAppConfig = {
  scenario: Scenario;
  seed: number;
  apiVersion: string;
  faults: FaultSpec;
  startDay: number;
  tier: AccessTier;
  asyncPolls: number;
  cbo: boolean;
  appId: string;
  appSecret: string;
  timeZone: string;
  wall?: () => number;
};

/** What the HTTP layer does with a call: answer (maybe after a delay) or drop the connection. */
export type GraphOutcome =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: unknown; delayMs: number }
  | { kind: 'drop' };

type Node = CampaignNode | AdSetNode | AdNode | CreativeNode | AudienceNode | ReportRun;

/**
 * The fake Graph API behind the HTTP server: authenticates, meters usage, injects faults and routes
 * each call (HTTP or batch item) to objects, insights, report runs and writes. Synchronous and
 * transport-free, so batch items run through exactly the same path as top-level calls.
 */
export class GraphApp {
  readonly account: FakeAccount;
  readonly tokens: TokenRegistry;
  readonly usage: UsageMeter;
  readonly faults: FaultInjector;
  readonly runs: ReportRuns;
  readonly types: NodeTypes;
  readonly systemToken: string;
  readonly apiVersion: string;
  private readonly runType: NodeType<ReportRun>;
  /** Absolute origin for `next` links, set once the server listens. */
  baseUrl = 'http://127.0.0.1';

  constructor(config: GraphAppConfig) {
    this.apiVersion = config.apiVersion;
    this.account = new FakeAccount({
      scenario: config.scenario,
      seed: config.seed,
      timeZone: config.timeZone,
      cbo: config.cbo,
      startDay: config.startDay,
      ...(config.wall ? { wall: config.wall } : {}),
    });
    this.tokens = new TokenRegistry(
      config.appId,
      config.appSecret,
      () => this.account.nowMs(),
      config.timeZone,
    );
    this.usage = new UsageMeter(config.tier, () => this.activeAdCount(), config.wall);
    this.faults = new FaultInjector(config.seed, config.faults);
    this.runs = new ReportRuns(config.asyncPolls);
    this.types = nodeTypes(this.account);
    this.runType = reportRunType((ms) => this.account.graphTime(ms));
    this.systemToken = this.tokens.issue({
      type: 'SYSTEM_USER',
      scopes: ['ads_read', 'ads_management', 'business_management'],
      expiresInSeconds: null,
    }).token;
  }

  private activeAdCount(): number {
    let count = 0;
    for (const ad of this.account.ads.values()) if (this.account.adEffectiveStatus(ad) === 'ACTIVE') count++;
    return count;
  }

  private headers(version: string, traceId: string, override?: UsageOverride): Record<string, string> {
    return {
      'content-type': 'application/json; charset=UTF-8',
      'facebook-api-version': version,
      'x-fb-trace-id': traceId,
      'x-fb-rev': '1023456789',
      'x-fb-debug': `${traceId}fake`,
      ...this.usage.headers(this.account.accountId, override),
    };
  }

  /** Runs one Graph call (a batch turns a delayed or dropped item into a `null` entry). */
  handle(request: GraphRequest): GraphOutcome {
    const traceId = newTraceId();
    const [first] = request.segments;
    const isOAuth = first === 'oauth' || first === 'debug_token';
    const isBatch = request.method === 'POST' && request.segments.length === 0;
    let delayMs = 0;
    let writeDrop: 'before' | 'after' | null = null;
    // OAuth endpoints and the batch envelope are exempt from call faults; batch items get their own.
    if (!isOAuth && !isBatch) {
      const network = this.faults.network();
      if (network?.kind === 'drop') return { kind: 'drop' };
      if (network?.kind === 'delay') delayMs = network.ms;
      if (request.method !== 'GET') writeDrop = this.faults.writeDrop();
      if (writeDrop === 'before') return { kind: 'drop' };
    }
    try {
      const body = isOAuth ? this.oauth(request) : isBatch ? this.batch(request) : this.call(request);
      // The write ran (and is in the write log); only its answer is lost.
      if (writeDrop === 'after') return { kind: 'drop' };
      return {
        kind: 'response',
        status: 200,
        headers: this.headers(request.version, traceId),
        body,
        delayMs,
      };
    } catch (error) {
      if (writeDrop === 'after') return { kind: 'drop' };
      const graphError =
        error instanceof GraphError
          ? error
          : graphErrors.unknown(
              `An unknown error occurred (fake: ${error instanceof Error ? error.message : String(error)})`,
            );
      return {
        kind: 'response',
        status: graphError.status,
        headers: this.headers(request.version, traceId, graphError.throttle),
        body: graphError.toBody(traceId),
        delayMs,
      };
    }
  }

  private oauth(request: GraphRequest): unknown {
    const [first, second] = request.segments;
    if (first === 'oauth' && second === 'access_token') return oauthAccessToken(this.tokens, request.params);
    if (first === 'debug_token' && second === undefined) {
      return debugToken(this.tokens, request.params, request.token, this.account.accountId);
    }
    throw graphErrors.unknownPath(request.segments.slice(1).join('/'));
  }

  private batch(request: GraphRequest): unknown {
    const items = parseBatch(request.params.batch);
    if (this.faults.batchTimesOut()) throw graphErrors.batchAborted();
    const includeHeaders = request.params.include_headers !== 'false';
    return runBatch(items, request, includeHeaders, (inner): BatchItemOutcome => {
      const outcome = this.handle(inner);
      if (outcome.kind === 'drop' || outcome.delayMs > 0) return null;
      return { status: outcome.status, headers: outcome.headers, body: outcome.body };
    });
  }

  private bucketOf(request: GraphRequest): UsageBucket {
    const [first, second] = request.segments;
    if (second === 'insights') return 'ads_insights';
    if (first !== undefined && second === undefined && this.runs.get(first)) return 'ads_insights';
    return 'ads_management';
  }

  private authenticate(request: GraphRequest): TokenRecord {
    const isMe = request.segments[0] === 'me';
    if (request.token === null || request.token === '') throw graphErrors.tokenRequired(isMe);
    if (request.token === this.tokens.appToken) {
      throw isMe ? graphErrors.tokenRequired(true) : graphErrors.missingReadPermission();
    }
    const record = this.tokens.check(request.token);
    const fault = this.faults.token();
    if (fault === 'expired') throw this.tokens.expiredError(undefined);
    if (fault === 'invalid') throw graphErrors.tokenInvalid();
    return record;
  }

  private call(request: GraphRequest): unknown {
    const token = this.authenticate(request);
    const bucket = this.bucketOf(request);
    const isWrite = request.method !== 'GET' && bucket === 'ads_management';
    const organic = this.usage.record(bucket, isWrite);
    if (organic) throw organic;
    const throttle = this.faults.throttle();
    if (throttle) {
      const isInsights = bucket === 'ads_insights';
      throw graphErrors.throttle(
        throttle.code ?? (isInsights ? 80000 : 80004),
        throttle.etaMinutes,
        isInsights,
      );
    }
    const server = this.faults.server();
    if (server === 'transient') throw graphErrors.unknown();
    if (server === 'unavailable') throw graphErrors.unavailable();
    return this.route(request, token);
  }

  private requireScope(token: TokenRecord, kind: 'read' | 'write' | 'business'): void {
    const has = (scope: Scope): boolean => token.scopes.includes(scope);
    if (kind === 'business' && !has('business_management')) throw graphErrors.missingBusinessPermission();
    if (kind === 'write' && !has('ads_management')) throw graphErrors.missingManagePermission();
    if (kind === 'read' && !has('ads_read') && !has('ads_management'))
      throw graphErrors.missingReadPermission();
  }

  private page<T>(items: readonly T[], request: GraphRequest): Page<T> {
    const path = `/${request.version}/${request.segments.map(encodeURIComponent).join('/')}`;
    const query = new URLSearchParams(request.query);
    query.delete('access_token');
    query.delete('after');
    query.delete('before');
    const faultKey = `${request.method} ${path}?${query.toString()}`;
    return paginate(
      items,
      request.params,
      {
        url: `${this.baseUrl}${path}`,
        query: request.query,
        token: request.tokenSource === 'body' ? request.token : null,
      },
      (pageNumber) => {
        if (this.faults.pageFails(`${faultKey}#${pageNumber}`, pageNumber)) throw graphErrors.unknown();
      },
    );
  }

  /** Lists nodes with `fields`, `effective_status`, `filtering` and paging; DELETED/ARCHIVED hidden by default. */
  /** Lists nodes with `fields`, `effective_status`, `filtering` and paging. */
  private list<T extends ListedNode>(
    nodes: readonly T[],
    type: NodeType<T>,
    request: GraphRequest,
  ): Page<Record<string, unknown>> {
    const selection = fieldsParam(request.params);
    validateFields(type, selection);
    const kept = filterListed(this.account, nodes, request.params);
    return this.page(
      kept.map((node) => project(type, node, selection)),
      request,
    );
  }

  // Paging re-asks the same query once per page; answers change only when the day advances or a write lands.
  private readonly insightsCache = new Map<string, ReturnType<typeof computeInsights>>();

  private cachedInsights(
    scope: InsightsScope,
    query: ReturnType<typeof parseInsightsQuery>,
  ): ReturnType<typeof computeInsights> {
    const key = JSON.stringify([this.account.day, this.account.writeLog.length, scope, query]);
    let rows = this.insightsCache.get(key);
    if (rows === undefined) {
      rows = computeInsights(this.account, scope, query);
      if (this.insightsCache.size >= 8)
        this.insightsCache.delete(this.insightsCache.keys().next().value ?? '');
      this.insightsCache.set(key, rows);
    }
    return rows;
  }

  private insights(
    request: GraphRequest,
    scope: InsightsScope,
    defaultLevel: InsightLevel,
    token: TokenRecord,
  ): unknown {
    this.requireScope(token, 'read');
    const calendar = { today: this.account.today, firstDate: this.account.scenario.startDate };
    const query = parseInsightsQuery(request.params, calendar, defaultLevel);
    const rows = this.cachedInsights(scope, query);
    if (request.method === 'GET') return this.page(rows, request);
    const run = this.runs.create({
      accountId: this.account.accountId,
      createdMs: this.account.nowMs(),
      dateStart: query.since,
      dateStop: query.until,
      rows,
      willFail: this.faults.jobFails(),
    });
    return { report_run_id: run.id };
  }

  private writeContext(request: GraphRequest): WriteContext {
    return { account: this.account, path: `/${request.segments.join('/')}`, params: request.params };
  }

  private route(request: GraphRequest, token: TokenRecord): unknown {
    const [first, edge, extra] = request.segments;
    if (first === undefined) {
      // `GET /?ids=a,b` reads several nodes at once, keyed by id.
      const ids = parseListParam(request.params.ids, 'ids');
      if (request.method !== 'GET' || ids === null) {
        throw graphErrors.invalidParameter('Unsupported request: a node id or edge is required');
      }
      return Object.fromEntries(ids.map((id) => [id, this.routeNode(request, token, id, undefined)]));
    }
    if (extra !== undefined) throw graphErrors.unknownPath(request.segments.slice(1).join('/'));
    if (first === 'me') return this.routeMe(request, token, edge);
    if (first.startsWith('act_')) return this.routeAccount(request, token, first, edge);
    return this.routeNode(request, token, first, edge);
  }

  private routeMe(request: GraphRequest, token: TokenRecord, edge: string | undefined): unknown {
    if (request.method !== 'GET') throw graphErrors.objectNotFound('me', 'post');
    const selection = fieldsParam(request.params);
    if (edge === undefined) {
      const user: UserNode = {
        kind: 'user',
        id: token.userId,
        name: token.type === 'SYSTEM_USER' ? 'ROAS Pilot System User' : 'Alex Demo',
      };
      return project(this.types.user, user, selection);
    }
    if (edge === 'adaccounts') {
      this.requireScope(token, 'read');
      validateFields(this.types.account, selection);
      return this.page([project(this.types.account, { kind: 'account' }, selection)], request);
    }
    if (edge === 'businesses') {
      this.requireScope(token, 'business');
      return this.page([project(this.types.business, BUSINESS, selection)], request);
    }
    throw graphErrors.unknownPath(edge);
  }

  private routeAccount(
    request: GraphRequest,
    token: TokenRecord,
    actId: string,
    edge: string | undefined,
  ): unknown {
    if (actId !== `act_${this.account.accountId}`)
      throw graphErrors.objectNotFound(actId, request.method === 'GET' ? 'get' : 'post');
    this.requireScope(token, 'read');
    const account = this.account;
    if (edge === 'insights') return this.insights(request, { kind: 'account' }, 'account', token);
    if (request.method !== 'GET')
      throw graphErrors.objectNotFound(actId, request.method === 'POST' ? 'post' : 'delete');
    switch (edge) {
      case undefined:
        return project(this.types.account, { kind: 'account' }, fieldsParam(request.params));
      case 'campaigns':
        return this.list([...account.campaigns.values()], this.types.campaign, request);
      case 'adsets':
        return this.list([...account.adSets.values()], this.types.adSet, request);
      case 'ads':
        return this.list([...account.ads.values()], this.types.ad, request);
      case 'adcreatives':
        return this.list([...account.creatives.values()], this.types.creative, request);
      case 'customaudiences':
        return this.list([...account.audiences.values()], this.types.audience, request);
      case 'minimum_budgets': {
        const min = account.minDailyBudgetCents;
        return this.page(
          [
            {
              currency: account.currency,
              min_daily_budget_imp: min,
              min_daily_budget_high_freq: min,
              min_daily_budget_low_freq: min,
              min_daily_budget_video_views: min,
            },
          ],
          request,
        );
      }
      default:
        throw graphErrors.unknownPath(edge);
    }
  }

  private findNode(id: string): Node | undefined {
    const account = this.account;
    return (
      account.campaigns.get(id) ??
      account.adSets.get(id) ??
      account.ads.get(id) ??
      account.creatives.get(id) ??
      account.audiences.get(id) ??
      this.runs.get(id)
    );
  }

  private routeNode(
    request: GraphRequest,
    token: TokenRecord,
    id: string,
    edge: string | undefined,
  ): unknown {
    const { method } = request;
    const verb = method === 'GET' ? 'get' : method === 'POST' ? 'post' : 'delete';
    if (id === BUSINESS.id) {
      this.requireScope(token, 'business');
      if (method !== 'GET') throw graphErrors.objectNotFound(id, verb);
      if (edge === undefined) return project(this.types.business, BUSINESS, fieldsParam(request.params));
      if (edge === 'owned_ad_accounts') {
        const selection = fieldsParam(request.params);
        return this.page([project(this.types.account, { kind: 'account' }, selection)], request);
      }
      if (edge === 'client_ad_accounts') return this.page([], request);
      throw graphErrors.unknownPath(edge);
    }
    if ((id === USER_ID || id === SYSTEM_USER_ID) && edge === undefined && method === 'GET') {
      return project(
        this.types.user,
        { kind: 'user', id, name: id === USER_ID ? 'Alex Demo' : 'ROAS Pilot System User' },
        fieldsParam(request.params),
      );
    }
    const node = this.findNode(id);
    if (!node) throw graphErrors.objectNotFound(id, verb);
    this.requireScope(token, method === 'GET' || edge === 'insights' ? 'read' : 'write');
    const account = this.account;
    const selection = fieldsParam(request.params);
    const write = (): WriteContext => this.writeContext(request);

    switch (node.kind) {
      case 'report-run': {
        if (method !== 'GET') throw graphErrors.objectNotFound(id, verb);
        if (edge === undefined) {
          this.runs.poll(node, account.nowMs());
          return project(this.runType, node, selection);
        }
        if (edge === 'insights') return this.page(this.runs.rowsOf(node), request);
        throw graphErrors.unknownPath(edge);
      }
      case 'campaign': {
        if (edge === 'insights') return this.insights(request, { kind: 'campaign', id }, 'campaign', token);
        if (edge === undefined) {
          if (method === 'GET') return project(this.types.campaign, node, selection);
          if (method === 'POST') return updateCampaign(write(), node);
          return deleteNode(write(), node);
        }
        if (method !== 'GET') throw graphErrors.unknownPath(edge);
        if (edge === 'adsets') return this.list(this.childAdSets(node), this.types.adSet, request);
        if (edge === 'ads')
          return this.list(
            this.childAdSets(node).flatMap((a) => this.childAds(a)),
            this.types.ad,
            request,
          );
        throw graphErrors.unknownPath(edge);
      }
      case 'adset': {
        if (edge === 'insights') return this.insights(request, { kind: 'adset', id }, 'adset', token);
        if (edge === undefined) {
          if (method === 'GET') return project(this.types.adSet, node, selection);
          if (method === 'POST') return updateAdSet(write(), node);
          return deleteNode(write(), node);
        }
        if (edge === 'copies') {
          if (method === 'POST') return copyAdSet(write(), node);
          const copies = [...account.adSets.values()].filter((a) => a.copiedFrom === id);
          return this.list(copies, this.types.adSet, request);
        }
        if (method === 'GET' && edge === 'ads') return this.list(this.childAds(node), this.types.ad, request);
        throw graphErrors.unknownPath(edge);
      }
      case 'ad': {
        if (edge === 'insights') return this.insights(request, { kind: 'ad', id }, 'ad', token);
        if (edge === undefined) {
          if (method === 'GET') return project(this.types.ad, node, selection);
          if (method === 'POST') return updateAd(write(), node);
          return deleteNode(write(), node);
        }
        if (edge === 'copies') {
          if (method === 'POST') return copyAd(write(), node);
          return this.list(
            [...account.ads.values()].filter((a) => a.copiedFrom === id),
            this.types.ad,
            request,
          );
        }
        if (method === 'GET' && edge === 'adcreatives') {
          const creative = account.creatives.get(node.creativeId);
          return this.list(creative ? [creative] : [], this.types.creative, request);
        }
        throw graphErrors.unknownPath(edge);
      }
      case 'creative':
      case 'audience': {
        if (method !== 'GET' || edge !== undefined)
          throw edge === undefined ? graphErrors.objectNotFound(id, verb) : graphErrors.unknownPath(edge);
        return node.kind === 'creative'
          ? project(this.types.creative, node, selection)
          : project(this.types.audience, node, selection);
      }
    }
  }

  private childAdSets(campaign: CampaignNode): AdSetNode[] {
    return campaign.adSetIds
      .map((id) => this.account.adSets.get(id))
      .filter((a): a is AdSetNode => a !== undefined);
  }

  private childAds(adSet: AdSetNode): AdNode[] {
    return adSet.adIds.map((id) => this.account.ads.get(id)).filter((a): a is AdNode => a !== undefined);
  }
}
