/** The round controls of an instructor (and a solo player), on the room core: no sockets, and time moves only when told. */
import { describe, expect, it } from 'vitest';
import type { NodeView } from '../../../shared';
import { DEFAULT_SETUP as DEFAULT } from '../../../server/core/round';
import { classroom, god, mine, storedRound, tickUntil, type MemoryClient } from './helpers';

describe('instructor controls', () => {
  it('start, pause, single steps, resume, speed, faults and the end; each fault is in the log', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'paxos', nodes: 5, studentSeats: [], latencyMin: 20, latencyMax: 30 });
    expect(host.timers.has('tick:1')).toBe(false);
    teacher.send('start', {});
    // One tick every 100 ms at speed 1.
    expect(host.timers.get('tick:1')).toMatchObject({ every: 100 });
    host.advance(250);
    expect(teacher.lastView!.round).toMatchObject({ phase: 'running', tick: 2 });
    const roundId = teacher.lastView!.round.id!;
    expect(host.store.rounds.get(roundId)!.state).toBe('running');

    teacher.send('pause', {});
    expect(teacher.lastView!.round.phase).toBe('paused');
    expect(host.timers.has('tick:1')).toBe(false);
    host.advance(10_000);
    expect(god(teacher).now).toBe(2);
    teacher.send('stepOnce', {});
    expect(god(teacher).now).toBe(3);

    // Faults, while paused so that the messages stay put.
    const inject = (command: object): void => void teacher.send('inject', { command });
    inject({ type: 'crash', node: 4 });
    expect(god(teacher).nodes[4]!.crashed).toBe(true);
    inject({ type: 'recover', node: 4 });
    expect(god(teacher).nodes[4]!.crashed).toBe(false);
    inject({ type: 'partition', groups: [[0, 1], [2, 3, 4]] });
    expect(god(teacher).partition).not.toBeNull();
    inject({ type: 'heal' });
    expect(god(teacher).partition).toBeNull();
    inject({ type: 'propose', node: 1, decree: 'W' });
    expect(god(teacher).proposed).toContain('W');
    while (god(teacher).inFlight.length < 2) teacher.send('stepOnce', {});
    const inFlight = god(teacher).inFlight;
    const first = inFlight[0]!;
    inject({ type: 'delay', id: first.id, ticks: 5 });
    expect(god(teacher).inFlight.find((m) => m.id === first.id)!.deliverAt).toBe(first.deliverAt + 5);
    inject({ type: 'duplicate', id: first.id });
    expect(god(teacher).inFlight).toHaveLength(inFlight.length + 1);
    inject({ type: 'drop', id: first.id });
    expect(god(teacher).inFlight.some((m) => m.id === first.id)).toBe(false);
    const next = god(teacher).inFlight[0]!;
    inject({ type: 'deliver', id: next.id });
    expect(god(teacher).inFlight.some((m) => m.id === next.id)).toBe(false);
    // The engine refuses what is impossible, with its own words.
    inject({ type: 'drop', id: 999_999 });
    expect(teacher.got.rejected.at(-1)).toMatchObject({ code: 'no-such-message' });
    expect(teacher.got.rejected.at(-1)!.message).toMatch(/not in flight/);

    // Speed 8: a tick every 12.5 ms.
    teacher.send('speed', { speed: 8 });
    teacher.send('resume', {});
    expect(teacher.lastView!.round).toMatchObject({ phase: 'running', speed: 8 });
    expect(host.timers.get('tick:1')).toMatchObject({ every: 12.5 });
    const t0 = god(teacher).now;
    host.advance(100);
    expect(god(teacher).now - t0).toBe(8);
    teacher.send('speed', { speed: 9 });
    expect(teacher.got.rejected.at(-1)!.code).toBe('bad-message');

    teacher.send('endRound', {});
    expect(teacher.got.reveal).toHaveLength(1);
    expect(teacher.got.reveal[0]!.roundId).toBe(roundId);
    expect(host.timers.has('tick:1')).toBe(false);
    const stored = host.store.rounds.get(roundId)!;
    expect(stored.state).toBe('finished');
    const injected = stored.commands.filter((c) => !['tick', 'act'].includes(c.type)).map((c) => c.type);
    expect(injected).toEqual(expect.arrayContaining(['crash', 'recover', 'partition', 'heal', 'propose', 'delay', 'duplicate', 'drop', 'deliver']));
    expect(stored.commands.filter((c) => c.type === 'tick')).toHaveLength(god(teacher).now);

    teacher.send('nextRound', {});
    expect(teacher.lastView!.round).toMatchObject({ phase: 'setup', id: null });
    expect(host.faults).toEqual([]);
  });

  it('refuses each control in a phase it has no meaning in', () => {
    const host = classroom();
    const teacher = host.instructor();
    const codes = (type: string): string => {
      teacher.send(type, {});
      return teacher.got.rejected.at(-1)?.code ?? 'none';
    };
    expect(['pause', 'resume', 'stepOnce', 'endRound', 'nextRound'].map(codes)).toEqual(Array(5).fill('wrong-phase'));
    teacher.send('inject', { command: { type: 'heal' } });
    expect(teacher.got.rejected.at(-1)!.code).toBe('wrong-phase');
    teacher.send('start', {});
    const before = teacher.got.rejected.length;
    for (const type of ['start', 'resume', 'stepOnce', 'nextRound']) teacher.send(type, {});
    teacher.send('setup', { protocol: 'paxos', nodes: 3 });
    expect(teacher.got.rejected.slice(before).map((r) => r.code)).toEqual(Array(5).fill('wrong-phase'));
    expect(teacher.got.rejected.at(-5)!.message).toBe('The round has already started.');
  });

  it('autopilot and the decision deadline make an idle student play as a bot would', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0, 1, 2], decrees: ['X'], decisionDeadline: 0 });
    const idle = host.student('Idle');
    const sleepy = host.student('Sleepy');
    expect([idle.node, sleepy.node]).toEqual([0, 1]);
    teacher.send('autopilot', { node: 0, on: true });
    expect(teacher.got.roster.at(-1)!.seats[0]!.autopilot).toBe(true);
    teacher.send('start', {});
    // A client asks node 0 itself, so that it has a candidate whoever got the opening request.
    teacher.send('inject', { command: { type: 'propose', node: 0, decree: 'X' } });
    const votes = (): number[] => god(teacher).global.boxes.flatMap((b) => b.voters);
    tickUntil(host, () => votes().includes(0), 'the autopilot vote');
    // Without a deadline, an idle student's node (1) never votes by itself.
    host.advance(100 * 100);
    expect(votes()).not.toContain(1);
    teacher.send('endRound', {});

    teacher.send('setup', { protocol: 'majority', nodes: 3, decrees: ['X'], decisionDeadline: 4 });
    teacher.send('autopilot', { node: 0, on: false });
    teacher.send('start', {});
    // Neither student sends anything, yet their nodes vote once the deadline passes.
    tickUntil(host, () => votes().includes(0) && votes().includes(1), 'the deadline votes', 200);
    expect(idle.got.accepted.length + sleepy.got.accepted.length).toBe(0);
  });

  it('a deadline restarts whenever what the student may do changes, and a move of their own restarts it', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0], decrees: ['X'], decisionDeadline: 10, latencyMin: 1, latencyMax: 1 });
    const ann = host.student('Ann');
    teacher.send('start', {});
    teacher.send('inject', { command: { type: 'propose', node: 0, decree: 'X' } });
    const opened = god(teacher).now;
    const votedAt = (): number | null => {
      const box = god(teacher).global.boxes.find((b) => b.voters.includes(0));
      return box ? god(teacher).now : null;
    };
    tickUntil(host, () => votedAt() !== null, 'a vote by the deadline', 50);
    // The vote came once 10 ticks had passed with the same moves on offer, not before.
    expect(votedAt()! - opened).toBeGreaterThanOrEqual(10);
    expect(ann.got.accepted).toHaveLength(0);
  });

  it('sandbox mode accepts a rule-breaking move and records the violation; outside it, the engine refuses the move', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0], decrees: ['X', 'Y'], sandbox: true });
    const rebel = host.student('Rebel');
    teacher.send('start', {});
    const legalVote = () => mine(rebel).legal.find((a) => a.kind === 'vote');
    tickUntil(host, () => legalVote() !== undefined, 'a candidate to vote for');
    const vote = legalVote()!;
    rebel.act(vote);
    rebel.act(vote);
    expect(rebel.got.accepted).toHaveLength(2);
    expect(rebel.got.rejected).toHaveLength(0);
    host.advance(100);
    expect(god(teacher).global.violations[0]!.node).toBe(0);

    teacher.send('endRound', {});
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0], decrees: ['X', 'Y'], sandbox: false });
    teacher.send('start', {});
    tickUntil(host, () => legalVote() !== undefined, 'a candidate to vote for');
    const again = legalVote()!;
    rebel.act(again);
    expect(rebel.got.accepted).toHaveLength(3);
    const seq = rebel.act(again);
    expect(rebel.got.rejected[0]).toMatchObject({ code: 'vote-locked', seq });
    expect(rebel.got.rejected[0]!.message.length).toBeGreaterThan(20);
    // The refused move is kept for the replay's timeline.
    expect(storedRound(host).rejections).toEqual([expect.objectContaining({ node: 0, code: 'vote-locked' })]);
  });

  it('derives the timeout from the latency, takes one the setup names, and refuses one shorter than a round trip', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'paxos', nodes: 5, studentSeats: [], latencyMin: 20, latencyMax: 100 });
    expect(god(teacher).config.settings.timeoutTicks).toBe(400);
    teacher.send('setup', { protocol: 'paxos', nodes: 5, timeoutTicks: 250 });
    expect(god(teacher).config.settings.timeoutTicks).toBe(250);
    teacher.send('setup', { protocol: 'paxos', nodes: 5, timeoutTicks: 120 });
    expect(teacher.got.rejected[0]).toMatchObject({ code: 'bad-setup' });
    expect(teacher.got.rejected[0]!.message).toContain('shorter than one round trip at the slowest latency (2 × 100 = 200 ticks)');
    // Nothing changed: the round is the one set up before.
    expect(god(teacher).config.settings.timeoutTicks).toBe(250);
  });

  it("ends a split vote only once every vote has arrived, so that each student's tally shows the split", () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0, 1, 2], decrees: ['X', 'Y', 'Z'], latencyMin: 3, latencyMax: 6 });
    const students = ['Xena', 'Yuri', 'Zoe'].map((nickname) => host.student(nickname));
    teacher.send('start', {});
    const requests = (s: MemoryClient): string[] => (mine(s).self.volatile as { requests: string[] }).requests;
    // Each student's node got its own decree from a client: each votes for it, and the vote splits three ways.
    for (const s of students) s.act({ kind: 'vote', decree: requests(s)[0] });
    tickUntil(host, () => teacher.got.reveal.length > 0, 'the reveal');
    const reveal = teacher.got.reveal[0]!;
    expect(reveal.god.status.stuck).toBe(true);
    expect(reveal.god.inFlight.filter((m) => m.payload.kind === 'vote')).toEqual([]);
    for (const s of students) {
      expect(s.got.reveal).toHaveLength(1);
      const tally = ((s.lastView!.view as NodeView).self.volatile as { tally: Record<string, number[]> }).tally;
      expect(Object.values(tally).flat().sort()).toEqual([0, 1, 2]);
    }
  });

  it('closes the class: everyone is told and disconnected, the round is kept as finished, and the class is closed in the store', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: '2pc', nodes: 3 });
    const stu = host.student('Stu');
    teacher.send('start', {});
    const roundId = teacher.lastView!.round.id!;
    teacher.send('closeClass', {});
    for (const client of [teacher, stu]) {
      expect(client.got.closed).toEqual([{ reason: 'The instructor closed the class.' }]);
      expect(client.closed).toBe('closed');
    }
    // The running round ended first, with its reveal.
    expect(stu.got.reveal[0]!.roundId).toBe(roundId);
    expect(host.store.rounds.get(roundId)!.state).toBe('finished');
    expect(host.store.closedClasses).toEqual(['ABCDEF']);
    expect(host.closed).toBe(true);
    expect(host.timers.size).toBe(0);
  });

  it('ends a round at the most ticks a round may run', () => {
    const host = classroom({ limits: { maxRoundTicks: 30 } });
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'paxos', nodes: 3, studentSeats: [], sandbox: true });
    teacher.send('start', {});
    host.advance(29 * 100);
    expect(teacher.got.reveal).toHaveLength(0);
    host.advance(100);
    expect(teacher.got.reveal).toHaveLength(1);
    expect(teacher.lastView!.round).toMatchObject({ phase: 'ended', tick: 30 });
    expect(host.timers.has('tick:1')).toBe(false);
  });
});

