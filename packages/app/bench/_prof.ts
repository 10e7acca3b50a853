import { parseAdsManagerCsv } from '../src/import/ads-manager-parser.ts';
import { CsvReader } from '../src/import/csv-reader.ts';
import { generateAdsManagerSample } from '../src/import/sample-export.ts';
const sample = generateAdsManagerSample({ rows: 100000, seed: 42, withIds: true, crlf: true, withBom: true });
for (let i = 0; i < 6; i++) {
  let t = performance.now();
  const r = new CsvReader(sample.csv);
  let n = 0;
  while (r.advance()) n++;
  const tr = performance.now() - t;
  t = performance.now();
  parseAdsManagerCsv(sample.csv);
  console.log('scan', tr.toFixed(0), 'parse', (performance.now() - t).toFixed(0));
}
