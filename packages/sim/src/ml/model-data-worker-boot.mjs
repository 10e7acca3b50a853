// Worker-thread entry: registers tsx in this thread, then loads the TypeScript worker (see
// runner/benchmark-worker-boot.mjs for why execArgv cannot do this on Node 20).
import { register } from 'tsx/esm/api';

register();
await import('./model-data-worker.ts');
