import { STAGES, type EngineRules, type Stage } from '@roas/core';

/** A stored reason, read loosely: only what naming the deciding rule needs. */
type StoredReason = { ruleId: string; passed: boolean };

/** What a stored recommendation says about how it was decided. */
export type DecidedRecommendation = {
  action: string;
  stage: Stage | null;
  scalePercent: number | null;
  reasons: unknown;
};

const ALLOCATION = 'allocation.waterFilling';
const ZERO_CONVERSION = 'gate.zeroConversion';
const BUCKETS = ['winner', 'average', 'loser'] as const;
const TRENDS = ['stable', 'improving', 'declining', 'volatile'] as const;

function readReasons(value: unknown): StoredReason[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { ruleId, passed } = item as Record<string, unknown>;
    return typeof ruleId === 'string' ? [{ ruleId, passed: passed === true }] : [];
  });
}

/**
 * The rule that decided a recommendation, in the engine's own order: portfolio allocation sized a
 * Scale; the zero-conversion path paused; a stage rule fired (kill, advance, scale down or up); else
 * the decision-matrix cell. A stage rule "fired" when every condition it recorded passed. Null when
 * nothing can be named (Hold, Retest, or reasons from an unknown engine).
 */
export function decidingRuleId(recommendation: DecidedRecommendation, rules: EngineRules): string | null {
  const reasons = readReasons(recommendation.reasons);
  const fired = (id: string) => {
    const own = reasons.filter((r) => r.ruleId === id);
    return own.length > 0 && own.every((r) => r.passed);
  };
  const { action, stage } = recommendation;
  if (action === 'SCALE' && reasons.some((r) => r.ruleId === ALLOCATION && r.passed)) return ALLOCATION;
  if (action === 'PAUSE' && fired(ZERO_CONVERSION)) return ZERO_CONVERSION;
  if (stage !== null) {
    const stageRules = rules.stages[stage];
    if (action === 'PAUSE') {
      const kill = stageRules.kill.find((rule) => fired(rule.id));
      if (kill) return kill.id;
    }
    if (action === 'PROMOTE') {
      const advance = stageRules.advance.find((rule) => fired(rule.id));
      if (advance) return advance.id;
    }
    if (action === 'SCALE') {
      const candidates = (recommendation.scalePercent ?? 0) < 0 ? stageRules.scaleDown : stageRules.scaleUp;
      const strongest = candidates
        .filter((rule) => fired(rule.id))
        .reduce<(typeof candidates)[number] | null>(
          (best, rule) =>
            best === null || Math.abs(rule.changePercent) > Math.abs(best.changePercent) ? rule : best,
          null,
        );
      if (strongest) return strongest.id;
    }
  }
  if (action === 'SCALE' || action === 'PAUSE')
    return reasons.find((r) => r.ruleId.startsWith('matrix.'))?.ruleId ?? null;
  return null;
}

/** Every rule id that can decide a Scale, Pause or Promote under these rules: what an allow-list may name. */
export function decidingRuleIds(rules: EngineRules): string[] {
  const ids = [ALLOCATION, ZERO_CONVERSION];
  for (const bucket of BUCKETS) for (const trend of TRENDS) ids.push(`matrix.${bucket}.${trend}`);
  for (const stage of STAGES) {
    const stageRules = rules.stages[stage];
    for (const rule of [
      ...stageRules.kill,
      ...stageRules.advance,
      ...stageRules.scaleDown,
      ...stageRules.scaleUp,
    ])
      ids.push(rule.id);
  }
  return ids;
}

/** Whether an allow-list entry names the rule: exactly, or by prefix when it ends with `*`. */
export function matchesRule(pattern: string, ruleId: string): boolean {
  return pattern.endsWith('*') ? ruleId.startsWith(pattern.slice(0, -1)) : pattern === ruleId;
}
