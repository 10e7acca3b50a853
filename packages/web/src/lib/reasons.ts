import type { Reason, Recommendation } from '../api/types.ts';

const GROUPS: { prefix: string; label: string }[] = [
  { prefix: 'gate', label: 'Enough data to judge' },
  { prefix: 'bucket', label: 'Bucket (against the account)' },
  { prefix: 'trend', label: 'Trend' },
  { prefix: 'matrix', label: 'Decision matrix' },
  { prefix: 'testing', label: 'Stage rules: testing' },
  { prefix: 'validation', label: 'Stage rules: validation' },
  { prefix: 'scaling', label: 'Stage rules: scaling' },
  { prefix: 'stage', label: 'Stage pipeline' },
  { prefix: 'audience', label: 'Audience' },
  { prefix: 'fatigue', label: 'Creative fatigue' },
  { prefix: 'model', label: 'Learning models (evidence)' },
  { prefix: 'analyst', label: 'Claude analyst' },
  { prefix: 'allocation', label: 'Budget allocation' },
  { prefix: 'hysteresis', label: 'Confirmation across runs' },
];

export type ReasonGroup = { label: string; reasons: Reason[] };

/** Reasons in the order the engine weighs them, under headings a media buyer recognises. */
export function groupReasons(reasons: readonly Reason[]): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const reason of reasons) {
    const prefix = reason.ruleId.split('.')[0] ?? reason.ruleId;
    const label = GROUPS.find((g) => g.prefix === prefix)?.label ?? 'Other checks';
    let group = groups.get(label);
    if (!group) {
      group = { label, reasons: [] };
      groups.set(label, group);
    }
    group.reasons.push(reason);
  }
  const order = (label: string) => {
    const index = GROUPS.findIndex((g) => g.label === label);
    return index === -1 ? GROUPS.length : index;
  };
  return [...groups.values()].sort((a, b) => order(a.label) - order(b.label));
}

/** The passed rules that chose this action (the stage rule, the allocation, the zero-conversion kill). */
function isDecisive(rec: Recommendation, reason: Reason): boolean {
  if (!reason.passed) return false;
  const id = reason.ruleId;
  switch (rec.action) {
    case 'PAUSE':
      return id.includes('.kill.') || id === 'gate.zeroConversion' || id === 'bucket.breakEven.pause';
    case 'PROMOTE':
      return id.includes('.advance.');
    case 'SCALE':
      return id.startsWith('allocation.') || id.includes((rec.scalePercent ?? 0) < 0 ? '.down.' : '.up.');
    case 'RETEST':
    case 'HOLD':
      return id.startsWith('audience.');
  }
}

type Line = { text: string; tone: 'why' | 'held' | 'risk' };

/**
 * The two or three lines that say why, for the list: the rule that chose the action and the matrix
 * cell, what held it back (not enough data, waiting for confirmation, a guardrail that changed it),
 * then the first risk.
 */
export function topReasons(rec: Recommendation, max = 3): Line[] {
  const reasons = rec.reasons;
  // The allocation sets the size of a budget change, so it goes first.
  const why = reasons
    .filter((r) => isDecisive(rec, r))
    .sort((a, b) => Number(b.ruleId.startsWith('allocation.')) - Number(a.ruleId.startsWith('allocation.')))
    .slice(0, 2);
  const matrix = reasons.filter((r) => r.passed && r.ruleId.startsWith('matrix.'));
  const held: Line[] = [
    ...reasons
      .filter((r) => !r.passed && r.ruleId.startsWith('gate.') && r.ruleId !== 'gate.zeroConversion')
      .map((r) => ({ text: r.text, tone: 'held' as const })),
    ...reasons
      .filter((r) => r.ruleId === 'hysteresis' && !r.passed)
      .map((r) => ({ text: r.text, tone: 'held' as const })),
    ...rec.guardrails
      .filter((g) => g.changed || !g.passed)
      .map((g) => ({ text: g.text, tone: 'held' as const })),
  ];
  const lines: Line[] = [
    ...why.map((r) => ({ text: r.text, tone: 'why' as const })),
    ...held,
    ...matrix.map((r) => ({ text: r.text, tone: 'why' as const })),
    ...rec.risks.slice(0, 1).map((text) => ({ text, tone: 'risk' as const })),
  ];
  const seen = new Set<string>();
  const unique = lines.filter((line) => !seen.has(line.text) && seen.add(line.text));
  if (unique.length === 0 && rec.explanation) return [{ text: rec.explanation, tone: 'why' }];
  return unique.slice(0, max);
}

/** Observed and threshold values as the engine wrote them, rounded for reading. */
export function formatEvidenceValue(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return new Intl.NumberFormat().format(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 2 : abs >= 1 ? 2 : 3;
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }).format(value);
}
