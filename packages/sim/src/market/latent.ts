import { rngFor, STREAMS } from '../random/prng.ts';
import { sampleLognormal, sampleLogUniform, sampleUniform } from '../random/samplers.ts';
import { AUDIENCE_TYPES, type AudienceType, type Scenario } from '../scenarios/schema.ts';
import type { AdLatent, AdSetLatent, DriftEvent } from './types.ts';

const AUDIENCE_LABELS = {
  broad: 'Broad',
  interest: 'Interest',
  lookalike: 'Lookalike',
  retargeting: 'Retargeting',
} as const satisfies Record<AudienceType, string>;

const CREATIVE_LETTERS = 'ABCD';

/** 18-digit Graph-style ids, stable per index so fixtures and the fake API can rely on them. */
export function adSetId(index: number): string {
  return `238500${String(index + 1).padStart(12, '0')}`;
}

/** 18-digit Graph-style id of ad `adIndex` of ad set `adSetIndex`. */
export function adId(adSetIndex: number, adIndex: number): string {
  return `238600${String((adSetIndex + 1) * 10 + adIndex + 1).padStart(12, '0')}`;
}

/** Mean single-order value for the account: the scenario gives the median of a lognormal. */
export function accountMeanOrderValue(scenario: Scenario): number {
  const { median, sigma } = scenario.orderValue;
  return median * Math.exp((sigma * sigma) / 2);
}

/**
 * Draws ad set `index`'s latent parameters from its own stream, so they do not depend on N or on any
 * other ad set (decision-quality.md 2.2).
 */
export function drawAdSetLatent(scenario: Scenario, seed: number, index: number): AdSetLatent {
  const rng = rngFor(seed, STREAMS.latent, index);
  const mix = scenario.audienceMix;
  const total = AUDIENCE_TYPES.reduce((sum, type) => sum + mix[type], 0);
  let pick = rng.next() * total;
  let audienceType: AudienceType = AUDIENCE_TYPES.find((type) => mix[type] > 0) ?? 'broad';
  for (const type of AUDIENCE_TYPES) {
    if (mix[type] <= 0) continue;
    audienceType = type;
    pick -= mix[type];
    if (pick < 0) break;
  }
  const audience = scenario.audiences[audienceType];
  const { funnel } = scenario;
  const audienceSize = Math.round(sampleLogUniform(rng, audience.sizeMin, audience.sizeMax));
  const drawnR0 = sampleLognormal(
    rng,
    Math.log(scenario.roas.median) + audience.roasLogShift,
    scenario.roas.sigma,
  );
  const cpm = sampleLognormal(rng, Math.log(funnel.cpmMedian), funnel.cpmSigma) * audience.cpmMultiplier;
  const ctr = Math.min(0.5, sampleLognormal(rng, Math.log(funnel.ctrMedian), funnel.ctrSigma));
  const aov = accountMeanOrderValue(scenario) * sampleLognormal(rng, 0, funnel.aovSigma);
  // CVR is implied by the funnel identity ROAS = 1000 * CTR * CVR * AOV / CPM, then clipped; r0 follows the clip.
  const cvr = Math.min(funnel.cvrMax, Math.max(funnel.cvrMin, (drawnR0 * cpm) / (1000 * ctr * aov)));
  const r0 = (1000 * ctr * cvr * aov) / cpm;
  const alpha = sampleUniform(rng, scenario.saturation.alpha[0], scenario.saturation.alpha[1]);
  const kappa =
    sampleLognormal(rng, Math.log(scenario.saturation.kappaMedian), scenario.saturation.kappaSigma) *
    audience.kappaMultiplier;
  const k = (kappa * scenario.dailyBudget) / scenario.adSets;
  const drawnIncrementality = sampleUniform(rng, audience.incrementality[0], audience.incrementality[1]);
  const { min, max } = scenario.adsPerAdSet;
  const adCount = min + Math.min(max - min, Math.floor(rng.next() * (max - min + 1)));
  const label = `${AUDIENCE_LABELS[audienceType]} ${index + 1}`;
  const ads: AdLatent[] = [];
  for (let j = 0; j < adCount; j++) {
    const adRng = rngFor(seed, STREAMS.adLatent, index, j);
    const qualitySigma = funnel.adQualitySigma;
    ads.push({
      id: adId(index, j),
      name: `${label} / Creative ${CREATIVE_LETTERS[j] ?? String(j + 1)}`,
      quality: sampleLognormal(adRng, -(qualitySigma * qualitySigma) / 2, qualitySigma),
      fatigueBeta: sampleUniform(adRng, scenario.fatigue.beta[0], scenario.fatigue.beta[1]),
      wearOut: sampleUniform(adRng, 0, scenario.fatigue.wearOutMax),
    });
  }
  return {
    index,
    id: adSetId(index),
    name: label,
    audienceType,
    audienceSize,
    r0,
    cpm,
    ctr,
    cvr,
    aov,
    alpha,
    k,
    incrementality: scenario.effects.incrementality ? drawnIncrementality : 1,
    lagProfile: audience.lagProfile,
    ads,
  };
}

/** Regime shifts for this seed (none unless `effects.drift`), from their own stream. */
export function drawDriftEvents(scenario: Scenario, seed: number): DriftEvent[] {
  if (!scenario.effects.drift) return [];
  const { probability, shifts, multiplier, days } = scenario.drift;
  const events: DriftEvent[] = [];
  for (let s = 0; s < shifts; s++) {
    const rng = rngFor(seed, STREAMS.drift, s);
    const happens = rng.next() < probability;
    const adSetIndex = Math.min(scenario.adSets - 1, Math.floor(rng.next() * scenario.adSets));
    const day = days[0] + Math.min(days[1] - days[0], Math.floor(rng.next() * (days[1] - days[0] + 1)));
    const factor = sampleUniform(rng, multiplier[0], multiplier[1]);
    if (happens) events.push({ adSetIndex, day, multiplier: factor });
  }
  return events.sort((a, b) => a.day - b.day || a.adSetIndex - b.adSetIndex);
}
