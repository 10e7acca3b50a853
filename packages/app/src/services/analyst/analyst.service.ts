import {
  mergeAnalystReview,
  parseAnalystAnswer,
  type AnalystItemResult,
  type AnalystReview,
  type Decision,
  type GuardrailContext,
} from '@roas/core';
import type { Logger } from 'pino';
import {
  AnthropicCallError,
  createMessagesClient,
  type MessagesAnswer,
  type MessagesClient,
} from '../../adapters/anthropic/anthropic.client.ts';
import type { Db } from '../../adapters/db/database.ts';
import { insertAnalystCall } from '../../adapters/db/repositories/analyst-calls.repository.ts';
import type { ANALYST_CALL_OUTCOMES } from '../../adapters/db/schema.ts';
import type { Config } from '../../config.ts';
import { CostCap, formatUsd, priceOf, usdToNano, type Reservation } from './analyst-cost.ts';
import { explainWithAnalyst } from './analyst-explanation.ts';
import {
  answerJsonSchema,
  buildAnalystMessages,
  loadAnalystPrompt,
  type AnalystItem,
  type AnalystPrompt,
} from './analyst-prompt.ts';
import { RateLimiter } from './rate-limiter.ts';

/** How the analyst runs, from the configuration (`analystSettingsFrom`). */
export type AnalystSettings = {
  apiKey: string;
  baseURL: string;
  model: string;
  /** The prompt file's name (`v1`). */
  prompt: string;
  costCapNano: bigint;
  requestsPerMinute: number;
  concurrency: number;
  /** Recommendations per call. */
  batchSize: number;
  timeoutMs: number;
  maxRetries: number;
  /** Failed calls in a row after which the rest of the run is not sent (the endpoint is down). */
  maxConsecutiveFailures: number;
};

/** The analyst's settings, or null when there is no API key: then the analyst is simply off. */
export function analystSettingsFrom(config: Config): AnalystSettings | null {
  if (config.anthropicApiKey === undefined) return null;
  return {
    apiKey: config.anthropicApiKey,
    baseURL: config.anthropicBaseUrl,
    model: config.analystModel,
    prompt: config.analystPrompt,
    costCapNano: usdToNano(config.analystCostCapUsd),
    requestsPerMinute: config.analystRequestsPerMinute,
    concurrency: config.analystConcurrency,
    batchSize: config.analystBatchSize,
    timeoutMs: config.analystTimeoutMs,
    maxRetries: 2,
    maxConsecutiveFailures: 3,
  };
}

/**
 * The analyst for one engine run, or undefined when it is off (no API key). A new run each time, since
 * the cost cap and the failure count are per run.
 */
export function analystRunFor(context: { config: Config; database: { db: Db }; logger: Logger }) {
  const settings = analystSettingsFrom(context.config);
  return settings === null
    ? undefined
    : new AnalystRun(settings, { db: context.database.db, logger: context.logger });
}

export type CallOutcome = (typeof ANALYST_CALL_OUTCOMES)[number];
/** What became of one recommendation: merged (`ok`), refused as bolder, or a fallback and why. */
export type ItemOutcome =
  'ok' | 'refused' | 'malformed' | 'failed' | 'skipped-cost-cap' | 'skipped-unavailable';

/** The analyst's part of a stored recommendation (`recommendations.analyst`). */
export type AnalystNote = {
  outcome: ItemOutcome;
  /** Whether the review changed the decision (action, size or confidence). */
  changed: boolean;
  callId: string | null;
  model: string;
  promptVersion: string;
  review: AnalystReview | null;
  /** Why it was refused or fell back. */
  detail: string | null;
};

export type ReviewedDecision = { decision: Decision; analyst: AnalystNote };

/** One recommendation to review: the engine's decision and what the guardrails need to run again. */
export type AnalystInput = {
  decision: Decision;
  campaignName: string | null;
  dailyBudgetMinor: bigint | null;
  guard: GuardrailContext;
};

type Batch = { items: (AnalystItem & { guard: GuardrailContext })[] };
type ItemResult = {
  outcome: ItemOutcome;
  detail: string | null;
  review: AnalystReview | null;
  merged: Decision | null;
  changed: boolean;
};

const MAX_TOKENS_PER_ITEM = 400;
const MAX_TOKENS_BASE = 200;

/**
 * The Claude analyst for one recommend run: reviews decisions in batches, rate limited and under a
 * cost cap shared by every account of the run, logs every call, and hands back each decision either
 * merged with its review (never bolder, guardrails run again: `mergeAnalystReview`) or, when the
 * answer is missing, malformed, refused or not affordable, exactly as the engine made it.
 */
