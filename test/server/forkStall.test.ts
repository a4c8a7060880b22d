/**
 * A fork's round document is read, checked and re-run away from the event loop, so hostile fork
 * requests (the largest valid round, deeply nested arrays, several at once) and joining the largest
 * fork do not hold up the ticks of another live room. The server runs in a child process, as
 * `npm start` runs it, and the bodies are sent from another; this process times the room's ticks.
 * A twin server that gets no forks is timed at the same moments: on a busy machine both feel the
 * machine's hiccups, only the first would feel a stall that forking causes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FORK_BODY_BYTES } from '../../server/app';
import { Player, sdk, sleep, until } from './helpers';
import { forkBody, maximalRound, nestedBody, postForksFromAnotherProcess, spawnServer, TickedRoom, type ChildServer } from './forkRounds';

const TICK_MS = 50;
/** How much longer than usual one of the other room's ticks may take while forks are made. */
const STALL_MS = 100;
/** A stall that forking causes shows every time, the machine's hiccups come and go: one clean pass of three is enough. */
const ATTEMPTS = 3;

let server: ChildServer;
let twin: ChildServer;
beforeAll(async () => {
  [server, twin] = await Promise.all([spawnServer({ QUORUM_TICK_MS: String(TICK_MS) }), spawnServer({ QUORUM_TICK_MS: String(TICK_MS) })]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), twin?.stop()]);
});

describe('forks and the other rooms', () => {
  it('hostile forks and joining the largest one do not stall another room\'s ticks by more than 100 ms', { timeout: 300_000 }, async () => {
    const round = maximalRound();
    const maximal = forkBody(round.text, round.commands, MAX_FORK_BODY_BYTES);
    expect(maximal.length).toBe(MAX_FORK_BODY_BYTES);
    const nested = nestedBody(MAX_FORK_BODY_BYTES);
    const room = await TickedRoom.open(server.url);
    const twinRoom = await TickedRoom.open(twin.url);

    type Answer = { status: number; body: { fork?: string; error?: string } };
    /** The largest round, then nested arrays, then the largest round four times at once; then joining and leaving it. */
    const forking = async (): Promise<Answer[][]> => {
      const answers = await postForksFromAnotherProcess(server.url, [[maximal], [nested], [maximal, maximal, maximal, maximal]]);
      const largest = answers[0]![0]!;
      if (largest.status === 201) {
        // Joining the largest fork: its 50,000 commands are stored and its world handed to the room.
        const player = new Player(await sdk(server.url).create('solo', { fork: largest.body.fork! }));
        await until(() => player.got.view.length > 0, 'the fork\'s first view');
        await sleep(500);
        // Leaving ends the fork round, which the store then finishes.
        await player.leave();
      }
      await sleep(1000);
      return answers;
    };

    const rssBefore = server.rssMb();
    const runs: { forking: number; twin: number; seconds: number }[] = [];
    let answers: Answer[][] = [];
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const from = performance.now();
      answers = await forking();
      const to = performance.now();
      runs.push({ forking: room.worstGap(from, to), twin: twinRoom.worstGap(from, to), seconds: (to - from) / 1000 });
      if (runs.at(-1)!.forking <= Math.max(runs.at(-1)!.twin, TICK_MS) + STALL_MS) break;
    }
    console.log(
      `ticks every ${TICK_MS} ms; worst gaps: ` +
        runs.map((r) => `${r.forking.toFixed(0)} ms while forking (${r.seconds.toFixed(1)} s), ${r.twin.toFixed(0)} ms on the twin`).join('; ') +
        `; server RSS ${rssBefore.toFixed(0)} MB -> ${server.rssMb().toFixed(0)} MB`,
    );
    expect(runs.some((r) => r.forking <= Math.max(r.twin, TICK_MS) + STALL_MS), JSON.stringify(runs)).toBe(true);
    const [[largest], [deep], together] = answers as [[Answer], [Answer], Answer[]];
    expect(largest.status, JSON.stringify(largest.body)).toBe(201);
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatch(/nests deeper/);
    for (const answer of together) expect([201, 503], JSON.stringify(answer.body)).toContain(answer.status);
    expect(together.some((answer) => answer.status === 201)).toBe(true);
    await Promise.all([room.player.leave(), twinRoom.player.leave()]);
  });
});
