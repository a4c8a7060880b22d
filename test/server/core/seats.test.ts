/** Seats, reconnection windows, moves and kicks, on the room core: the window is timed by a clock the test moves. */
import { describe, expect, it } from 'vitest';
import type { NodeView } from '../../../shared';
import { classroom, god, mine, tickUntil } from './helpers';

const WINDOW_MS = 60_000;

describe('seats', () => {
  it('gives students free student seats in order, leaves the rest to bots, and seats a waiting student when one frees up', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    expect(teacher.got.roster.at(-1)!.seats.every((s) => s.holder === 'bot')).toBe(true);
    teacher.send('setup', { protocol: 'majority', nodes: 5, studentSeats: [3, 1] });
    const [a, b, c] = ['A1', 'B2', 'C3'].map((name) => host.student(name));
    expect([a!.node, b!.node, c!.node]).toEqual([3, 1, null]);
    expect(teacher.got.roster.at(-1)!.seats.map((s) => s.holder)).toEqual(['bot', 'student', 'bot', 'student', 'bot']);
    // The student without a seat sees no node, and hears no clock.
    teacher.send('start', {});
    host.advance(1000);
    expect(c!.got.view).toHaveLength(0);
    expect(c!.got.clock).toHaveLength(0);

    b!.leave();
    expect(c!.got.welcome.at(-1)!.node).toBe(1);
    expect(c!.lastView!.view).toMatchObject({ kind: 'node', node: 1 });
    expect(teacher.got.roster.at(-1)!.seats[1]).toMatchObject({ holder: 'student', nickname: 'C3' });
  });

  it('keeps a dropped student\'s seat for the reconnection window, then gives it to a bot and a waiting student', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 5, studentSeats: [1, 3] });
    const [a, , c] = ['A1', 'B2', 'C3'].map((name) => host.student(name));
    a!.drop();
    const roster = () => teacher.got.roster.at(-1)!;
    expect(roster().students.find((s) => s.nickname === 'A1')).toMatchObject({ connected: false, node: 1 });
    expect(roster().seats[1]!.nickname).toBe('A1');
    expect(host.timers.get(`reconnect:${a!.member}`)).toMatchObject({ at: WINDOW_MS });
    host.advance(WINDOW_MS - 1);
    expect(c!.node).toBeNull();
    host.advance(1);
    expect(c!.node).toBe(1);
    expect(roster().students.map((s) => s.nickname).sort()).toEqual(['B2', 'C3']);
    expect(roster().seats[1]).toMatchObject({ holder: 'student', nickname: 'C3' });
    // The window is closed: the old connection may not come back.
    expect(host.windows.has(a!.member)).toBe(false);
    expect(() => host.reconnect(a!.member)).toThrow(/no reconnection window/);
  });

  it('keeps seat, node and seq through a drop, sends a whole view on return, and applies an action exactly once', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0], decrees: ['X'] });
    const ada = host.student('Ada');
    teacher.send('start', {});
    tickUntil(host, () => mine(ada).legal.length > 0, 'a legal move');
    const move = mine(ada).legal[0]!;
    // The action arrives just before the connection drops; the client never hears whether it was applied.
    const seq = ada.act(move);
    ada.drop();
    host.advance(5000);
    const back = host.reconnect(ada.member);
    expect(back.got.welcome.at(-1)!.node).toBe(0);
    expect(back.frames.find((f) => f.type === 'view')!.body).toHaveProperty('view');
    expect(back.lastView!.lastSeq).toBe(seq);
    expect(host.timers.has(`reconnect:${ada.member}`)).toBe(false);
    // Sent again after the reconnection, the same action is not applied twice.
    back.send('act', { seq, action: move });
    expect(back.got.rejected.at(-1)).toMatchObject({ code: 'stale-seq', seq });
    teacher.send('endRound', {});
    const log = [...host.store.rounds.values()][0]!.commands;
    expect(log.filter((c) => c.type === 'act' && c.node === 0)).toHaveLength(1);
    expect(teacher.got.roster.at(-1)!.students).toEqual([expect.objectContaining({ nickname: 'Ada', connected: true, node: 0 })]);
  });

  it('lets a student who lost their reconnection token take their node back by their nickname inside the window, and a look-alike never', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    const alice = host.student('Alice');
    const node = alice.node;
    for (const lookalike of ['\u0410lice', 'ALICE', 'A1ice', 'Alicé']) {
      expect(host.tryStudent(lookalike)).toMatchObject({ refusal: 'nicknameTaken' });
    }
    alice.drop();
    expect(host.tryStudent('A1ice')).toMatchObject({ refusal: 'nicknameTaken' });
    const back = host.student('Alice');
    expect(back.got.welcome[0]).toMatchObject({ node, nickname: 'Alice' });
    expect(back.member).toBe(alice.member);
    // The old connection's window is closed, and its timer stopped.
    expect(host.windows.has(alice.member)).toBe(false);
    expect(host.timers.has(`reconnect:${alice.member}`)).toBe(false);
    expect(teacher.got.roster.at(-1)!.students).toEqual([expect.objectContaining({ nickname: 'Alice', connected: true })]);
    // While connected, the name is taken even by its owner.
    expect(host.tryStudent('Alice')).toMatchObject({ refusal: 'nicknameTaken' });
    // After the window, the name is free again, and a newcomer with it is a new student.
    back.drop();
    host.advance(WINDOW_MS);
    const newcomer = host.student('Alice');
    expect(newcomer.member).not.toBe(alice.member);
  });

  it('keeps students on their seats in the next round where it allows it, with their autopilot, and reseats the others', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 5, studentSeats: [0, 1, 2] });
    const [a, b, c] = ['Ann', 'Ben', 'Cal'].map((name) => host.student(name));
    teacher.send('autopilot', { node: 1, on: true });
    teacher.send('setup', { protocol: 'paxos', nodes: 4, studentSeats: [1, 3] });
    expect([a!.node, b!.node, c!.node]).toEqual([3, 1, null]);
    const seats = teacher.got.roster.at(-1)!.seats;
    expect(seats.map((s) => [s.holder, s.autopilot])).toEqual([['bot', false], ['student', true], ['bot', false], ['student', false]]);
    // Every reseated student starts again from a whole view of the new round.
    for (const s of [a!, b!]) expect(s.frames.at(-1)).toMatchObject({ type: 'view', body: { view: expect.objectContaining({ kind: 'node', nodes: 4 }) } });
  });
});

