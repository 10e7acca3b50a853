// Parse-only speed of parseAdsManagerCsv on generated daily ad-level exports (no database).
// Run: npx tsx packages/app/bench/csv-parse.bench.ts [rows=100000] [runs=5]
import { performance } from 'node:perf_hooks';
import { parseAdsManagerCsv } from '../src/import/ads-manager-parser.ts';
import { generateAdsManagerSample } from '../src/import/sample-export.ts';

const rows = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 5);

for (const withIds of [false, true]) {
  const sample = generateAdsManagerSample({ rows, seed: 42, withIds, withBom: true, crlf: true });
  const megabytes = Buffer.byteLength(sample.csv, 'utf8') / 1_000_000;
  const timings: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const parsed = parseAdsManagerCsv(sample.csv);
    timings.push(performance.now() - started);
    if (parsed.rows.length !== sample.dataRows) throw new Error(`parsed ${parsed.rows.length} rows`);
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(
    `${sample.dataRows} rows, ${megabytes.toFixed(1)} MB, ${withIds ? 'with IDs' : 'names only'}: ` +
      `first ${timings[0]?.toFixed(0)} ms, median ${median.toFixed(0)} ms, best ${sorted[0]?.toFixed(0)} ms ` +
      `(${Math.round(sample.dataRows / (median / 1000)).toLocaleString('en-US')} rows/s)`,
  );
}
