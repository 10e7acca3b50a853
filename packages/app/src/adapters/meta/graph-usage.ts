/** Rate-limit usage read from one response's headers, as percentages of quota (0-100+). */
export type GraphUsage = {
  /** The highest of every usage figure in the headers. */
  maxPercent: number;
  /** Longest estimated_time_to_regain_access across business-use-case entries, in minutes. */
  regainAccessMinutes: number;
};

type Headers = { get(name: string): string | null };

function parseJson(text: string | null): unknown {
  if (text === null || text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function numbers(object: unknown, keys: readonly string[]): number[] {
  if (typeof object !== 'object' || object === null) return [];
  const record = object as Record<string, unknown>;
  return keys.map((key) => Number(record[key])).filter((value) => Number.isFinite(value));
}

/**
 * Reads x-business-use-case-usage, x-ad-account-usage, x-app-usage and x-fb-ads-insights-throttle
 * (meta-graph-api.md 6.1). Unknown or malformed headers count as zero usage rather than failing a call.
 */
export function readUsage(headers: Headers): GraphUsage {
  const percents: number[] = [];
  let regain = 0;
  const buc = parseJson(headers.get('x-business-use-case-usage'));
  if (typeof buc === 'object' && buc !== null) {
    for (const entries of Object.values(buc as Record<string, unknown>)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        percents.push(...numbers(entry, ['call_count', 'total_cputime', 'total_time']));
        regain = Math.max(regain, ...numbers(entry, ['estimated_time_to_regain_access']), 0);
      }
    }
  }
  const account = parseJson(headers.get('x-ad-account-usage'));
  const [accountPercent = 0] = numbers(account, ['acc_id_util_pct']);
  percents.push(accountPercent);
  // At 100% the account-level counter's reset_time_duration (seconds) is how long the block lasts.
  if (accountPercent >= 100) {
    const [resetSeconds = 0] = numbers(account, ['reset_time_duration']);
    regain = Math.max(regain, Math.ceil(resetSeconds / 60));
  }
  percents.push(
    ...numbers(parseJson(headers.get('x-app-usage')), ['call_count', 'total_time', 'total_cputime']),
  );
  percents.push(
    ...numbers(parseJson(headers.get('x-fb-ads-insights-throttle')), ['app_id_util_pct', 'acc_id_util_pct']),
  );
  return { maxPercent: Math.max(0, ...percents), regainAccessMinutes: regain };
}
