/** A class of many groups on the room core: each group its own cluster and round, controlled together or one by one. */
import { describe, expect, it } from 'vitest';
import type { GodView, NodeView } from '../../../shared';
import { classroom, god, mine, tickUntil, type MemoryClient, type MemoryHost } from './helpers';

/** A class of `count` students in groups of `size`, on a 2PC round of 4 nodes with every seat a student seat. */
function classOf(count: number, size: number, options: Parameters<typeof classroom>[0] = {}): { host: MemoryHost; teacher: MemoryClient; students: MemoryClient[] } {
  const host = classroom({ classTitle: 'Distributed Systems 101', ...options });
  const teacher = host.instructor();
  teacher.send('setup', { protocol: '2pc', nodes: 4, latencyMin: 1, latencyMax: 2, groupSize: size });
  const students = Array.from({ length: count }, (_, i) => host.student(`S${String(i + 1).padStart(2, '0')}`));
  return { host, teacher, students };
}

const groupOf = (client: MemoryClient): number | null => client.got.welcome.at(-1)?.group ?? null;

/** The tick a client last heard: a view's, or a `clock`'s sent instead of a view. */
function tickOf(client: MemoryClient): number {
  for (let i = client.frames.length - 1; i >= 0; i--) {
    const frame = client.frames[i]!;
    if (frame.type === 'clock') return frame.body.tick;
    if (frame.type === 'view') return client.lastView!.round.tick;
  }
  return -1;
}

