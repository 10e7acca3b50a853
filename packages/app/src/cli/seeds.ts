import { UserError } from '../shared/errors.ts';

const MAX_SEEDS = 100_000;

/** Reads `1-200`, `7`, or `1,2,5-9` into a sorted list of distinct non-negative seeds. */
export function parseSeeds(text: string): number[] {
  const seeds = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match)
      throw new UserError(`--seeds "${text}": expected a seed, a range like 1-200, or a comma list`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new UserError(`--seeds "${part.trim()}": the range runs backwards`);
    if (to - from + seeds.size >= MAX_SEEDS)
      throw new UserError(`--seeds "${text}": more than ${MAX_SEEDS} seeds`);
    for (let seed = from; seed <= to; seed++) seeds.add(seed);
  }
  return [...seeds].sort((a, b) => a - b);
}
