import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodView, NodeView } from '../../shared';
import { SEQ_WINDOW } from '../../shared/wire/messages';
import { createClass, joinInstructor, joinStudent, sdk, sleep, startTestServer, until, type Player, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ tickMs: 40 });
});
afterAll(async () => {
  await server.stop();
});

/** Sends an act with this seq and waits for its answer: 'accepted' or the rejection code. */
async function actWith(player: Player, seq: number, action: object, extra: object = {}): Promise<string> {
  const accepted = player.got.accepted.length;
  const rejected = player.got.rejected.length;
  const answer = (): string | undefined =>
    player.got.accepted.slice(accepted).some((a) => a.seq === seq) ? 'accepted' : player.got.rejected.slice(rejected).find((r) => r.seq === seq)?.code;
  player.room.send('act', { seq, action, ...extra });
  await until(() => answer() !== undefined, `an answer to seq ${seq}`);
  // Paced below the flood limit.
  await sleep(40);
  return answer()!;
}

describe('action numbers (seq)', () => {
  it('a seq far ahead is refused without moving the last seq, so the player is never locked out', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0], decrees: ['X'], speed: 0.25 });
    await until(() => teacher.lastView?.round.protocol === 'majority', 'setup');
    const mia = await joinStudent(server.url, code, 'Mia');
    await until(() => mia.got.welcome.some((w) => w.node === 0), 'seated');
    const vote = { kind: 'vote', decree: 'X' };

    expect(await actWith(mia, 2 ** 31, vote)).toBe('seq-too-far');
    expect(mia.got.rejected.at(-1)!.message).toMatch(/too far ahead: the next action is numbered 1 to 1000/);
    expect(mia.lastView!.lastSeq).toBe(0);
    // Before the start an act is refused for the phase, but its seq is handled: the window moves with it.
    expect(await actWith(mia, 1, vote)).toBe('wrong-phase');
    expect(await actWith(mia, 1 + SEQ_WINDOW, vote)).toBe('wrong-phase');
    expect(await actWith(mia, 2 + 2 * SEQ_WINDOW, vote)).toBe('seq-too-far');
    expect(mia.lastView!.lastSeq).toBe(1 + SEQ_WINDOW);
    expect(await actWith(mia, 1 + SEQ_WINDOW, vote)).toBe('stale-seq');

    // And the next move in the window is played.
    teacher.send('start', {});
    await until(() => (mia.lastView?.view as NodeView | undefined)?.legal.some((a) => a.kind === 'vote' || a.kind === 'putForward') ?? false, 'a legal move', 10_000);
    const move = (mia.lastView!.view as NodeView).legal.find((a) => a.kind === 'vote' || a.kind === 'putForward')!;
    expect(await actWith(mia, 2 ** 31, move)).toBe('seq-too-far');
    expect(await actWith(mia, 2 + SEQ_WINDOW, move)).toBe('accepted');
    for (const p of [teacher, mia]) await p.leave();
  });
});

describe('act messages', () => {
  it('with an extra field named like an inherited one (constructor, toString, __proto__) are refused over the socket', async () => {
    const { code } = await createClass(server.url);
    const eve = await joinStudent(server.url, code, 'Eve');
    await until(() => eve.got.welcome.length > 0, 'joined');
    // The class's first round is Paxos.
    const action = { kind: 'prepare', ballot: 1 };
    const extras: Record<string, unknown>[] = [{ constructor: 1 }, { toString: 'x' }, JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>, { valueOf: [] }];
    for (const [i, extra] of extras.entries()) {
      expect(await actWith(eve, 10 + i, action, extra)).toBe('bad-message');
      expect(eve.got.rejected.at(-1)!.message).toMatch(/unknown field "(constructor|toString|__proto__?|valueOf)"/);
    }
    expect(await actWith(eve, 20, { ...action, toString: 'x' })).toBe('bad-action');
    expect(eve.got.rejected.at(-1)!.message).toMatch(/unknown field "toString"/);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    await eve.leave();
  });
});

describe('idle classes', () => {
  /**
   * A class is closed after 1.2 s with nobody connected. The room's clock moves once a second
   * between rounds, so an empty class goes about 2 s after it was made.
   */
  const IDLE_MINUTES = 0.02;
  let idle: TestServer;
  beforeAll(async () => {
    idle = await startTestServer({ tickMs: 40, classIdleMinutes: IDLE_MINUTES });
  });
  afterAll(async () => {
    await idle.stop();
  });

  const live = (code: string): boolean => idle.registry.classes.has(code);
  const joinError = (code: string): Promise<string> =>
    sdk(idle.url)
      .join('classroom', { code, nickname: 'Late' })
      .then(
        async (room) => {
          await room.leave();
          return 'joined';
        },
        (e: Error) => e.message,
      );

  it('closes a class nobody has been connected to for the configured time, by the room clock, and retires its code', async () => {
    const empty = await createClass(idle.url);
    const busy = await createClass(idle.url);
    const teacher = await joinInstructor(idle.url, busy.code, busy.instructorKey);
    const kim = await joinStudent(idle.url, busy.code, 'Kim');
    // A round runs and ends first: the room's clock must keep going after its timestep stops.
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [], speed: 8 });
    await until(() => teacher.lastView?.round.protocol === 'majority', 'setup');
    teacher.send('start', {});
    await until(() => (teacher.lastView?.view as GodView | undefined)?.step !== undefined && teacher.lastView!.round.phase === 'running', 'running');
    teacher.send('endRound', {});
    await until(() => teacher.got.reveal.length > 0, 'reveal');
    const roundId = teacher.got.reveal[0]!.roundId!;

    // Nobody ever joined the first class: it goes.
    await until(() => !live(empty.code), 'the empty class closed', 10_000);
    expect(await joinError(empty.code)).toMatch(/No class is running with the code/);

    // The other, with people in it, stays past the idle time (and a clock step) and for as long as anyone is connected.
    await teacher.leave();
    await sleep(IDLE_MINUTES * 60_000 + 1100);
    expect(live(busy.code)).toBe(true);
    expect(kim.left).toBeNull();
    await kim.leave();
    await until(() => !live(busy.code), 'the class closed once everyone left', 10_000);
    expect(await joinError(busy.code)).toMatch(/No class is running with the code/);
    // The instructor can still list its rounds and replay them; a new class never gets the code again.
    const list = await fetch(`${idle.url}/api/rounds?class=${busy.code}`, { headers: { 'x-instructor-key': busy.instructorKey } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { rounds: { id: string; state: string }[] }).rounds).toEqual([expect.objectContaining({ id: roundId, state: 'finished' })]);
    expect(idle.store.classExists(busy.code)).toBe(true);
  });

  it('closes a class whose people stay away, a running round and all, and keeps the round', async () => {
    const { code, instructorKey } = await createClass(idle.url);
    const teacher = await joinInstructor(idle.url, code, instructorKey);
    teacher.send('setup', { protocol: 'paxos', nodes: 3, studentSeats: [], sandbox: true, speed: 0.25 });
    await until(() => teacher.lastView?.round.protocol === 'paxos', 'setup');
    teacher.send('start', {});
    await until(() => teacher.lastView?.round.phase === 'running' && teacher.lastView.round.id !== null, 'running');
    const roundId = teacher.lastView!.round.id!;
    // The instructor's connection drops (a closed laptop): nobody comes back.
    teacher.room.connection.close(4999 as never);
    await until(() => !live(code), 'the class closed', 10_000);
    expect(idle.store.roundState(roundId)).toBe('finished');
  });
});
