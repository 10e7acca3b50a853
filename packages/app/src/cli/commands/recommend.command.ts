import { formatMicros, minorUnitsToMicros, STAGES, type Stage } from '@roas/core';
import { Option, type Command } from 'commander';
import {
  recommend,
  type AccountRecommendations,
  type Recommendation,
} from '../../services/recommend.service.ts';
import { AnalystRun, analystSettingsFrom } from '../../services/analyst/analyst.service.ts';
import { fmt, renderTable, type Column } from '../format.ts';
import { runWithContext } from '../run.ts';

/** Groups in the order a person acts on them: money moves first, Hold last. */
const ACTION_ORDER = ['SCALE', 'PAUSE', 'RETEST', 'PROMOTE', 'HOLD'] as const;

function money(minor: bigint | null, run: AccountRecommendations): string | null {
  if (minor === null) return null;
  return formatMicros(minorUnitsToMicros(minor, run.minorDigits), run.minorDigits);
}

function number(value: number | null): string {
  if (value === null) return '-';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(Math.abs(value) >= 10 ? 2 : 4)));
}

function changeText(r: Recommendation): string {
  if (r.scalePercent === null) return '-';
  return `${r.scalePercent >= 0 ? '+' : ''}${r.scalePercent.toFixed(1)}%`;
}

function budgetText(r: Recommendation, run: AccountRecommendations): string {
  const amount = money(r.newDailyBudgetMinor, run);
  if (amount === null) {
    if (r.action !== 'SCALE') return '-';
    return r.appliesTo === 'campaign' ? 'campaign budget' : '% only';
  }
  return r.appliesTo === 'campaign' ? `${amount} (campaign)` : amount;
}

function settingsText(run: AccountRecommendations): string {
  return run.settingsSource === 'default'
    ? 'default settings'
    : `${run.settingsSource} settings #${run.settingsVersionId}`;
}

function renderExplanation(r: Recommendation): string {
  const reasons = r.reasons.map((reason) => {
    const values =
      reason.observed === null && reason.threshold === null
        ? ''
        : ` (${reason.metric}: ${number(reason.observed)} vs ${number(reason.threshold)})`;
    return `    ${reason.passed ? 'pass' : 'FAIL'}  ${reason.ruleId}: ${reason.text}${values}`;
  });
  const guardrails = r.guardrails.map(
    (g) => `    ${g.passed ? 'pass' : 'FAIL'}  ${g.id}: ${g.text}${g.changed ? ' (changed the action)' : ''}`,
  );
  const campaign = r.campaign.name ? ` (campaign: ${r.campaign.name})` : '';
  return [
    `${r.action} ${r.name}${campaign}`,
    `  ${r.explanation}`,
    '  reasons:',
    ...reasons,
    '  guardrails:',
    ...(guardrails.length > 0 ? guardrails : ['    (none applied)']),
  ].join('\n');
}

/** The recommendations of one account for people: a table per action, then notes (and the evidence). */
export function renderRecommendations(
  run: AccountRecommendations,
  options: { explain?: boolean } = {},
): string {
  const header =
    `${run.account.name} (${run.account.id}) · as of ${run.asOf} · ${run.account.currency} · ` +
    `${settingsText(run)} · engine ${run.engineVersion} · ${run.modelVersion ? `models ${run.modelVersion}` : 'no models'} · ` +
    `${run.recommendations.length} ad set(s)`;
  const lines = [header];
  const columns: Column<Recommendation>[] = [
    { header: 'Name', value: (r) => fmt.truncate(r.name, 40), align: 'left' },
    { header: 'Stage', value: (r) => r.stage ?? '-', align: 'left' },
    { header: 'Action', value: (r) => r.action, align: 'left' },
    { header: 'Change', value: changeText },
    { header: `New budget (${run.account.currency})`, value: (r) => budgetText(r, run) },
    { header: 'Confidence', value: (r) => r.confidence, align: 'left' },
    {
      header: 'Bucket / trend',
      value: (r) => (r.bucket && r.trend ? `${r.bucket} / ${r.trend}` : (r.bucket ?? '-')),
      align: 'left',
    },
    {
      header: 'ROAS mean [lo–hi]',
      value: (r) => `${fmt.ratio(r.roas.mean)} [${fmt.ratio(r.roas.lo)}–${fmt.ratio(r.roas.hi)}]`,
    },
  ];
  const known = new Set<string>(ACTION_ORDER);
  const groups = [
    ...ACTION_ORDER.map((action) => ({
      action,
      rows: run.recommendations.filter((r) => r.action === action),
    })),
    { action: 'OTHER', rows: run.recommendations.filter((r) => !known.has(r.action)) },
  ].filter((group) => group.rows.length > 0);
  if (groups.length === 0) lines.push('', 'No recommendations.');
  for (const group of groups)
    lines.push('', `${group.action} (${group.rows.length})`, renderTable(columns, group.rows));
  if (run.notes.length > 0) lines.push('', ...run.notes.map((note) => `note: ${note}`));
  if (options.explain && run.recommendations.length > 0) {
    lines.push('');
    for (const group of groups) for (const r of group.rows) lines.push(renderExplanation(r), '');
  }
  lines.push(
    run.runId === null
      ? 'Dry run: nothing stored.'
      : `Stored as run ${run.runId} (settings version ${run.settingsVersionId}, engine ${run.engineVersion}).`,
  );
  return lines.join('\n');
}

