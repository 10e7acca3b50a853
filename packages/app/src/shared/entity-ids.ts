import { createHash } from 'node:crypto';

/**
 * Stable ids for objects known only by name (CSV exports without ID columns): a hash of the account
 * and the names on the path to the object, so the same export always maps to the same rows.
 */
export function nameKeyedId(
  accountId: string,
  level: 'campaign' | 'adset' | 'ad',
  names: readonly string[],
): string {
  const digest = createHash('sha256')
    .update([accountId, level, ...names].join('\u0000'))
    .digest('hex');
  return `name:${level}:${digest.slice(0, 24)}`;
}

/** Id for an account created from a CSV export: Meta's own id when the file has one. */
export function csvAccountId(externalId: string | null, name: string): string {
  if (externalId) return `act_${externalId.replace(/^act_/, '')}`;
  return `csv:${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}