export class AnalystRun {
  readonly prompt: AnalystPrompt;
  private readonly client: MessagesClient;
  private readonly limiter: RateLimiter;
  private readonly cap: CostCap;
  private consecutiveFailures = 0;
  private calls = 0;

  constructor(
    readonly settings: AnalystSettings,
    private readonly deps: {
      db: Db;
      logger: Logger;
      client?: MessagesClient;
      limiter?: RateLimiter;
      clock?: () => number;
    },
  ) {
    this.prompt = loadAnalystPrompt(settings.prompt);
    const { price, known } = priceOf(settings.model);
    if (!known)
      deps.logger.warn(
        { model: settings.model },
        'analyst: no price for this model; the cost cap counts it at the dearest known price',
      );
    this.cap = new CostCap(settings.costCapNano, price);
    this.client =
      deps.client ??
      createMessagesClient({
        apiKey: settings.apiKey,
        baseURL: settings.baseURL,
        timeoutMs: settings.timeoutMs,
        maxRetries: settings.maxRetries,
      });
    this.limiter =
      deps.limiter ??
      new RateLimiter({ perMinute: settings.requestsPerMinute, concurrency: settings.concurrency });
  }

  /** What the run spent so far, in nano-dollars, and how many calls it made. */
  get spending(): { calls: number; spentNano: bigint } {
    return { calls: this.calls, spentNano: this.cap.spentNano };
  }

  /** Reviews one account's decisions; the result is in the order given. */
  async reviewAccount(run: {
    runId: string;
    accountId: string;
    currency: string;
    minorDigits: number;
    inputs: readonly AnalystInput[];
  }): Promise<ReviewedDecision[]> {
    const batches: Batch[] = [];
    run.inputs.forEach((input, i) => {
      const item = {
        ref: `r${i + 1}`,
        decision: input.decision,
        campaignName: input.campaignName,
        dailyBudgetMinor: input.dailyBudgetMinor,
        currency: run.currency,
        minorDigits: run.minorDigits,
        guard: input.guard,
      };
      const last = batches.at(-1);
      if (last && last.items.length < this.settings.batchSize) last.items.push(item);
      else batches.push({ items: [item] });
    });
    const results = await Promise.all(batches.map((batch) => this.reviewBatch(run, batch)));
    return results.flat();
  }

  private async reviewBatch(
    run: { runId: string; accountId: string },
    batch: Batch,
  ): Promise<ReviewedDecision[]> {
    const { system, user, refs } = buildAnalystMessages(this.prompt, batch.items);
    const jsonSchema = answerJsonSchema(refs);
    const promptBytes =
      Buffer.byteLength(system) + Buffer.byteLength(user) + Buffer.byteLength(JSON.stringify(jsonSchema));
    const maxTokens = MAX_TOKENS_BASE + MAX_TOKENS_PER_ITEM * batch.items.length;
    const skip = (outcome: 'skipped-cost-cap' | 'skipped-unavailable', detail: string) =>
      this.finish(run, batch, { outcome, detail, items: batch.items.map(() => fallback(outcome, detail)) });

    if (this.endpointDown()) return skip('skipped-unavailable', this.downText());
    return this.limiter.run(async () => {
      // Checked again once our turn comes: earlier calls may have failed or spent meanwhile.
      if (this.endpointDown()) return skip('skipped-unavailable', this.downText());
      const reservation = this.cap.reserve(promptBytes, maxTokens);
      if (reservation === null)
        return skip(
          'skipped-cost-cap',
          `the run's cost cap of ${formatUsd(this.settings.costCapNano)} is reached (spent ${formatUsd(this.cap.spentNano)})`,
        );
      this.calls++;
      const started = this.deps.clock?.() ?? performance.now();
      let answer: MessagesAnswer;
      try {
        answer = await this.client.create({
          model: this.settings.model,
          system,
          user,
          maxTokens,
          jsonSchema,
        });
      } catch (error) {
        const latencyMs = (this.deps.clock?.() ?? performance.now()) - started;
        const failure =
          error instanceof AnthropicCallError
            ? error
            : new AnthropicCallError('connection', null, String(error));
        this.consecutiveFailures++;
        // An HTTP error answer is not billed; a timeout or a dropped connection may have been.
        const billable = failure.kind === 'timeout' || failure.kind === 'connection';
        const cost = this.cap.settle(reservation, billable ? null : { inputTokens: 0, outputTokens: 0 });
        return this.finish(run, batch, {
          outcome: 'failed',
          detail: failure.message,
          items: batch.items.map(() => fallback('failed', failure.message)),
          latencyMs,
          costNano: cost,
        });
      }
      const latencyMs = (this.deps.clock?.() ?? performance.now()) - started;
      this.consecutiveFailures = 0;
      const cost = this.settle(reservation, answer);
      const parsed = parseAnswer(answer, refs);
      const items = parsed.ok
        ? batch.items.map((item, k) => this.mergeItem(item, parsed.items[k]))
        : batch.items.map(() => fallback('malformed', parsed.error));
      return this.finish(run, batch, {
        outcome: parsed.ok ? 'ok' : 'malformed',
        detail: parsed.ok ? null : parsed.error,
        items,
        latencyMs,
        costNano: cost,
        answer,
      });
    });
  }

