import type { z } from 'zod';
import { engineRulesSchema, type EngineRules } from './engine-rules.ts';

/** A segment of the path to a value: object keys and array indexes. */
export type RulePathSegment = string | number;

/**
 * One reason a rules object was refused. `path` is printable (`stages.testing.kill[2].ctr`, empty for
 * the root); `segments` is the same path unjoined, for mapping back to a source file; `code` is
 * `unknown_key` for a key the schema does not know (the path then ends at that key), otherwise zod's
 * issue code (`invalid_type`, `too_big`, `custom` for cross-field checks, ...).
 */
export type RuleIssue = {
  path: string;
  message: string;
  segments: readonly RulePathSegment[];
  code: string;
};

/** The result of `parseEngineRules`: the typed rules, or every issue found. */
export type ParseEngineRulesResult = { ok: true; rules: EngineRules } | { ok: false; issues: RuleIssue[] };

/** Codes a `RuleError` can carry. */
export const RULE_ERROR_CODES = ['INVALID_RULES'] as const;
export type RuleErrorCode = (typeof RULE_ERROR_CODES)[number];

/** Thrown when a rule definition is invalid; raised at parse time, never while deciding. */
export class RuleError extends Error {
  constructor(
    readonly code: RuleErrorCode,
    message: string,
    readonly issues: readonly RuleIssue[] = [],
  ) {
    super(message);
    this.name = 'RuleError';
  }
}

/** Joins path segments as `a.b[2].c`; the root is the empty string. */
export function formatRulePath(segments: readonly RulePathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

function toSegments(path: readonly PropertyKey[]): RulePathSegment[] {
  return path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
}

// Zod's "expected number, received undefined" means the key is missing; say so plainly.
function errorMap(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (${issue.expected})`;
  return undefined;
}

function toRuleIssues(error: z.ZodError): RuleIssue[] {
  const issues: RuleIssue[] = [];
  for (const issue of error.issues) {
    const base = toSegments(issue.path);
    if (issue.code === 'unrecognized_keys') {
      // One issue per key, pointing at the key itself, so a file loader can show its line.
      for (const key of issue.keys) {
        const segments = [...base, key];
        issues.push({
          path: formatRulePath(segments),
          segments,
          message: `unknown key "${key}"`,
          code: 'unknown_key',
        });
      }
      continue;
    }
    issues.push({ path: formatRulePath(base), segments: base, message: issue.message, code: issue.code });
  }
  return issues;
}

/**
 * Validates an unknown value (parsed YAML or JSON) as the engine configuration. Unknown keys, wrong
 * types, out-of-range values and values that disagree with one another are all reported, each with
 * its path; nothing is filled in or coerced.
 */
export function parseEngineRules(input: unknown): ParseEngineRulesResult {
  const result = engineRulesSchema.safeParse(input, { error: errorMap });
  if (result.success) return { ok: true, rules: result.data };
  return { ok: false, issues: toRuleIssues(result.error) };
}

/** Renders issues one per line as `path: message`. */
export function formatRuleIssues(issues: readonly RuleIssue[]): string {
  return issues.map((issue) => `${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`).join('\n');
}

/** `parseEngineRules` for callers that prefer an exception: throws `RuleError('INVALID_RULES')`. */
export function parseEngineRulesOrThrow(input: unknown): EngineRules {
  const result = parseEngineRules(input);
  if (result.ok) return result.rules;
  throw new RuleError(
    'INVALID_RULES',
    `invalid engine rules:\n${formatRuleIssues(result.issues)
      .split('\n')
      .map((line) => `  - ${line}`)
      .join('\n')}`,
    result.issues,
  );
}
