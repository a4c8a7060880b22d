// The entry of the fork worker thread. It is plain JavaScript so that Node can start it the same way
// under tsx (npm start) and under vitest: it loads the TypeScript job through tsx itself. Bodies
// arrive in chunks, interleaved; each is read when its end arrives (see forkWorkers.ts).
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

// Reading a fork yields the processor to the thread that ticks the rooms (on Linux a thread has a priority of its own).
try {
  setPriority(10);
} catch {
  // Not allowed here: the worker runs at the usual priority.
}

const { runForkJob } = await tsImport('./forkJob.ts', import.meta.url);

/** The chunks received so far, by request. */
const bodies = new Map();

parentPort.on('message', (message) => {
  const { type, id } = message;
  if (type === 'chunk') {
    const chunks = bodies.get(id) ?? [];
    chunks.push(message.chunk);
    bodies.set(id, chunks);
    return;
  }
  const chunks = bodies.get(id) ?? [];
  bodies.delete(id);
  if (type !== 'end') return;
  parentPort.postMessage({ type: 'started', id });
  let result;
  try {
    const body = Buffer.concat(chunks);
    chunks.length = 0;
    result = runForkJob(body);
  } catch (error) {
    result = { ok: false, status: 500, error: 'The server could not read that round.', detail: String(error?.stack ?? error) };
  }
  parentPort.postMessage({ type: 'result', id, result });
});
