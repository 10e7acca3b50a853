import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import defaultPreset from './presets/default.json' with { type: 'json' };
import driftPreset from './presets/drift.json' with { type: 'json' };
import fatiguePreset from './presets/fatigue.json' with { type: 'json' };
import highSpreadPreset from './presets/high-spread.json' with { type: 'json' };
import highVolumePreset from './presets/high-volume.json' with { type: 'json' };
import lowSpreadPreset from './presets/low-spread.json' with { type: 'json' };
import lowVolumePreset from './presets/low-volume.json' with { type: 'json' };
import retargetingHeavyPreset from './presets/retargeting-heavy.json' with { type: 'json' };
import slowLagPreset from './presets/slow-lag.json' with { type: 'json' };
import { scenarioSchema, type Scenario } from './schema.ts';

/** The named scenarios shipped with the simulator. */
export const PRESET_NAMES = [
  'default',
  'low-volume',
  'high-volume',
  'high-spread',
  'low-spread',
  'slow-lag',
  'fatigue',
  'drift',
  'retargeting-heavy',
] as const;
/** A shipped preset's name. */
export type PresetName = (typeof PRESET_NAMES)[number];

const PRESETS: Record<PresetName, unknown> = {
  default: defaultPreset,
  'low-volume': lowVolumePreset,
  'high-volume': highVolumePreset,
  'high-spread': highSpreadPreset,
  'low-spread': lowSpreadPreset,
  'slow-lag': slowLagPreset,
  fatigue: fatiguePreset,
  drift: driftPreset,
  'retargeting-heavy': retargetingHeavyPreset,
};

/** One problem in a scenario, located by its dotted path (`effects.fatigu`, `lag.slow.pmf`). */
export type ScenarioIssue = { path: string; message: string };

/** A scenario that could not be read or validated; the message lists every issue with its path. */
export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ScenarioIssue[],
  ) {
    super(`Invalid scenario ${source}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

/** True for the name of a shipped preset. */
export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(root)' : text;
}

function toIssues(error: z.ZodError): ScenarioIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown key' }))
      : [{ path: formatPath(issue.path), message: issue.message }],
  );
}

/** Objects merge key by key, anything else (arrays included) is replaced. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

/** Resolves `extends: "<preset>"` chains into one raw object. */
function resolveExtends(input: unknown, source: string, seen: readonly string[] = []): unknown {
  if (!isPlainObject(input) || !('extends' in input)) return input;
  const { extends: parent, ...rest } = input;
  if (typeof parent !== 'string' || !isPresetName(parent)) {
    throw new ScenarioError(source, [
      { path: 'extends', message: `expected one of ${PRESET_NAMES.join(', ')}` },
    ]);
  }
  if (seen.includes(parent)) {
    throw new ScenarioError(source, [{ path: 'extends', message: `cycle through "${parent}"` }]);
  }
  const base = resolveExtends(PRESETS[parent], `preset "${parent}"`, [...seen, parent]);
  // The child's name wins; without one the scenario is named after what it extends.
  return deepMerge(isPlainObject(base) ? { ...base, name: `${parent}+custom` } : base, rest);
}

/** Validates a raw scenario object (after `extends`), throwing a ScenarioError that names every bad path. */
export function parseScenario(input: unknown, source = '(inline)'): Scenario {
  const resolved = resolveExtends(input, source);
  const result = scenarioSchema.safeParse(resolved);
  if (!result.success) throw new ScenarioError(source, toIssues(result.error));
  return result.data;
}

/**
 * Loads a scenario from a preset name (`default`, `low-volume`, ...), JSON text, a path to a `.json`
 * file, or an already-parsed object. Partial input is completed with defaults; `"extends": "<preset>"`
 * starts from a preset. Throws ScenarioError with the path of every problem.
 */
export function loadScenario(nameOrJson: string | Record<string, unknown>): Scenario {
  if (typeof nameOrJson !== 'string') return parseScenario(nameOrJson);
  const text = nameOrJson.trim();
  if (isPresetName(text)) return parseScenario(PRESETS[text], `preset "${text}"`);
  if (text.startsWith('{')) return parseScenario(parseJson(text, '(inline JSON)'), '(inline JSON)');
  if (text.endsWith('.json')) {
    let content: string;
    try {
      content = readFileSync(text, 'utf8');
    } catch (error) {
      throw new ScenarioError(text, [{ path: '(file)', message: (error as Error).message }]);
    }
    return parseScenario(parseJson(content, text), text);
  }
  throw new ScenarioError(`"${text}"`, [
    { path: '(name)', message: `not a preset (${PRESET_NAMES.join(', ')}), JSON text or a .json file` },
  ]);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScenarioError(source, [{ path: '(json)', message: (error as Error).message }]);
  }
}
