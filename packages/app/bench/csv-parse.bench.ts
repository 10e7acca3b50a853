// Times parseAdsManagerCsv on a generated 100,000-row daily export: `npx tsx packages/app/bench/csv-parse.bench.ts`.
import { parseAdsManagerCsv } from '../src/import/ads-manager-parser.ts';
import { generateAdsManagerSample } from '../src/import/sample-export.ts';

const rows = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 5);

let started = performance.now();
const sample = generateAdsManagerSample({ rows, seed: 42, withIds: true, crlf: true, withBom: true });
const generateMs = performance.now() - started;
const megabytes = Buffer.byteLength(sample.csv, 'utf8') / 1_000_000;
console.log(`generated ${sample.dataRows} rows, ${megabytes.toFixed(1)} MB in ${generateMs.toFixed(0)} ms`);

const timings: number[] = [];
for (let run = 0; run < runs; run++) {
  started = performance.now();
  const parsed = parseAdsManagerCsv(sample.csv);
  timings.push(performance.now() - started);
  if (parsed.rows.length !== sample.dataRows) throw new Error(`parsed ${parsed.rows.length} rows`);
}
const sorted = [...timings].sort((a, b) => a - b);
console.log(
  `parse: first ${timings[0]?.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, ` +
    `best ${sorted[0]?.toFixed(0)} ms over ${runs} runs`,
);