describe('solo', () => {
  it('starts at once with the chosen protocol and N, the player on node A and bots elsewhere', () => {
    const host = classroom({ kind: 'solo' });
    const player = host.solo({ ...DEFAULT, protocol: 'majority', nodes: 4, studentSeats: [0] });
    expect(player.got.welcome[0]).toMatchObject({ role: 'solo', node: 0, classCode: null });
    expect(player.lastView!.round).toMatchObject({ phase: 'running', protocol: 'majority', nodes: 4 });
    expect(player.got.roster.at(-1)!.seats.map((s) => s.holder)).toEqual(['student', 'bot', 'bot', 'bot']);
    // A solo player drives their own round, but there is no class to run.
    for (const [type, message] of [['kick', { nickname: 'x', reason: '' }], ['moveStudent', { nickname: 'x', seat: 1 }], ['closeClass', {}]] as const) {
      player.send(type, message);
      expect(player.got.rejected.at(-1)).toMatchObject({ code: 'not-allowed', message: `"${type}" has no meaning in this room.` });
    }
    player.send('pause', {});
    expect(player.lastView!.round.phase).toBe('paused');
    expect(host.core.hasPlayer).toBe(true);
    expect(host.core.joinSolo('another', DEFAULT)).toMatchObject({ ok: false, refusal: 'wrongRoom' });
  });
});
