/** What the room core does with untrusted messages: refusals, action numbers, the flood limit, and its own failures. */
import { describe, expect, it } from 'vitest';
import { SEQ_WINDOW } from '../../../shared/wire/messages';
import type { Effect } from '../../../server/core/effects';
import { classroom, god, mine, rejectedSince, storedRound, tickUntil, type MemoryClient } from './helpers';

describe('bad input', () => {
  it('answers every bad message with `rejected` to its sender only, counts it, and changes nothing', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0, 1], decrees: ['X'] });
    const mal = host.student('Mallory');
    const bob = host.student('Bob');
    const seatless = host.student('Waiting');
    const expectRejected = (client: MemoryClient, send: () => void, code: string): void => {
      const before = client.got.rejected.length;
      send();
      expect(rejectedSince(client, before)).toEqual([code]);
      expect(client.got.rejected[before]!.message.length).toBeGreaterThan(5);
    };

    // Before the round starts, an act is refused; each seq is used once whatever happens to it.
    expectRejected(mal, () => mal.act({ kind: 'vote', decree: 'X' }), 'wrong-phase');
    expectRejected(seatless, () => seatless.act({ kind: 'vote', decree: 'X' }), 'no-seat');
    teacher.send('start', {});
    teacher.send('pause', {});
    const step = god(teacher).step;
    const logged = storedRound(host).commands.length;
    const bobRejections = bob.got.rejected.length;
    const teacherRejections = teacher.got.rejected.length;

    expectRejected(mal, () => mal.send('noSuchType', { a: 1 }), 'unknown-type');
    expectRejected(mal, () => mal.send('x'.repeat(1500)), 'unknown-type');
    expectRejected(mal, () => mal.send('__proto__', {}), 'unknown-type');
    expectRejected(mal, () => mal.send('constructor'), 'unknown-type');
    expectRejected(mal, () => mal.send('act', { seq: 'one', action: { kind: 'vote' } }), 'bad-message');
    expectRejected(mal, () => mal.send('act', { seq: 50, action: { kind: 'vote', decree: 'X' }, node: 1 }), 'bad-message');
    expectRejected(mal, () => mal.send('act'), 'bad-message');
    expectRejected(mal, () => mal.send('act', [1, 2, 3]), 'bad-message');
    expectRejected(mal, () => mal.send('act', { seq: 51, action: { kind: 'x'.repeat(33) } }), 'bad-message');
    expectRejected(mal, () => mal.send('act', { seq: 51, action: { kind: 'vote', decree: 'X', toString: 'x' } }), 'bad-action');
    expectRejected(mal, () => mal.send('act', { seq: 52, action: { kind: 'vote', decree: 7 } }), 'bad-action');
    expectRejected(mal, () => mal.send('act', { seq: 52, action: { kind: 'vote', decree: 'X' } }), 'stale-seq');
    for (const type of ['setup', 'start', 'pause', 'resume', 'speed', 'stepOnce', 'endRound', 'nextRound', 'closeClass', 'inject', 'autopilot', 'moveStudent', 'kick']) {
      const message = { setup: { protocol: 'paxos', nodes: 9 }, speed: { speed: 8 }, inject: { command: { type: 'crash', node: 1 } }, autopilot: { node: 1, on: true }, moveStudent: { nickname: 'Bob', seat: 2 }, kick: { nickname: 'Bob', reason: 'ha' } }[type] ?? {};
      expectRejected(mal, () => mal.send(type, message), 'not-allowed');
    }
    // Under the flood limit: a new second.
    host.advance(1000);
    // What the host could not read reaches the core as refused, with the reason.
    for (const code of ['too-large', 'malformed', 'unsupported']) expectRejected(mal, () => mal.frame({ kind: 'unreadable', code, message: `a ${code} frame` }), code);

    // The instructor's own bad commands are refused too, with the engine's words where it decides.
    expectRejected(teacher, () => teacher.send('inject', { command: { type: 'tick' } }), 'bad-message');
    expectRejected(teacher, () => teacher.send('inject', { command: { type: 'crash', node: 7 } }), 'unknown-node');
    expectRejected(teacher, () => teacher.send('autopilot', { node: 8, on: true }), 'bad-seat');
    expectRejected(teacher, () => teacher.send('setup', { protocol: 'paxos', nodes: 3 }), 'wrong-phase');
    expectRejected(teacher, () => teacher.send('resume', { extra: 1 }), 'bad-message');
    expectRejected(teacher, () => teacher.send('act', { seq: 1, action: { kind: 'vote' } }), 'not-allowed');

    expect(god(teacher).step).toBe(step);
    expect(storedRound(host).commands).toHaveLength(logged);
    expect(mal.open).toBe(true);
    expect(bob.got.rejected).toHaveLength(bobRejections);
    expect(teacher.got.rejected).toHaveLength(teacherRejections + 6);
    expect(host.faults).toEqual([]);

    // A refused act is answered with the current view too, so that the client's buttons are right again.
    host.advance(1000);
    const views = mal.got.view.length;
    mal.act({ kind: 'vote', decree: 'NOPE' });
    expect(mal.got.view).toHaveLength(views + 1);

    // Still able to play: a legal move goes through.
    teacher.send('resume', {});
    teacher.send('inject', { command: { type: 'propose', node: 0, decree: 'X' } });
    tickUntil(host, () => mine(mal).legal.some((a) => a.kind === 'vote'), 'a legal move');
    mal.seq = 100;
    const seq = mal.act(mine(mal).legal.find((a) => a.kind === 'vote')!);
    expect(mal.got.accepted.at(-1)).toEqual({ seq });
    // Rejection counts reach the roster with the next tick.
    host.advance(100);
    expect(teacher.got.roster.at(-1)!.students.find((s) => s.nickname === 'Mallory')!.rejections).toBe(mal.got.rejected.length);
  });

  it('answers a failure of its own with `internal`, reports it, and keeps serving', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [], decrees: ['X'] });
    teacher.send('start', {});
    teacher.send('pause', {});
    const append = host.store.append.bind(host.store);
    host.store.append = () => {
      throw new Error('disk full');
    };
    const step = god(teacher).step;
    teacher.send('inject', { command: { type: 'crash', node: 1 } });
    expect(teacher.got.rejected.at(-1)).toEqual({ code: 'internal', message: 'The server could not handle that message; nothing changed.' });
    teacher.send('stepOnce', {});
    expect(teacher.got.rejected.at(-1)!.code).toBe('internal');
    expect(host.faults.map((f) => (f.error as Error).message)).toEqual(['disk full', 'disk full']);
    host.store.append = append;
    // Nothing changed, and the next command goes through.
    expect(god(teacher).step).toBe(step);
    teacher.send('inject', { command: { type: 'crash', node: 1 } });
    expect(god(teacher).nodes[1]!.crashed).toBe(true);
    expect(god(teacher).step).toBe(step + 1);
  });
});

