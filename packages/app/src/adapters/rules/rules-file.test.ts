import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_RULES } from '@roas/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { UserError } from '../../shared/errors.ts';
import { DEFAULT_RULES_FILE, loadRulesFile, parseRulesYaml, RulesFileError } from './rules-file.ts';

const DEFAULT_TEXT = readFileSync(DEFAULT_RULES_FILE, 'utf8');

/** Replaces exactly one occurrence of `from` in the default file. */
function edit(from: string, to: string, text = DEFAULT_TEXT): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" must occur exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line and column of the first occurrence of `needle` at or after `after`. */
function positionOf(text: string, needle: string, after = ''): { line: number; column: number } {
  const offset = text.indexOf(needle, after === '' ? 0 : text.indexOf(after));
  if (offset < 0) throw new Error(`"${needle}" not found`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1) ?? '').length + 1 };
}

function refusal(text: string, fileName = 'rules.yaml'): RulesFileError {
  try {
    parseRulesYaml(text, fileName);
  } catch (error) {
    if (error instanceof RulesFileError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('the default rules file', () => {
  it('parses to exactly DEFAULT_RULES', async () => {
    expect(parseRulesYaml(DEFAULT_TEXT, 'default-rules.yaml')).toEqual(DEFAULT_RULES);
    expect(await loadRulesFile(DEFAULT_RULES_FILE)).toEqual(DEFAULT_RULES);
  });

  it('comments every matrix cell', () => {
    const matrix = DEFAULT_TEXT.slice(
      DEFAULT_TEXT.indexOf('\nmatrix:'),
      DEFAULT_TEXT.indexOf('\naudiences:'),
    );
    const cells = matrix.match(/^ {4}(stable|improving|declining|volatile):$/gm) ?? [];
    expect(cells).toHaveLength(16);
    // Each cell of the seeded rows is preceded by its own comment; loserLowSpend shares one.
    const commented = matrix.match(/^ {4}(stable|improving|declining|volatile):\n {6}#/gm) ?? [];
    expect(commented).toHaveLength(12);
  });

  it('accepts anchors and aliases', () => {
    const text = edit(
      `  loserLowSpend:
    stable:
      action: HOLD`,
      `  loserLowSpend:
    stable: &hold
      action: HOLD`,
    ).replace(
      `    improving:
      action: HOLD
      rationale: 'Too little spend to judge, and the trend is up.'`,
      '    improving: *hold',
    );
    const rules = parseRulesYaml(text, 'aliases.yaml');
    expect(rules.matrix.loserLowSpend.improving).toEqual(DEFAULT_RULES.matrix.loserLowSpend.stable);
  });

  it('round-trips DEFAULT_RULES written back as YAML', () => {
    expect(parseRulesYaml(stringify(DEFAULT_RULES), 'written.yaml')).toEqual(DEFAULT_RULES);
  });
});

type BadFile = [
  name: string,
  text: string,
  at: { line: number; column: number },
  path: string,
  reason: RegExp,
];

const percent40 = edit('maxScalePerAction: { percent: 25 }', 'maxScalePerAction: { percent: 40 }');
const unknownKey = edit('  cooldownHours: 48', '  cooldownHours: 48\n  coolDown: 24');
const wrongType = edit('  cooldownHours: 48 #', '  cooldownHours: forty-eight #');
const unordered = edit('averageAtLeast: 0.9 #', 'averageAtLeast: 1.3 #');
const tier5 = edit(
  'signal: { kind: ctr, above: 0.015 }\n        spendAllowance: { unit: currency, value: 200 }',
  'signal: { kind: ctr, above: 0.015 }\n        spendAllowance: { unit: currency, value: 260 }',
);
const badKind = edit('kind: cpmAbove', 'kind: cpmOver');
const noCell = edit(
  `    volatile:
      # Chosen: Hold. Neither its level nor its direction is clear enough to act on.
      action: HOLD
      rationale: 'Average and erratic: no signal strong enough to act on either way.'
`,
  '',
);
const duplicateId = edit('- id: validation.kill.cpa-above', '- id: scaling.kill.cpa-above');
const badCondition = edit(
  '{ metric: cpa, op: gt, value: { unit: targetCpa, value: 1.2 }, days: 2, eachDay: true }',
  '{ metric: cpa, op: gt, value: { unit: targetCpa, value: 1.2 }, days: lifetime, eachDay: true }',
);

const badFiles: BadFile[] = [
  [
    'an out-of-range guardrail, at the value',
    percent40,
    positionOf(percent40, '40 }'),
    'guardrails.maxScalePerAction.percent',
    /Too big: expected number to be <=30/,
  ],
  [
    'an unknown key, at the key',
    unknownKey,
    positionOf(unknownKey, 'coolDown'),
    'guardrails.coolDown',
    /unknown key/,
  ],
  [
    'a wrong type, at the value',
    wrongType,
    positionOf(wrongType, 'forty-eight'),
    'guardrails.cooldownHours',
    /expected number, received string/,
  ],
  [
    'unordered buckets, at the lower bound',
    unordered,
    positionOf(unordered, '1.3 #'),
    'buckets.averageAtLeast',
    /must be below buckets.winnerAtLeast/,
  ],
  [
    'tier spends that do not decrease, inside a flow map',
    tier5,
    positionOf(tier5, '260'),
    'stages.testing.tiers[4].spendAllowance.value',
    /weaker signals get less spend/,
  ],
  [
    'an unknown rule kind inside a list',
    badKind,
    positionOf(badKind, 'cpmOver'),
    'stages.testing.kill[2].kind',
    /Invalid discriminator value/,
  ],
  [
    'an incomplete matrix, at the row that lacks the cell',
    noCell,
    positionOf(noCell, 'average:', '\nmatrix:'),
    'matrix.average.volatile',
    /is required/,
  ],
  [
    'a duplicate rule id',
    duplicateId,
    // Validation is checked first, so the scaling stage's own id is the duplicate.
    positionOf(duplicateId, 'scaling.kill.cpa-above', '  scaling:\n    kill:'),
    'stages.scaling.kill[0].id',
    /duplicate rule id "scaling.kill.cpa-above"/,
  ],
  [
    'a cross-field check on a key that is present',
    badCondition,
    positionOf(badCondition, 'true }', 'days: lifetime'),
    'stages.scaling.scaleDown[0].all[0].eachDay',
    /cannot be true with days: lifetime/,
  ],
];

describe('a file that does not validate', () => {
  it.each(badFiles)('%s', (_name, text, at, issuePath, reason) => {
    const error = refusal(text);
    const issue = error.issues.find((candidate) => candidate.path === issuePath);
    expect(issue, JSON.stringify(error.issues)).toBeDefined();
    expect({ line: issue?.line, column: issue?.column }).toEqual(at);
    expect(issue?.message).toMatch(reason);
    expect(error.message).toContain(`rules.yaml:${at.line}:${at.column}: ${issuePath}: `);
  });

  it('lists every issue in line order, each with the file name, and is a UserError for the CLI', () => {
    const text = edit('averageAtLeast: 0.9 #', 'averageAtLeast: 1.3 #', unknownKey);
    const error = refusal(text, 'team/rules.yaml');
    expect(error).toBeInstanceOf(UserError);
    expect(error.fileName).toBe('team/rules.yaml');
    const averageAt = positionOf(text, '1.3 #');
    const keyAt = positionOf(text, 'coolDown');
    expect(error.message).toBe(
      [
        'team/rules.yaml: is not a valid rules file',
        `  team/rules.yaml:${averageAt.line}:${averageAt.column}: buckets.averageAtLeast: must be below buckets.winnerAtLeast (1.2) so the buckets are ordered`,
        `  team/rules.yaml:${keyAt.line}:${keyAt.column}: guardrails.coolDown: unknown key "coolDown"`,
      ].join('\n'),
    );
    const second = refusal(edit('\n  coolDown: 24', '', text), 'team/rules.yaml');
    expect(second.issues).toEqual([
      {
        ...averageAt,
        path: 'buckets.averageAtLeast',
        message: 'must be below buckets.winnerAtLeast (1.2) so the buckets are ordered',
      },
    ]);
  });

  it('points at the key that lacks a required section', () => {
    const text = 'version: 1\ntargets:\n  breakEven: { from: margin, margin: 0.6 }\n';
    const error = refusal(text);
    expect(error.issues.find((i) => i.path === 'targets.targetRoas')).toMatchObject({ line: 2, column: 1 });
    expect(error.issues.find((i) => i.path === 'noiseGate')).toMatchObject({ line: 1, column: 1 });
  });

  it('refuses an empty file at its start', () => {
    expect(refusal('').issues).toEqual([
      { line: 1, column: 1, path: '', message: 'Invalid input: expected object, received null' },
    ]);
    expect(refusal('# nothing\n').message).toContain('rules.yaml:1:1: (root): ');
  });
});

describe('invalid YAML', () => {
  it.each([
    ['an unclosed flow map', edit('{ cold: 3, warm: 6 }', '{ cold: 3, warm: 6'), /./],
    ['a tab used for indentation', edit('  cooldownHours: 48', '\tcooldownHours: 48'), /tab/i],
    ['a duplicate key', edit('  cooldownHours: 48', '  cooldownHours: 48\n  cooldownHours: 24'), /unique/i],
  ])('reports %s with its line and column', (_name, text, reason) => {
    const error = refusal(text);
    expect(error.message.split('\n')[0]).toBe('rules.yaml: is not valid YAML');
    expect(error.issues.length).toBeGreaterThan(0);
    const first = error.issues[0];
    expect(first?.message).toMatch(reason);
    expect(first?.line).toBeGreaterThan(1);
    expect(first?.path).toBeNull();
    expect(error.message).toContain(`rules.yaml:${first?.line}:${first?.column}: ${first?.message}`);
  });

  it('places a duplicate key on its own line', () => {
    const text = edit('  cooldownHours: 48', '  cooldownHours: 48\n  cooldownHours: 24');
    const at = positionOf(text, 'cooldownHours: 24');
    expect(refusal(text).issues[0]).toMatchObject({ line: at.line, column: at.column });
  });
});

describe('loadRulesFile', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'roas-rules-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the file it read in every issue', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, percent40);
    const at = positionOf(percent40, '40 }');
    await expect(loadRulesFile(file)).rejects.toThrow(
      `${file}:${at.line}:${at.column}: guardrails.maxScalePerAction.percent: Too big`,
    );
  });

  it('refuses a missing file clearly', async () => {
    const file = path.join(dir, 'missing.yaml');
    await expect(loadRulesFile(file)).rejects.toThrow(`${file}: cannot read the rules file (ENOENT)`);
  });
});
