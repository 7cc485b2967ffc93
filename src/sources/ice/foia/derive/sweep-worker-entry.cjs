// The sweep thread's entry, in plain JavaScript for the reason parse-worker-entry.cjs gives
// (the main thread's TypeScript hooks do not reach a thread in Node 20).
require('tsx/cjs/api').register();
require('./sweep-worker.ts');