/** What `roas recommend --json` prints for one account; money as exact decimal strings, bigints as strings. */
export function recommendationsJson(run: AccountRecommendations) {
  return {
    account: {
      id: run.account.id,
      name: run.account.name,
      currency: run.account.currency,
      source: run.account.source,
      asOf: run.asOf,
      notes: run.notes,
    },
    generatedAt: run.generatedAt.toISOString(),
    recommendations: run.recommendations.map((r) => ({
      id: r.id,
      runId: run.runId,
      entityId: r.entityId,
      level: r.level,
      name: r.name,
      campaign: r.campaign,
      action: r.action,
      scalePercent: r.scalePercent,
      dailyBudget: money(r.dailyBudgetMinor, run),
      newDailyBudget: money(r.newDailyBudgetMinor, run),
      newDailyBudgetMinor: r.newDailyBudgetMinor === null ? null : r.newDailyBudgetMinor.toString(),
      appliesTo: r.appliesTo,
      confidence: r.confidence,
      bucket: r.bucket,
      trend: r.trend,
      stage: r.stage,
      roas: r.roas,
      reasons: r.reasons,
      risks: r.risks,
      guardrails: r.guardrails,
      explanation: r.explanation,
      analyst: r.analyst,
      settingsVersionId: run.settingsVersionId,
      engineVersion: run.engineVersion,
      modelVersion: run.modelVersion,
    })),
  };
}

export function registerRecommendCommand(program: Command): void {
  program
    .command('recommend')
    .description(
      'decide Scale, Hold, Pause or Retest for every ad set on stored data, and store the decisions',
    )
    .option('--account <id>', 'only this account (id or name; default: every account)')
    .addOption(new Option('--stage <stage>', 'only ad sets in this pipeline stage').choices([...STAGES]))
    .option('--explain', 'print each decision’s explanation, reasons and guardrails')
    .option('--json', 'print the recommendations as JSON')
    .option('--dry-run', 'decide and print, but store nothing')
    .option('--no-analyst', 'do not ask the Claude analyst (it runs only when ANTHROPIC_API_KEY is set)')
    .option('--no-ml', 'decide without the learning models (also off with ML_ENABLED=false)')
    .action(
      async (options: {
        account?: string;
        stage?: Stage;
        explain?: boolean;
        json?: boolean;
        dryRun?: boolean;
        analyst: boolean;
        ml: boolean;
      }) => {
        await runWithContext(async ({ database, config, logger }) => {
          const analystSettings = options.analyst ? analystSettingsFrom(config) : null;
          const runs = await recommend(database.db, {
            accountId: options.account,
            stage: options.stage,
            dryRun: options.dryRun ?? false,
            now: new Date(),
            ml: options.ml && config.mlEnabled,
            analyst: analystSettings
              ? new AnalystRun(analystSettings, { db: database.db, logger })
              : undefined,
          });
          if (options.json) {
            const shaped = runs.map(recommendationsJson);
            // One account asked for: one object; otherwise an array, one object per account.
            console.log(JSON.stringify(options.account === undefined ? shaped : shaped[0], null, 2));
            return;
          }
          console.log(
            runs.map((run) => renderRecommendations(run, { explain: options.explain })).join('\n\n'),
          );
        });
      },
    );
}
