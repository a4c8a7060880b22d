// The entry of the report worker thread: plain JavaScript, so that Node starts it the same way under
// tsx (npm start) and under vitest; it loads the TypeScript job through tsx itself (see reports.ts).
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

// Scoring yields the processor to the thread that ticks the rooms (on Linux a thread has a priority of its own).
try {
  setPriority(10);
} catch {
  // Not allowed here: the worker runs at the usual priority.
}

const { scoreStoredRound } = await tsImport('./reportJob.ts', import.meta.url);

parentPort.on('message', ({ id, source }) => {
  parentPort.postMessage({ id, result: scoreStoredRound(source) });
});
