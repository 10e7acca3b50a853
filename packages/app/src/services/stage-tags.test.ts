import { describe, expect, it } from 'vitest';
import { stageFromCampaignName } from './stage-tags.ts';

describe('stageFromCampaignName', () => {
  it.each([
    ['[TEST] Prospecting — hooks', 'testing'],
    ['Prospecting [testing]', 'testing'],
    ['Creative Testing Q3', 'testing'],
    ['[VAL] Winners from tests', 'validation'],
    ['[Validation] Spring', 'validation'],
    ['Validation — carousel', 'validation'],
    ['[SCALE] Evergreen', 'scaling'],
    ['Scaling: broad', 'scaling'],
    ['[scaling] LAL 1%', 'scaling'],
  ] as const)('%j is %s', (name, stage) => {
    expect(stageFromCampaignName(name)).toBe(stage);
  });

  it.each(['Spring Sale — Conversions', 'Contest entries', 'Latest drop', 'Upscale shoppers', '', null])(
    '%j has no stage',
    (name) => {
      expect(stageFromCampaignName(name)).toBeNull();
    },
  );

  it('takes the first tag when a name carries several', () => {
    expect(stageFromCampaignName('[SCALE] winners of Testing round 2')).toBe('scaling');
    expect(stageFromCampaignName('Testing → [SCALE] next week')).toBe('testing');
  });
});
