import { parseMicros } from '@roas/core';
import { describe, expect, it } from 'vitest';
import { audienceFromTargeting, insightTotals } from './graph-mappers.ts';

describe('insightTotals', () => {
  it('counts a purchase once though Meta lists it under several overlapping types', () => {
    const totals = insightTotals({
      date_start: '2026-07-09',
      date_stop: '2026-07-09',
      spend: '14.35',
      impressions: '1500',
      reach: '1200',
      inline_link_clicks: '30',
      actions: [
        { action_type: 'link_click', value: '31' },
        { action_type: 'add_to_cart', value: '4' },
        { action_type: 'omni_add_to_cart', value: '5' },
        { action_type: 'offsite_conversion.fb_pixel_purchase', value: '2' },
        { action_type: 'omni_purchase', value: '3' },
        { action_type: 'purchase', value: '3' },
      ],
      action_values: [
        { action_type: 'offsite_conversion.fb_pixel_purchase', value: '100.10' },
        { action_type: 'omni_purchase', value: '150.15' },
        { action_type: 'purchase', value: '150.15' },
      ],
    });
    expect(totals).toEqual({
      spend: parseMicros('14.35'),
      revenue: parseMicros('150.15'),
      purchases: 3,
      impressions: 1500,
      reach: 1200,
      linkClicks: 30,
      addsToCart: 5,
      checkoutsInitiated: 0,
    });
  });

  it('falls back along the priority list and treats omitted keys as zero', () => {
    const pixelOnly = insightTotals({
      date_start: '2026-07-09',
      date_stop: '2026-07-09',
      actions: [
        { action_type: 'offsite_conversion.fb_pixel_purchase', value: '2' },
        { action_type: 'link_click', value: '7' },
      ],
    });
    expect(pixelOnly).toMatchObject({ purchases: 2, revenue: 0n, spend: 0n, linkClicks: 7, impressions: 0 });
  });

  it('names the row and field when a number is malformed', () => {
    const row = { adset_id: '12', date_start: '2026-07-09', date_stop: '2026-07-09' };
    expect(() => insightTotals({ ...row, impressions: 'lots' })).toThrow(
      /insights row 12 2026-07-09: field "impressions"/,
    );
    expect(() => insightTotals({ ...row, spend: '1.2.3' })).toThrow(/field "spend"/);
    expect(() => insightTotals({ ...row, spend: '0.0000001' })).toThrow(/rounded/);
  });
});

describe('audienceFromTargeting', () => {
  it('reads broad, interest, lookalike and retargeting', () => {
    expect(audienceFromTargeting({ age_min: 25, geo_locations: { countries: ['US'] } })).toEqual({
      type: 'broad',
      lookalikePercent: null,
    });
    expect(audienceFromTargeting(undefined).type).toBe('broad');
    expect(audienceFromTargeting({ flexible_spec: [{ interests: [{ id: '1', name: 'Yoga' }] }] }).type).toBe(
      'interest',
    );
    expect(
      audienceFromTargeting({ custom_audiences: [{ id: '9', name: 'Website visitors 30d' }] }).type,
    ).toBe('retargeting');
    expect(
      audienceFromTargeting({ custom_audiences: [{ id: '8', name: 'Lookalike (US, 1%) - Purchasers' }] }),
    ).toEqual({
      type: 'lookalike',
      lookalikePercent: 1,
    });
  });

  it('prefers what the account says about an audience over its name', () => {
    const audiences = new Map([['8', { isLookalike: true, ratio: 0.03 }]]);
    expect(
      audienceFromTargeting({ custom_audiences: [{ id: '8', name: 'Buyers seed' }] }, audiences),
    ).toEqual({
      type: 'lookalike',
      lookalikePercent: 3,
    });
  });
});