describe('a store that fails', () => {
  it('while a round opens: the round starts and runs all the same, and the failure is reported', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: '2pc', nodes: 3, studentSeats: [] });
    const append = host.store.append.bind(host.store);
    host.store.append = () => {
      host.store.append = append;
      throw new Error('disk full');
    };
    teacher.send('start', {});
    expect(host.faults.map((f) => f.where)).toEqual(['opening requests']);
    expect(teacher.lastView!.round.phase).toBe('running');
    host.advance(500);
    expect(god(teacher).now).toBe(5);
    expect(storedRound(host).commands.filter((c) => c.type === 'tick')).toHaveLength(5);
  });
});

describe('a store that cannot keep who plays', () => {
  it('still lets a student join the running round, and reports the failure', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('start', {});
    host.store.updatePlayers = () => {
      throw new Error('disk full');
    };
    const ann = host.student('Ann');
    expect(ann.got.welcome[0]).toMatchObject({ node: 0, nickname: 'Ann' });
    expect(teacher.got.roster.at(-1)!.students).toEqual([expect.objectContaining({ nickname: 'Ann', connected: true })]);
    expect(host.faults.map((f) => f.where)).toEqual(['join']);
  });
});

describe('action numbers (seq)', () => {
  it('a seq far ahead is refused without moving the last seq, so the player is never locked out', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0], decrees: ['X'], speed: 0.25 });
    const mia = host.student('Mia');
    const answer = (seq: number, action: object): string => {
      mia.send('act', { seq, action });
      return mia.got.accepted.at(-1)?.seq === seq ? 'accepted' : (mia.got.rejected.at(-1)?.seq === seq ? mia.got.rejected.at(-1)!.code : 'none');
    };
    const vote = { kind: 'vote', decree: 'X' };
    expect(answer(2 ** 31, vote)).toBe('seq-too-far');
    expect(mia.got.rejected.at(-1)!.message).toMatch(/too far ahead: the next action is numbered 1 to 1000/);
    expect(mia.lastView!.lastSeq).toBe(0);
    // Before the start an act is refused for the phase, but its seq is handled: the window moves with it.
    expect(answer(1, vote)).toBe('wrong-phase');
    expect(answer(1 + SEQ_WINDOW, vote)).toBe('wrong-phase');
    expect(answer(2 + 2 * SEQ_WINDOW, vote)).toBe('seq-too-far');
    expect(mia.lastView!.lastSeq).toBe(1 + SEQ_WINDOW);
    expect(answer(1 + SEQ_WINDOW, vote)).toBe('stale-seq');

    // And the next move in the window is played.
    teacher.send('start', {});
    tickUntil(host, () => mine(mia).legal.some((a) => a.kind === 'vote' || a.kind === 'putForward'), 'a legal move');
    const move = mine(mia).legal.find((a) => a.kind === 'vote' || a.kind === 'putForward')!;
    expect(answer(2 ** 31, move)).toBe('seq-too-far');
    expect(answer(2 + SEQ_WINDOW, move)).toBe('accepted');
  });
});

