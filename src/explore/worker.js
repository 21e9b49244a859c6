// Entry of an explorer worker thread: registers the TypeScript loader (tsx) in this thread, then runs worker.ts.
// Plain JavaScript because a worker thread does not inherit the main thread's loader hooks.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
