// The entry of a fork worker thread. It is plain JavaScript so that Node can start it the same way
// under tsx (npm start) and under vitest: it loads the TypeScript job through tsx itself.
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { runForkJob } = await tsImport('./forkJob.ts', import.meta.url);

parentPort.on('message', ({ id, body }) => {
  let result;
  try {
    result = runForkJob(body);
  } catch (error) {
    result = { ok: false, status: 500, error: 'The server could not read that round.', detail: String(error?.stack ?? error) };
  }
  parentPort.postMessage({ id, result });
});
