// Worker-thread entry: registers tsx in this thread, then loads the TypeScript worker. tsx's own
// `--import tsx` declines to register inside worker threads on Node 20, so execArgv cannot do this.
import { register } from 'tsx/esm/api';

register();
await import('./benchmark-worker.ts');