describe('groups', () => {
  it('fills groups of the chosen size as students arrive, each group with its own round, bots on the free seats', () => {
    const { host, teacher, students } = classOf(10, 4);
    expect(students.map(groupOf)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
    expect(students.map((s) => s.node)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
    expect(students[0]!.got.welcome.at(-1)!.classTitle).toBe('Distributed Systems 101');
    const summary = teacher.got.groups.at(-1)!;
    expect(summary.groups.map((g) => g.group)).toEqual([1, 2, 3]);
    expect(summary.groups[2]!.seats.map((s) => s.nickname)).toEqual(['S09', 'S10', null, null]);

    teacher.send('start', {});
    host.advance(300);
    const ids = students.map((s) => s.lastView!.round.id);
    // One round per group, stored with the class code and the group number.
    expect(new Set(ids).size).toBe(3);
    for (const [i, s] of students.entries()) {
      const stored = host.store.rounds.get(ids[i]!)!;
      expect(stored).toMatchObject({ classCode: 'ABCDEF', group: groupOf(s), state: 'running' });
    }
    // Every group's clock runs; students see only their own node of their own group.
    expect(new Set(students.map(tickOf))).toEqual(new Set([3]));
    expect((students[5]!.lastView!.view as NodeView).node).toBe(1);
  });

  it('seats a latecomer in a group with a bot seat, or starts a new group whose round starts at once', () => {
    const { host, teacher, students } = classOf(7, 4);
    teacher.send('start', {});
    host.advance(200);
    const late = host.student('Late');
    expect([groupOf(late), late.node]).toEqual([2, 3]);
    expect(late.lastView!.round.phase).toBe('running');
    const later = host.student('Later');
    expect(groupOf(later)).toBe(3);
    expect(later.lastView!.round).toMatchObject({ phase: 'running' });
    host.advance(200);
    expect(tickOf(later)).toBeGreaterThan(0);
    expect(students.length).toBe(7);
  });

  it('applies a fault to the same seat in every group at once, and to one group when named', () => {
    const { host, teacher, students } = classOf(12, 4);
    teacher.send('start', {});
    host.advance(100);
    teacher.send('pause', {});
    // "Crash every coordinator now."
    teacher.send('inject', { command: { type: 'crash', node: 0 } });
    for (const round of groupRounds(host)) expect(round.commands.filter((c) => c.type === 'crash')).toEqual([{ type: 'crash', node: 0 }]);
    expect(teacher.got.groups.at(-1)!.groups.map((g) => g.seats[0]!.crashed)).toEqual([true, true, true]);
    expect((students[4]!.lastView!.view as NodeView).self.crashed).toBe(true);

    teacher.send('inject', { command: { type: 'recover', node: 0 }, group: 2 });
    expect(teacher.got.groups.at(-1)!.groups.map((g) => g.seats[0]!.crashed)).toEqual([true, false, true]);
    const before = teacher.got.rejected.length;
    teacher.send('inject', { command: { type: 'crash', node: 1 }, group: 7 });
    expect(teacher.got.rejected.slice(before).map((r) => r.code)).toEqual(['no-such-group']);
    expect(teacher.got.rejected.at(-1)!.message).toContain('groups 1, 2, 3');
  });

  it('pauses, resumes, steps and ends every group by default, or one group alone', () => {
    const { host, teacher, students } = classOf(8, 4);
    teacher.send('start', {});
    host.advance(300);
    teacher.send('pause', { group: 1 });
    const phases = (): string[] => teacher.got.groups.at(-1)!.groups.map((g) => g.round.phase);
    expect(phases()).toEqual(['paused', 'running']);
    host.advance(500);
    expect(tickOf(students[0]!)).toBe(3);
    expect(tickOf(students[4]!)).toBe(8);
    teacher.send('pause', {});
    expect(phases()).toEqual(['paused', 'paused']);
    teacher.send('stepOnce', { group: 2 });
    expect(tickOf(students[4]!)).toBe(9);
    expect(tickOf(students[0]!)).toBe(3);
    teacher.send('resume', {});
    expect(phases()).toEqual(['running', 'running']);
    teacher.send('speed', { speed: 4, group: 2 });
    expect(host.timers.get('tick:2')).toMatchObject({ every: 25 });
    expect(host.timers.get('tick:1')).toMatchObject({ every: 100 });
    teacher.send('endRound', { group: 2 });
    expect(phases()).toEqual(['running', 'ended']);
    expect(students[4]!.got.reveal).toHaveLength(1);
    expect(students[0]!.got.reveal).toHaveLength(0);
    // The groups are compared only once every group's round has ended.
    expect(teacher.got.comparison).toHaveLength(0);
    teacher.send('endRound', {});
    expect(phases()).toEqual(['ended', 'ended']);
    expect(teacher.got.comparison).toHaveLength(1);
  });

  it('freezes the clock on pause, not the students: a student answers what is in their inbox', () => {
    const { host, teacher, students } = classOf(4, 4);
    teacher.send('start', {});
    const coordinator = students[0]!;
    const b = students[1]!;
    coordinator.act(mine(coordinator).legal.find((x) => x.kind === 'prepare')!);
    tickUntil(host, () => mine(b).legal.some((x) => x.kind === 'vote'), 'a PREPARE in B\'s inbox');
    teacher.send('pause', {});
    const tick = tickOf(b);
    const seq = b.act(mine(b).legal.find((x) => x.kind === 'vote')!);
    expect(b.got.accepted.at(-1)).toEqual({ seq });
    expect(b.lastView!.round).toMatchObject({ phase: 'paused', tick });
    expect((mine(b).self.durable as { vote: string | null }).vote).not.toBeNull();
    host.advance(5000);
    expect(tickOf(b)).toBe(tick);
  });

  it('shows the instructor and the projector one selected group, and every group in the summary', () => {
    const { host, teacher, students } = classOf(8, 4);
    const screen = host.screen();
    expect(screen.got.welcome.at(-1)).toMatchObject({ role: 'screen', group: 1, classTitle: 'Distributed Systems 101' });
    expect(screen.got.groups.at(-1)!.groups).toHaveLength(2);
    teacher.send('start', {});
    host.advance(200);
    const round2 = students[4]!.lastView!.round.id;
    expect(god(screen).kind).toBe('god');
    expect(screen.lastView!.round.id).toBe(students[0]!.lastView!.round.id);
    screen.send('selectGroup', { group: 2 });
    expect(screen.lastView!.round.id).toBe(round2);
    expect(screen.got.welcome.at(-1)!.group).toBe(2);
    host.advance(200);
    expect(tickOf(screen)).toBe(tickOf(students[4]!));
    // The projector only looks.
    for (const type of ['start', 'pause', 'inject', 'kick', 'endRound']) {
      const before = screen.got.rejected.length;
      screen.send(type, type === 'inject' ? { command: { type: 'heal' } } : type === 'kick' ? { nickname: 'S01', reason: '' } : {});
      expect(screen.got.rejected.slice(before).map((r) => r.code)).toEqual(['not-allowed']);
    }
    expect(teacher.lastView!.round.phase).toBe('running');
    // The instructor's roster lists every student, with the seats of the selected group.
    teacher.send('selectGroup', { group: 2 });
    const roster = teacher.got.roster.at(-1)!;
    expect(roster.group).toBe(2);
    expect(roster.students).toHaveLength(8);
    expect(roster.seats.map((s) => s.nickname)).toEqual(['S05', 'S06', 'S07', 'S08']);
    expect(teacher.got.groups.at(-1)!.selected).toBe(2);
    // Students are sent no summary of the groups.
    expect(students.every((s) => s.got.groups.length === 0)).toBe(true);
  });

  it('tells the instructor who holds up their group, and refreshes the summary while rounds run', () => {
    const { host, teacher, students } = classOf(4, 4);
    teacher.send('setup', { protocol: 'paxos', nodes: 3, latencyMin: 1, latencyMax: 2, groupSize: 3 });
    teacher.send('start', {});
    // Nobody answers: a PREPARE waits in some student's inbox.
    tickUntil(host, () => teacher.got.groups.at(-1)!.groups.some((g) => g.holdUps.length > 0), 'a hold-up', 400);
    const hold = teacher.got.groups.at(-1)!.groups.flatMap((g) => g.holdUps)[0]!;
    expect(hold.ticks).toBeGreaterThanOrEqual(60);
    expect(hold.text).toMatch(new RegExp(`^${hold.nickname} has had an? \\S+ waiting for \\d+ ticks`));
    expect(students.map((s) => s.got.welcome.at(-1)!.nickname)).toContain(hold.nickname);
    expect(host.timers.get('groups')).toMatchObject({ every: 1000 });
    teacher.send('endRound', {});
    expect(host.timers.has('groups')).toBe(false);
  });

  it('compares the groups when every round has ended: the instructor gets every scoreboard, a student their own group\'s and their own report line', () => {
    const { host, teacher, students } = classOf(8, 4);
    const screen = host.screen();
    teacher.send('setup', { protocol: '2pc', nodes: 4, latencyMin: 1, latencyMax: 2, groupSize: 4 });
    // Bots play every seat, so that each group decides.
    for (let node = 0; node < 4; node++) teacher.send('autopilot', { node, on: true });
    teacher.send('start', {});
    tickUntil(host, () => teacher.got.comparison.length > 0, 'the comparison', 3000);
    const comparison = teacher.got.comparison[0]!;
    expect(comparison.sentences[0]).toMatch(/^Groups 1 and 2 /);
    expect(comparison.scoreboards.map((s) => s.group)).toEqual([1, 2]);
    expect(screen.got.comparison[0]).toEqual(comparison);
    const mineOnly = students[5]!.got.comparison[0]!;
    expect(mineOnly.sentences).toEqual(comparison.sentences);
    expect(mineOnly.scoreboards.map((s) => s.group)).toEqual([2]);
    // Autopilot moves are the bots', not the students': nobody is credited with a move.
    const board = comparison.scoreboards[0]!;
    expect(board.rows.filter((r) => !r.bot).every((r) => r.moves === 0)).toBe(true);
    expect(host.store.rounds.get(board.roundId)!.seating!.botMoves.length).toBeGreaterThan(0);
    // Each student gets their own line of the class report, and nobody else's.
    for (const s of students) {
      const lines = s.got.reportLine;
      expect(lines).toHaveLength(1);
      expect(lines[0]!.line!.nickname).toBe(s.got.welcome.at(-1)!.nickname);
      expect(JSON.stringify(s.got.reportLine)).not.toContain(students.find((o) => o !== s)!.got.welcome.at(-1)!.nickname!);
    }
    // The reveal of each group carries its scoreboard.
    expect(students[0]!.got.reveal[0]!.scoreboard!.roundId).toBe(students[0]!.got.reveal[0]!.roundId);
  });

  it('credits a student\'s own moves and records who held each seat when', () => {
    const { host, teacher, students } = classOf(4, 4);
    teacher.send('start', {});
    const b = students[1]!;
    tickUntil(host, () => mine(b).legal.length > 0, 'a move for B');
    b.act(mine(b).legal[0]!);
    const roundId = b.lastView!.round.id!;
    b.leave();
    teacher.send('endRound', {});
    const stored = host.store.rounds.get(roundId)!;
    const held = stored.seating!.holders.find((h) => h.nickname === 'S02')!;
    expect(held).toMatchObject({ node: 1, from: 0 });
    expect(held.to).toBeGreaterThan(0);
    const row = teacher.got.reveal.at(-1)!.scoreboard!.rows.find((r) => r.nickname === 'S02')!;
    expect(row.moves).toBe(1);
  });

  it('a new group size seats the class again; a group nobody plays in is let go between rounds', () => {
    const { teacher, students } = classOf(6, 2);
    expect(students.map(groupOf)).toEqual([1, 1, 2, 2, 3, 3]);
    teacher.send('setup', { protocol: 'majority', nodes: 5, groupSize: 3 });
    expect(students.map(groupOf)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(new Set(teacher.got.groups.at(-1)!.groups.map((g) => g.seats.filter((s) => s.nickname).length))).toEqual(new Set([2]));
    for (const s of students.slice(4)) s.leave();
    teacher.send('setup', { protocol: 'majority', nodes: 5, groupSize: 3 });
    expect(teacher.got.groups.at(-1)!.groups.map((g) => g.group)).toEqual([1, 2]);
    teacher.send('setup', { protocol: 'majority', nodes: 5, groupSize: 1 });
    // Four students, one per group.
    expect(teacher.got.groups.at(-1)!.groups.map((g) => g.seats.filter((s) => s.nickname).length)).toEqual([1, 1, 1, 1]);
    expect(new Set(students.slice(0, 4).map(groupOf)).size).toBe(4);
    expect(god(teacher).kind).toBe('god');
    expect((teacher.lastView!.view as GodView).nodes).toHaveLength(5);
  });
});

/** The stored rounds of the class's groups, in group order. */
function groupRounds(host: MemoryHost) {
  return [...host.store.rounds.values()].filter((r) => r.state === 'running').sort((a, b) => (a.group ?? 0) - (b.group ?? 0));
}
