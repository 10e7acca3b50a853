// Policy benchmark on the simulated market: `default` and `low-volume`, 200 seeds, four policies.
// Run: npm run bench:simulate   (writes its tables into docs/benchmarks.md between the simulate markers)
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';
import { runBenchmark } from '@roas/sim';
import { renderBenchmark } from '../src/cli/commands/simulate.command.ts';

const SCENARIOS = ['default', 'low-volume'];
const POLICIES = ['equal', 'rules', 'greedy', 'oracle'];
const SEEDS = Array.from({ length: Number(process.env.BENCH_SEEDS ?? 200) }, (_, i) => i + 1);
const DOC = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
const START = '<!-- bench:simulate:start -->';
const END = '<!-- bench:simulate:end -->';

const sections: string[] = [];
const started = performance.now();
for (const scenario of SCENARIOS) {
  const t0 = performance.now();
  const result = await runBenchmark({ scenario, policies: POLICIES, seeds: SEEDS });
  const seconds = (performance.now() - t0) / 1000;
  const table = renderBenchmark(result, 'markdown');
  console.log(`${table}\n\n(${seconds.toFixed(1)} s)\n`);
  sections.push(`${table}\n\nWall time: ${seconds.toFixed(1)} s.`);
}
const total = (performance.now() - started) / 1000;
console.log(
  `Total wall time: ${total.toFixed(1)} s on ${availableParallelism()} cores (target: under 300 s).`,
);

const body = [
  START,
  `Command: \`npm run bench:simulate\`. ${SEEDS.length} seeds, policies ${POLICIES.join(', ')}, worker threads on ${availableParallelism()} cores; total wall time ${total.toFixed(1)} s (target under 300 s).`,
  '',
  sections.join('\n\n'),
  END,
].join('\n');
const doc = readFileSync(DOC, 'utf8');
const from = doc.indexOf(START);
const to = doc.indexOf(END);
const updated =
  from >= 0 && to > from
    ? `${doc.slice(0, from)}${body}${doc.slice(to + END.length)}`
    : `${doc.trimEnd()}\n\n## Simulated market: policy benchmark\n\n${body}\n`;
// Formatted as the repository formats Markdown, so `npm run check` stays green after a run.
writeFileSync(DOC, await format(updated, { parser: 'markdown', singleQuote: true, printWidth: 110 }));
