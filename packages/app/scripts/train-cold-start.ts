// Builds the cold-start models shipped in packages/app/models/cold-start from simulated accounts.
// Run: npm run models:cold-start   (deterministic: the same code gives byte-identical files)
import { performance } from 'node:perf_hooks';
import {
  buildColdStartModels,
  COLD_START_DIR,
  writeColdStartModels,
} from '../src/services/models/cold-start-models.ts';

const started = performance.now();
const { files } = await buildColdStartModels({
  onProgress: (message) =>
    console.log(`  ${message} (${((performance.now() - started) / 1000).toFixed(1)} s)`),
});
await writeColdStartModels(COLD_START_DIR, files);
for (const [name, text] of files)
  console.log(`wrote ${COLD_START_DIR}${name} (${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB)`);
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
