import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CONFIDENCE_LEVELS,
  DECISION_ACTIONS,
  formatMicros,
  minorUnitsToMicros,
  type Decision,
} from '@roas/core';

/** The prompt file new runs use (`packages/app/prompts/analyst/<name>.md`). */
export const CURRENT_PROMPT = 'v1';

/** A loaded prompt: its recorded version (file name and content hash), system prompt and user template. */
export type AnalystPrompt = { version: string; system: string; userTemplate: string };

const SECTION = /^## (System|User)\s*$/m;

/**
 * Reads a versioned prompt file. The version recorded with every call is the file's name and the
 * first 12 hex digits of its SHA-256, so an edited file never passes for the old one.
 */
export function loadAnalystPrompt(name: string = CURRENT_PROMPT): AnalystPrompt {
  if (!/^v\d+$/.test(name)) throw new Error(`analyst prompt "${name}": the name must look like v1`);
  const url = new URL(`../../../prompts/analyst/${name}.md`, import.meta.url);
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (error) {
    throw new Error(`analyst prompt "${name}": cannot read ${url.pathname} (${(error as Error).message})`);
  }
  const parts = text.split(SECTION);
  // split with a capture group: [preamble, 'System', body, 'User', body]
  const system = parts[parts.indexOf('System') + 1]?.trim();
  const userTemplate = parts[parts.indexOf('User') + 1]?.trim();
  if (!parts.includes('System') || !parts.includes('User') || !system || !userTemplate)
    throw new Error(`analyst prompt "${name}": needs a "## System" and a "## User" section`);
  for (const slot of ['{{count}}', '{{refs}}', '{{data}}'])
    if (!userTemplate.includes(slot))
      throw new Error(`analyst prompt "${name}": the User section lacks ${slot}`);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return { version: `${name}#${hash}`, system, userTemplate };
}

/** One recommendation to review, with what the prompt shows beside the decision. */
export type AnalystItem = {
  ref: string;
  decision: Decision;
  campaignName: string | null;
  /** The budget a change applies to now, in minor units. */
  dailyBudgetMinor: bigint | null;
  currency: string;
  minorDigits: number;
};

// Names are people's free text: long enough to recognise, short enough not to carry an essay.
const NAME_LIMIT = 200;

function label(text: string | null): string | null {
  if (text === null) return null;
  const chars = [...text];
  return chars.length > NAME_LIMIT ? `${chars.slice(0, NAME_LIMIT).join('')}…` : text;
}

function money(minor: bigint | null, digits: number): string | null {
  return minor === null ? null : formatMicros(minorUnitsToMicros(minor, digits), digits);
}

/** What the analyst reads about one recommendation: the decision's evidence, names as labels. */
export function evidenceOf(item: AnalystItem): Record<string, unknown> {
  const d = item.decision;
  return {
    ref: item.ref,
    adSet: { name: label(d.name), campaign: label(item.campaignName), level: d.level, stage: d.stage },
    engine: {
      action: d.action,
      scalePercent: d.scalePercent,
      currency: item.currency,
      dailyBudget: money(item.dailyBudgetMinor, item.minorDigits),
      newDailyBudget: money(d.newDailyBudgetMinor, item.minorDigits),
      appliesTo: d.appliesTo,
      confidence: d.confidence,
      bucket: d.bucket,
      trend: d.trend,
    },
    roas: d.roas,
    reasons: d.reasons.map((r) => ({
      rule: r.ruleId,
      metric: r.metric,
      observed: r.observed,
      threshold: r.threshold,
      passed: r.passed,
      text: r.text,
    })),
    risks: d.risks,
    guardrails: d.guardrails.map((g) => ({ id: g.id, passed: g.passed, changed: g.changed, text: g.text })),
  };
}

/**
 * JSON that cannot close or open a markup element: `<`, `>` and `&` are written as JSON escapes,
 * which still read as the same characters once parsed. So no name can end the data element early.
 */
export function fencedJson(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The system prompt and user message for one batch, and the refs the answer must cover. */
export function buildAnalystMessages(
  prompt: AnalystPrompt,
  items: readonly AnalystItem[],
): { system: string; user: string; refs: string[] } {
  const refs = items.map((i) => i.ref);
  const data = fencedJson({ recommendations: items.map(evidenceOf) });
  const user = prompt.userTemplate
    .replace('{{count}}', String(items.length))
    .replace('{{refs}}', refs.join(', '))
    // A function replacement: `$` sequences in the data stay literal.
    .replace('{{data}}', () => data);
  return { system: prompt.system, user, refs };
}

/** The JSON schema the answer is constrained to (structured outputs), refs limited to the batch's. */
export function answerJsonSchema(refs: readonly string[]): Record<string, unknown> {
  const text = { type: 'string' };
  return {
    type: 'object',
    additionalProperties: false,
    required: ['reviews'],
    properties: {
      reviews: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['ref', 'validation', 'action', 'scalePercent', 'reasons', 'riskFlags', 'confidence'],
          properties: {
            ref: { type: 'string', enum: [...refs] },
            validation: { type: 'string', enum: ['agree', 'disagree', 'uncertain'] },
            action: { type: 'string', enum: [...DECISION_ACTIONS] },
            scalePercent: { anyOf: [{ type: 'number' }, { type: 'null' }] },
            reasons: { type: 'array', items: text },
            riskFlags: { type: 'array', items: text },
            confidence: { type: 'string', enum: [...CONFIDENCE_LEVELS] },
          },
        },
      },
    },
  };
}