describe('the flood limit', () => {
  it('disconnects a client that sends more than 30 frames in a second, and only that client; 30 a second are fine', () => {
    const host = classroom();
    const teacher = host.instructor();
    const flood = host.student('Flood');
    const calm = host.student('Calm');
    const burst = (client: MemoryClient, frames: number): Effect[] => {
      const effects: Effect[] = [];
      for (let i = 0; i < frames && client.open; i++) effects.push(...client.send('nothing', {}));
      return effects;
    };
    // Thirty in each of several seconds, and the transport's own frames count too.
    for (let second = 0; second < 3; second++) {
      burst(calm, 29);
      calm.frame({ kind: 'transport' });
      host.advance(1000);
    }
    expect(calm.open).toBe(true);
    expect(calm.got.rejected.map((r) => r.code)).toEqual(Array(87).fill('unknown-type'));

    const effects = burst(flood, 80);
    expect(flood.closed).toBe('flooded');
    expect(flood.got.rejected.map((r) => r.code)).toEqual([...Array(30).fill('unknown-type'), 'too-many-messages']);
    expect(effects.filter((e) => e.type === 'disconnect')).toEqual([{ type: 'disconnect', member: flood.member, why: 'flooded' }]);
    // Gone for good: no window, a bot holds the seat, and the others stay.
    expect(host.windows.has(flood.member)).toBe(false);
    expect(teacher.got.roster.at(-1)!.students.map((s) => s.nickname)).toEqual(['Calm']);
    expect(teacher.got.roster.at(-1)!.seats[0]!.holder).toBe('bot');
    expect([calm.open, teacher.open]).toEqual([true, true]);
  });

  it('starts a fresh count on a new connection', () => {
    const host = classroom();
    host.instructor();
    const kim = host.student('Kim');
    for (let i = 0; i < 30; i++) kim.send('nothing', {});
    kim.drop();
    const back = host.reconnect(kim.member);
    for (let i = 0; i < 30; i++) back.send('nothing', {});
    expect(back.open).toBe(true);
    back.send('nothing', {});
    expect(back.closed).toBe('flooded');
  });
});
