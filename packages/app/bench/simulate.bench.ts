// Policy benchmark on the simulated market: `default` and `low-volume`, 200 seeds, four policies.
// Run: npm run bench:simulate   (writes its tables into docs/benchmarks.md between the simulate markers)
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { runBenchmark } from '@roas/sim';
import { renderBenchmark } from '../src/cli/commands/simulate.command.ts';
import { writeBenchmarkSection } from './benchmarks-doc.ts';

const SCENARIOS = ['default', 'low-volume'];
const POLICIES = ['equal', 'rules', 'greedy', 'oracle'];
const SEEDS = Array.from({ length: Number(process.env.BENCH_SEEDS ?? 200) }, (_, i) => i + 1);

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

await writeBenchmarkSection(
  'simulate',
  'Simulated market: policy benchmark',
  [
    `Command: \`npm run bench:simulate\`. ${SEEDS.length} seeds, policies ${POLICIES.join(', ')}, worker threads on ${availableParallelism()} cores; total wall time ${total.toFixed(1)} s (target under 300 s).`,
    '',
    sections.join('\n\n'),
  ].join('\n'),
);
