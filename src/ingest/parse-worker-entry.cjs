// The parse thread's entry, in plain JavaScript so that it loads however the process was
// started: TypeScript hooks of the main thread do not reach a thread in Node 20. tsx's
// require hook loads our modules in about 0.3 s; its ESM hooks, which start a loader
// thread of their own, took 0.75 s.
require('tsx/cjs/api').register();
require('./parse-worker.ts');
