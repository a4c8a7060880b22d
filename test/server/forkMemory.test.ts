/**
 * Forks give their memory back: a fork that is joined hands its starting point to the room and lets
 * it go, one that nobody joins expires, and the worker that read them ends once idle. The server runs
 * in this process, so that its heap can be measured after a full garbage collection.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Player, sdk, sleep, startTestServer, until, type TestServer } from './helpers';
import { forkBody, maximalRound, postFork } from './forkRounds';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

/** Heap and off-heap memory in use after full collections, in MB. */
function memoryInUse(): number {
  for (let i = 0; i < 3; i++) gc();
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.external) / MB;
}

const FORK_TTL_SECONDS = 1;
const WORKER_IDLE_MS = 500;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ tickMs: 50, forkTtlSeconds: FORK_TTL_SECONDS }, undefined, { idleMs: WORKER_IDLE_MS });
});
afterAll(async () => {
  await server?.stop();
});

/** Makes a fork of the largest round at its last step; returns its id. */
async function fork(body: Uint8Array): Promise<string> {
  const answer = await postFork(server.url, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.fork!;
}

/** Joins a fork, waits for its first view, and leaves (which ends its round). */
async function claim(id: string): Promise<void> {
  const player = new Player(await sdk(server.url).create('solo', { fork: id }));
  await until(() => player.got.view.length > 0, 'the fork\'s first view');
  await player.leave();
}

describe('forks and memory', () => {
  it('forks that are joined or left to expire leave no memory behind, and the idle worker ends', { timeout: 300_000 }, async () => {
    const round = maximalRound();
    const body = forkBody(round.text, round.commands);
    // Once, so that what stays for good (code, caches, the database) is in the baseline.
    await claim(await fork(body));
    await sleep(FORK_TTL_SECONDS * 1000 + WORKER_IDLE_MS + 500);
    const baseline = memoryInUse();
    const rssBefore = process.memoryUsage().rss / MB;

    const waiting: string[] = [];
    for (let i = 0; i < 6; i++) waiting.push(await fork(body));
    for (let i = 0; i < 4; i++) await claim(await fork(body));
    const held = memoryInUse();

    // Past the forks' time to live and the worker's idle time.
    await sleep(FORK_TTL_SECONDS * 1000 + WORKER_IDLE_MS + 1000);
    const after = memoryInUse();
    const rssAfter = process.memoryUsage().rss / MB;
    console.log(
      `heap and off-heap in use: ${baseline.toFixed(1)} MB before, ${held.toFixed(1)} MB with 6 forks waiting and 4 played, ` +
        `${after.toFixed(1)} MB once they expired; process RSS ${rssBefore.toFixed(0)} MB -> ${rssAfter.toFixed(0)} MB`,
    );
    expect(after - baseline).toBeLessThan(8);
    expect(server.registry.forks.size).toBe(0);
    expect(server.registry.forks.bytes).toBe(0);
    expect(server.forkWorkers.running).toBe(false);
    // An expired fork cannot be joined.
    await expect(sdk(server.url).create('solo', { fork: waiting[0]! })).rejects.toThrow(/already started or expired/);
  });
});
