import type { AudienceModifier, EngineRules } from '../rules/engine-rules.ts';
import type { EntityFacts } from './decide-entity.ts';

/** The audience modifier that applies: wide lookalikes (above the configured %) read another type's row. */
export function modifierFor(audience: EntityFacts['audience'], rules: EngineRules): AudienceModifier {
  const { type, lookalikePercent } = audience;
  if (type === 'lookalike') {
    const lookalike = rules.audiences.lookalike;
    const isWide = lookalikePercent !== null && lookalikePercent > lookalike.maxLookalikePercent;
    return isWide ? rules.audiences[lookalike.widerLookalikesAs] : lookalike;
  }
  return rules.audiences[type];
}
