// The entry of sheet-csv-pool.ts's worker threads, in JavaScript so that any Node starts it:
// it loads the TypeScript worker through tsx's own scoped loader, which works however the
// process was started (`tsx`, `node --import tsx`, or bin/tracker.js's register()), and
// where tsx's --import does not reach worker threads (Node 20).
import { tsImport } from 'tsx/esm/api';

await tsImport('./sheet-csv-worker.ts', import.meta.url);