describe('moving and kicking students', () => {
  it('moves a student to a free seat, refuses a seat another student holds or a student who is not there', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    const kim = host.student('Kim');
    const lee = host.student('Lee');
    teacher.send('moveStudent', { nickname: 'kim', seat: 4 });
    expect(kim.node).toBe(4);
    expect((kim.lastView!.view as NodeView).node).toBe(4);
    // A new seat starts from a whole view.
    expect(kim.frames.filter((f) => f.type === 'view').at(-1)!.body).toHaveProperty('view');
    // The seat Kim left is free again: a bot holds it.
    expect(teacher.got.roster.at(-1)!.seats[0]!.holder).toBe('bot');
    teacher.send('moveStudent', { nickname: 'Lee', seat: 4 });
    expect(teacher.got.rejected.at(-1)!.code).toBe('seat-taken');
    teacher.send('moveStudent', { nickname: 'Lee', seat: 5 });
    expect(teacher.got.rejected.at(-1)!.code).toBe('bad-seat');
    teacher.send('moveStudent', { nickname: 'Nobody', seat: 2 });
    expect(teacher.got.rejected.at(-1)).toMatchObject({ code: 'no-such-student', message: 'No student is called "Nobody".' });
    expect(lee.node).toBe(1);
  });

  it('kicks a student: they are told why and disconnected, their seat goes to a bot or a waiting student, nobody else moves', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0, 1] });
    const kim = host.student('Kim');
    const lee = host.student('Lee');
    const wait = host.student('Wait');
    teacher.send('kick', { nickname: 'Lee', reason: '  Phones away, please.  ' });
    expect(lee.got.kicked).toEqual([{ reason: 'Phones away, please.' }]);
    expect(lee.closed).toBe('kicked');
    expect(wait.node).toBe(1);
    expect(teacher.got.roster.at(-1)!.students.map((s) => s.nickname)).toEqual(['Kim', 'Wait']);
    expect(kim.open).toBe(true);
    teacher.send('kick', { nickname: 'Kim', reason: '' });
    expect(kim.got.kicked).toEqual([{ reason: 'The instructor removed you from the class.' }]);
    expect(teacher.got.roster.at(-1)!.seats[0]!.holder).toBe('bot');
  });

  it('finds the student for moveStudent and kick by the look-alike rule, and explains a nickname nobody can have', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    const olga = host.student('Оlga'); // a Cyrillic О
    const ben = host.student('Ben');
    teacher.send('moveStudent', { nickname: 'Olga', seat: 4 });
    expect(olga.node).toBe(4);
    teacher.send('moveStudent', { nickname: 'B\u200ben', seat: 3 });
    expect(teacher.got.rejected.at(-1)).toMatchObject({ code: 'no-such-student' });
    expect(teacher.got.rejected.at(-1)!.message).toMatch(/No student can have that nickname.*zero-width space/);
    teacher.send('kick', { nickname: 'ＢＥＮ', reason: '' });
    expect(ben.closed).toBe('kicked');
    expect(olga.open).toBe(true);
  });

  it('kicking a student whose connection dropped closes their window', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    const kim = host.student('Kim');
    kim.drop();
    teacher.send('kick', { nickname: 'Kim', reason: '' });
    expect(host.windows.has(kim.member)).toBe(false);
    expect(host.timers.has(`reconnect:${kim.member}`)).toBe(false);
    expect(teacher.got.roster.at(-1)!.students).toEqual([]);
    // The kick sticks: the name, and any look-alike of it, stays out of the class.
    expect(host.tryStudent('Kim')).toMatchObject({ refusal: 'kicked' });
    expect(host.tryStudent('KIM')).toMatchObject({ refusal: 'kicked' });
    expect(host.student('Kit').node).toBe(0);
    expect(god(teacher).kind).toBe('god');
  });
});
