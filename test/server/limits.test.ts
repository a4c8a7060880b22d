/**
 * Limits that need the real server: what msgpack makes of inherited field names on the way in, and a
 * class closed by the room's own timer. The rules behind them are tested on the room core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodView } from '../../shared';
import { createClass, joinInstructor, joinStudent, sdk, startTestServer, until, type Player, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  // A class is closed after 1.2 s with nobody connected.
  server = await startTestServer({ tickMs: 40, classIdleMinutes: 0.02 });
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
  return answer()!;
}

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
  const live = (code: string): boolean => server.registry.classes.has(code);
  const joinError = (code: string): Promise<string> =>
    sdk(server.url)
      .join('classroom', { code, nickname: 'Late' })
      .then(
        async (room) => {
          await room.leave();
          return 'joined';
        },
        (e: Error) => e.message,
      );

  it('are closed by the room\'s timer once everyone has gone, between rounds too; the code is retired and the rounds stay listed', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    // A round runs and ends first: the room's timers must keep going after its clock stops.
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [], speed: 8 });
    await until(() => teacher.lastView?.round.protocol === 'majority', 'setup');
    teacher.send('start', {});
    await until(() => (teacher.lastView?.view as GodView | undefined)?.step !== undefined && teacher.lastView!.round.phase === 'running', 'running');
    teacher.send('endRound', {});
    await until(() => teacher.got.reveal.length > 0, 'reveal');
    const roundId = teacher.got.reveal[0]!.roundId!;
    await teacher.leave();

    await until(() => !live(code), 'the class closed', 10_000);
    expect(await joinError(code)).toMatch(/No class is running with the code/);
    const list = await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': instructorKey } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { rounds: { id: string; state: string }[] }).rounds).toEqual([expect.objectContaining({ id: roundId, state: 'finished' })]);
    expect(server.store.classExists(code)).toBe(true);
  });
});