  private settle(reservation: Reservation, answer: MessagesAnswer): bigint {
    return this.cap.settle(reservation, answer.usage);
  }

  private endpointDown(): boolean {
    return this.consecutiveFailures >= this.settings.maxConsecutiveFailures;
  }

  private downText(): string {
    return `not sent: the last ${this.consecutiveFailures} analyst calls failed`;
  }

  private mergeItem(item: Batch['items'][number], result: AnalystItemResult | undefined): ItemResult {
    if (!result) return fallback('malformed', `no review for ${item.ref}`);
    if (!result.ok) return fallback('malformed', result.error);
    const merged = mergeAnalystReview(item.decision, result.review, item.guard);
    if (merged.kind === 'refused')
      return {
        outcome: 'refused',
        detail: merged.refusal,
        review: result.review,
        merged: null,
        changed: false,
      };
    return {
      outcome: 'ok',
      detail: null,
      review: result.review,
      merged: merged.decision,
      changed: merged.changed,
    };
  }

  /** Logs the call (one row, whatever its outcome) and turns its items into reviewed decisions. */
  private async finish(
    run: { runId: string; accountId: string },
    batch: Batch,
    call: {
      outcome: CallOutcome;
      detail: string | null;
      items: ItemResult[];
      latencyMs?: number;
      costNano?: bigint;
      answer?: MessagesAnswer;
    },
  ): Promise<ReviewedDecision[]> {
    const usage = call.answer?.usage ?? { inputTokens: 0, outputTokens: 0 };
    const latencyMs = Math.round(call.latencyMs ?? 0);
    const callId = await insertAnalystCall(this.deps.db, {
      runId: run.runId,
      accountId: run.accountId,
      promptVersion: this.prompt.version,
      model: this.settings.model,
      outcome: call.outcome,
      items: batch.items.map((item, k) => ({
        level: item.decision.level,
        entityId: item.decision.entityId,
        outcome: call.items[k]?.outcome ?? 'malformed',
        detail: call.items[k]?.detail ?? null,
      })),
      stopReason: call.answer?.stopReason ?? null,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costNanoUsd: call.costNano ?? 0n,
      latencyMs,
      error: call.detail,
    });
    const counts: Record<string, number> = {};
    for (const item of call.items) counts[item.outcome] = (counts[item.outcome] ?? 0) + 1;
    this.deps.logger.info(
      {
        runId: run.runId,
        accountId: run.accountId,
        callId,
        promptVersion: this.prompt.version,
        model: this.settings.model,
        outcome: call.outcome,
        items: counts,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        costUsd: formatUsd(call.costNano ?? 0n),
        latencyMs,
        error: call.detail,
      },
      'analyst call',
    );
    return batch.items.map((item, k) => {
      const result = call.items[k] ?? fallback('malformed', 'no result');
      const note: AnalystNote = {
        outcome: result.outcome,
        changed: result.changed,
        callId,
        model: this.settings.model,
        promptVersion: this.prompt.version,
        review: result.review,
        detail: result.detail,
      };
      if (result.merged === null || result.review === null) return { decision: item.decision, analyst: note };
      const explanation = explainWithAnalyst(result.merged, item.decision, result.review, {
        model: this.settings.model,
        promptVersion: this.prompt.version,
      });
      return { decision: { ...result.merged, explanation }, analyst: note };
    });
  }
}

function fallback(outcome: ItemOutcome, detail: string): ItemResult {
  return { outcome, detail, review: null, merged: null, changed: false };
}

function parseAnswer(
  answer: MessagesAnswer,
  refs: readonly string[],
): { ok: true; items: AnalystItemResult[] } | { ok: false; error: string } {
  if (answer.stopReason === 'max_tokens')
    return { ok: false, error: 'the answer was cut off at the output token limit' };
  if (answer.stopReason === 'refusal') return { ok: false, error: 'the model declined to answer' };
  return parseAnalystAnswer(answer.text, refs);
}
