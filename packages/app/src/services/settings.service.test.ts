import { readFileSync } from 'node:fs';
import { DEFAULT_RULES } from '@roas/core';
import { describe, expect, it } from 'vitest';
import { rulesWith } from '../../test/recommend-fixture.ts';
import { describeEachEngine } from '../../test/test-databases.ts';
import { upsertAccount } from '../adapters/db/repositories/accounts.repository.ts';
import { settingsVersions, users } from '../adapters/db/schema.ts';
import { RulesFileError } from '../adapters/rules/rules-file.ts';
import { ENGINE_VERSION } from '../shared/engine-version.ts';
import {
  currentSettings,
  diffRules,
  diffSettingsVersions,
  listSettingsVersions,
  saveSettings,
  saveSettingsYaml,
  SettingsValidationError,
} from './settings.service.ts';

describe('ENGINE_VERSION', () => {
  it("is @roas/core's package version", () => {
    const core = JSON.parse(readFileSync(new URL('../../../core/package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(ENGINE_VERSION).toBe(core.version);
  });
});

describe('diffRules', () => {
  it('lists each changed leaf with its path and both values', () => {
    const after = rulesWith((r) => {
      r.guardrails.cooldownHours = 72;
      r.noiseGate.minPurchases = 3;
      r.stages.testing.kill.pop();
    });
    const removed = DEFAULT_RULES.stages.testing.kill.at(-1);
    expect(diffRules(DEFAULT_RULES, after)).toEqual([
      { path: 'noiseGate.minPurchases', kind: 'changed', old: 2, new: 3 },
      {
        path: `stages.testing.kill[${DEFAULT_RULES.stages.testing.kill.length - 1}]`,
        kind: 'removed',
        old: removed,
        new: null,
      },
      {
        path: 'guardrails.cooldownHours',
        kind: 'changed',
        old: DEFAULT_RULES.guardrails.cooldownHours,
        new: 72,
      },
    ]);
    expect(diffRules(DEFAULT_RULES, structuredClone(DEFAULT_RULES))).toEqual([]);
  });

  it('tells null from a value and an added key from a changed one', () => {
    expect(diffRules({ a: null, b: [1] }, { a: 0, b: [1, 2], c: 'x' })).toEqual([
      { path: 'a', kind: 'changed', old: null, new: 0 },
      { path: 'b[1]', kind: 'added', old: null, new: 2 },
      { path: 'c', kind: 'added', old: null, new: 'x' },
    ]);
  });
});

describeEachEngine('settings versions', (get) => {
  const now = new Date('2026-03-10T12:00:00Z');

  it('serves the bundled defaults until a version is saved, as version id 0', async () => {
    const current = await currentSettings(get().db, null);
    expect(current).toMatchObject({ source: 'default', settingsVersionId: 0, version: null });
    expect(current.rules).toEqual(DEFAULT_RULES);
  });

  it('refuses a document that does not validate, naming path and reason, and writes nothing', async () => {
    const bad = rulesWith((r) => {
      r.guardrails.cooldownHours = -1;
    }) as unknown as Record<string, unknown>;
    (bad.noiseGate as Record<string, unknown>).minPurchasez = 2;
    const failure = await saveSettings(get().db, bad, { now }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SettingsValidationError);
    const issues = (failure as SettingsValidationError).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['guardrails.cooldownHours', 'noiseGate.minPurchasez']));
    expect((failure as Error).message).toMatch(/guardrails\.cooldownHours: /);
    expect((failure as Error).message).toMatch(/nothing was saved/);

    const yamlFailure = await saveSettingsYaml(
      get().db,
      { text: 'version: 1\ntargets: [\n', fileName: 'rules.yaml' },
      { now },
    ).catch((e: unknown) => e);
    expect(yamlFailure).toBeInstanceOf(RulesFileError);
    expect((yamlFailure as Error).message).toMatch(/rules\.yaml:\d+:\d+/);
    expect(await get().db.select().from(settingsVersions)).toEqual([]);
  });

  it('saves versions with who, when and why, and the newest applies (the account’s before the global one)', async () => {
    const { db } = get();
    const [user] = await db
      .insert(users)
      .values({ username: 'maria', passwordHash: 'x', role: 'admin' })
      .returning();
    await upsertAccount(db, { id: 'act_77', source: 'csv', name: 'Shop', currency: 'EUR' }, now);

    const first = await saveSettings(
      db,
      rulesWith((r) => {
        r.guardrails.cooldownHours = 72;
      }),
      { now, comment: 'slower cooldown', createdBy: user?.id ?? null },
    );
    expect(first).toMatchObject({
      scope: 'global',
      version: 1,
      comment: 'slower cooldown',
      createdBy: { id: user?.id, username: 'maria' },
    });
    expect(first.createdAt.toISOString()).toBe(now.toISOString());

    const later = new Date(now.getTime() + 60_000);
    const yaml = readFileSync(new URL('../../rules/default-rules.yaml', import.meta.url), 'utf8');
    const second = await saveSettingsYaml(db, { text: yaml, fileName: 'default-rules.yaml' }, { now: later });
    expect(second).toMatchObject({ scope: 'global', version: 2, comment: null, createdBy: null });

    const own = await saveSettings(
      db,
      rulesWith((r) => {
        r.noiseGate.minPurchases = 5;
      }),
      { scope: 'act_77', now: later, comment: 'small shop' },
    );
    expect(own).toMatchObject({ scope: 'act_77', version: 1 });

    const global = await currentSettings(db, null);
    expect(global).toMatchObject({ source: 'global', settingsVersionId: second.id });
    expect(global.rules).toEqual(DEFAULT_RULES);
    const forAccount = await currentSettings(db, 'act_77');
    expect(forAccount).toMatchObject({ source: 'account', settingsVersionId: own.id });
    expect(forAccount.rules.noiseGate.minPurchases).toBe(5);
    expect((await currentSettings(db, 'act_other')).settingsVersionId).toBe(second.id);

    await expect(saveSettings(db, DEFAULT_RULES, { scope: 'act_nope', now })).rejects.toThrow(
      /no such account/,
    );

    expect((await listSettingsVersions(db)).map((v) => [v.scope, v.version, v.comment])).toEqual([
      ['global', 1, 'slower cooldown'],
      ['global', 2, null],
      ['act_77', 1, 'small shop'],
    ]);
    expect((await listSettingsVersions(db, { scope: 'act_77' })).map((v) => v.id)).toEqual([own.id]);

    const diff = await diffSettingsVersions(db, first.id, second.id);
    expect(diff.from?.id).toBe(first.id);
    expect(diff.to?.id).toBe(second.id);
    expect(diff.changes).toEqual([
      {
        path: 'guardrails.cooldownHours',
        kind: 'changed',
        old: 72,
        new: DEFAULT_RULES.guardrails.cooldownHours,
      },
    ]);
    expect((await diffSettingsVersions(db, 0, own.id)).changes).toEqual([
      { path: 'noiseGate.minPurchases', kind: 'changed', old: DEFAULT_RULES.noiseGate.minPurchases, new: 5 },
    ]);
    await expect(diffSettingsVersions(db, first.id, 9999)).rejects.toThrow(
      /no settings version with id 9999/,
    );
  });
});
