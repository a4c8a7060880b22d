/** A lesson played by a class: each group plays it in its own cluster, students at its seats, the instructor moving it on objective by objective. */
import { describe, expect, it } from 'vitest';
import type { NodeView } from '../../../shared';
import { LESSONS, lessonById, replayLesson, type LessonRun } from '../../../shared/lessons';
import { legal } from '../../lessons/helpers';
import { participant, PLAYERS } from '../../lessons/players';
import { completeSetup, type RoundSetup } from '../../../server/core/round';
import { classroom, MemoryHost, rejectedSince, tickUntil, type MemoryClient } from './helpers';

const LESSON = 'blocking-coordinator';
const lesson = lessonById(LESSON)!;

/** A class that picked lesson 5, with students joining. */
function classLesson(nicknames: string[]): { host: MemoryHost; teacher: MemoryClient; students: MemoryClient[] } {
  const host = classroom();
  const teacher = host.instructor();
  teacher.send('setup', { protocol: 'paxos', nodes: 5, lesson: LESSON });
  const students = nicknames.map((n) => host.student(n));
  return { host, teacher, students };
}

const groupOf = (client: MemoryClient): number | null => client.got.welcome.at(-1)?.group ?? null;
const lastLesson = (client: MemoryClient) => client.got.lesson.at(-1)!;
const reachedCount = (client: MemoryClient): number => lastLesson(client).objectives.filter((o) => o.reached).length;

/**
 * Plays the group's students as the lesson asks: B as the lesson's player, any other student votes
 * YES when asked. Returns after each of the group's stops at an objective (and its Next step),
 * recording how far the group had come at each stop; ends when the round has.
 */
function playThrough(host: MemoryHost, teacher: MemoryClient, students: MemoryClient[], onStop: (reached: number) => void = () => {}): void {
  const b = students.find((s) => s.node === lesson.setup.player)!;
  const others = students.filter((s) => s !== b);
  const move = participant();
  for (let i = 0; i < 800 && b.got.reveal.length === 0; i++) {
    // The player reads the lesson so far, as the lesson tests' players do: re-run from the round's log.
    const round = [...host.store.rounds.values()].find((r) => r.group === groupOf(b))!;
    const people = students.filter((s) => groupOf(s) === groupOf(b)).map((s) => ({ node: s.node!, nickname: '' }));
    const run = replayLesson(lesson, { config: round.config, log: round.commands, players: people }).run;
    const action = move(run, b.lastView!.view as NodeView);
    if (action && action !== 'bot') b.act(action);
    for (const s of others) {
      const yes = legal(s.lastView!.view as NodeView, 'vote', (a) => a.vote === 'yes');
      if (yes) s.act(yes);
    }
    const summary = teacher.got.groups.at(-1)!.groups.find((g) => g.group === groupOf(b))!;
    if (summary.lesson?.waiting && summary.round.phase === 'paused') {
      onStop(summary.lesson.reached.filter((t) => t !== null).length);
      teacher.send('nextStep', { group: summary.group });
    }
    host.advance(100);
  }
}

describe('a class plays a lesson', () => {
  it('sets every group up as the lesson does: its protocol, N, seed, and a group of its student seats', () => {
    const { host, teacher, students } = classLesson(['Ada', 'Bo', 'Cy', 'Di']);
    // Lesson 5 has three student seats, B, C and D: three students to a group, in the seats' order.
    expect(students.map(groupOf)).toEqual([1, 1, 1, 2]);
    expect(students.map((s) => s.node)).toEqual([1, 2, 3, 1]);
    teacher.send('start', {});
    host.advance(100);
    for (const s of students) expect(s.lastView!.round).toMatchObject({ protocol: '2pc', nodes: 4, phase: 'running' });
    const rounds = [...host.store.rounds.values()];
    expect(rounds.map((r) => r.config.seed)).toEqual([lesson.setup.seed, lesson.setup.seed]);
    // The script's opening request is in each group's log.
    for (const r of rounds) expect(r.commands[0]).toEqual({ type: 'propose', node: 0, decree: 'X' });
  });

  it('sets up and starts every lesson on the path for a class: its protocol and N, students at its seats with their briefings', () => {
    for (const each of LESSONS) {
      const host = classroom();
      const teacher = host.instructor();
      teacher.send('setup', { protocol: 'paxos', nodes: 5, lesson: each.id });
      const students = each.setup.students.map((_, i) => host.student(`S${i}`));
      teacher.send('start', {});
      host.advance(100);
      expect(teacher.got.rejected, each.id).toEqual([]);
      expect(students.map((s) => s.node), each.id).toEqual(each.setup.students);
      for (const s of students) {
        expect(s.lastView!.round, each.id).toMatchObject({ protocol: each.setup.protocol, nodes: each.setup.nodes, phase: 'running' });
        const panel = lastLesson(s);
        expect(panel.title, each.id).toBe(each.title);
        if (s.node !== each.setup.player) expect(panel.briefing, each.id).toBe(each.briefings![s.node!]);
      }
    }
  });

  it('plays every lesson on the path to its end in a class: a student at the lesson\'s seat, the instructor moving the group on at each stop, a debrief that names the student', () => {
    for (const each of LESSONS) {
      const host = classroom();
      const teacher = host.instructor();
      teacher.send('setup', { protocol: 'paxos', nodes: 5, lesson: each.id });
      // One student: the lesson's own seat; bots hold the others and the script moves them.
      const ada = host.student('Ada');
      expect(ada.node, each.id).toBe(each.setup.player);
      teacher.send('start', {});
      const move = PLAYERS[each.id]!();
      const stops: number[] = [];
      for (let i = 0; i < 3000 && ada.got.reveal.length === 0; i++) {
        // A view is sent when something but the clock changed; the clock's own message tells the tick.
        const seen = ada.lastView!.view as NodeView;
        const view = { ...seen, now: Math.max(seen.now, ada.got.clock.at(-1)?.tick ?? 0) };
        if (view.legal.length > 0) {
          // The player reads the lesson so far, as the lesson tests' players do: re-run from the round's log.
          const round = [...host.store.rounds.values()][0]!;
          const run = replayLesson(each, { config: round.config, log: round.commands, players: [{ node: each.setup.player, nickname: 'Ada' }] }).run;
          const action = move(run, view);
          if (action && action !== 'bot') ada.act(action);
        }
        const summary = teacher.got.groups.at(-1)?.groups[0];
        if (summary?.lesson?.waiting && summary.round.phase === 'paused') {
          stops.push(summary.lesson.reached.filter((t) => t !== null).length);
          teacher.send('nextStep', {});
        }
        host.advance(100);
      }
      // The round ended by itself once its lesson was over.
      expect(ada.got.reveal.length, each.id).toBe(1);
      const panel = lastLesson(ada);
      expect(panel.status, `${each.id} ${JSON.stringify(stops)} ${panel.deadEnd} ${JSON.stringify(panel.objectives.map((o) => o.reached))}`).toBe('done');
      expect(panel.objectives.every((o) => o.reached), each.id).toBe(true);
      expect(stops.length, each.id).toBeGreaterThan(0);
      expect([...stops].sort((a, b) => a - b), each.id).toEqual(stops);
      expect(panel.debrief?.join(' ') ?? `no debrief: reveal ${ada.got.reveal.length}`, each.id).toMatch(/Ada/);
    }
  }, 120_000);

  it('seats students who joined before the lesson was picked afresh, in the order they came', () => {
    const host = classroom();
    const teacher = host.instructor();
    const students = ['Ada', 'Bo', 'Cy'].map((n) => host.student(n));
    expect(students.map((s) => s.node)).toEqual([0, 1, 2]);
    teacher.send('setup', { protocol: 'paxos', nodes: 5, lesson: LESSON });
    expect(students.map((s) => s.node)).toEqual([1, 2, 3]);
    expect(students.map(groupOf)).toEqual([1, 1, 1]);
  });

  it('gives each student the panel of their own seat: a briefing true of it, the objectives as the group reads them, hints only at the lesson\'s own seat', () => {
    const { teacher, students } = classLesson(['Ada', 'Bo']);
    teacher.send('start', {});
    const [ada, bo] = students;
    expect(ada!.node).toBe(1);
    expect(bo!.node).toBe(2);
    expect(lastLesson(ada!).briefing).toBe(lesson.briefings![1]);
    expect(lastLesson(bo!).briefing).toBe(lesson.briefings![2]);
    expect(lastLesson(bo!).briefing).toMatch(/^You are C, a participant/);
    // B reads the objectives spoken to it; C reads them as the group's, naming B.
    expect(lastLesson(ada!).objectives.map((o) => o.title)).toEqual(lesson.steps.map((s) => s.title));
    expect(lastLesson(bo!).objectives.map((o) => o.title)).toEqual(lesson.steps.map((s) => s.groupTitle));
    // The instructor gets the group's panel, with no briefing.
    expect(lastLesson(teacher)).toMatchObject({ id: LESSON, briefing: null, waiting: false });
    expect(lastLesson(teacher).objectives.map((o) => o.title)).toEqual(lesson.steps.map((s) => s.groupTitle));
  });

  it('the script never moves for a seat a person holds: a student at C must cast their own vote', () => {
    const { host, teacher, students } = classLesson(['Ada', 'Bo']);
    teacher.send('start', {});
    host.advance(2000);
    const log = [...host.store.rounds.values()][0]!.commands;
    // D is a bot: the script voted YES for it. C is Bo's: nobody voted for it.
    const votes = log.filter((c) => c.type === 'act' && c.action.kind === 'vote').map((c) => (c as { node: number }).node);
    expect(votes).toContain(3);
    expect(votes).not.toContain(2);
    expect(votes).not.toContain(1);
    expect(students.length).toBe(2);
  });

  it('stops a group at each objective it reaches until the instructor presses "Next step", and its students may still act', () => {
    const { host, teacher, students } = classLesson(['Ada', 'Bo']);
    teacher.send('start', {});
    const [ada, bo] = students;
    host.advance(300);
    // Ada (B) votes YES: the first objective is reached, and group 1's clock stops there.
    tickUntil(host, () => legal(ada!.lastView!.view as NodeView, 'vote') !== null, 'the PREPARE reaching B');
    expect(ada!.lastView!.round.phase).toBe('running');
    ada!.act(legal(ada!.lastView!.view as NodeView, 'vote', (a) => a.vote === 'yes')!);
    expect(ada!.lastView!.round.phase).toBe('paused');
    expect(lastLesson(ada!)).toMatchObject({ waiting: true });
    expect(lastLesson(bo!)).toMatchObject({ waiting: true });
    const summary = teacher.got.groups.at(-1)!.groups[0]!;
    expect(summary.lesson).toMatchObject({ id: LESSON, waiting: true, status: 'playing' });
    expect(summary.lesson!.reached[0]).not.toBeNull();
    expect(summary.lesson!.reached.slice(1)).toEqual([null, null, null]);
    const tick = ada!.lastView!.round.tick;
    host.advance(1000);
    expect(ada!.lastView!.round.tick).toBe(tick);
    // While it waits, Bo (C) may still vote.
    expect(legal(bo!.lastView!.view as NodeView, 'vote')).not.toBeNull();
    const before = bo!.got.rejected.length;
    bo!.act(legal(bo!.lastView!.view as NodeView, 'vote', (a) => a.vote === 'yes')!);
    expect(rejectedSince(bo!, before)).toEqual([]);
    // "Next step": the clock runs again.
    teacher.send('nextStep', {});
    expect(ada!.lastView!.round.phase).toBe('running');
    expect(teacher.got.groups.at(-1)!.groups[0]!.lesson!.waiting).toBe(false);
    host.advance(300);
    expect(ada!.lastView!.round.tick).toBeGreaterThan(tick);
  });

  it('plays the lesson through, stopping at every objective, and its debrief names the students', () => {
    const { host, teacher, students } = classLesson(['Ada', 'Bo']);
    const screen = host.screen();
    teacher.send('start', {});
    const stops: number[] = [];
    playThrough(host, teacher, students, (reached) => stops.push(reached));
    // One stop per objective, in order (the last one too, unless the round ended with it).
    expect(stops.slice(0, 3)).toEqual([1, 2, 3]);
    const [ada, bo] = students;
    const end = lastLesson(ada!);
    expect(end.status).toBe('done');
    expect(end.debrief!.join(' ')).toMatch(/Ada \(B\) asked the others at tick \d+/);
    expect(end.debrief!.join(' ')).toMatch(/by tick \d+ Bo \(C\) and D had answered that they did not know/);
    // Everyone sees the debrief: each student, the instructor, the projector.
    for (const c of [bo!, teacher, screen]) expect(lastLesson(c).debrief).toEqual(end.debrief);
    // The stored round replays as the lesson, with who held each seat.
    const stored = [...host.store.rounds.values()][0]!;
    expect(stored.players).toEqual([
      { node: 1, nickname: 'Ada' },
      { node: 2, nickname: 'Bo' },
    ]);
    const replayed = replayLesson(lesson, { config: stored.config, log: stored.commands, players: stored.players });
    expect(replayed.run.objectives.every((o) => o.reached !== null)).toBe(true);
  });

  it('keeps from a student what their node cannot know: no line kept for the debrief, no other seat\'s refusals', () => {
    const { host, teacher, students } = classLesson(['Ada', 'Bo']);
    teacher.send('start', {});
    const [ada, bo] = students;
    host.advance(200);
    // Ada tries a move the rules refuse; Bo's panel does not hear of it.
    const before = ada!.got.rejected.length;
    ada!.act({ kind: 'askPeers' });
    if (ada!.got.rejected.length > before) {
      expect(lastLesson(ada!).refusals.length).toBe(1);
      expect(lastLesson(bo!).refusals).toEqual([]);
    }
    playThrough(host, teacher, students);
    const after = lesson.script.filter((r) => r.told === 'after').map((r) => r.why);
    for (const s of students) {
      for (const m of s.got.lesson.filter((l) => l.debrief === null)) {
        for (const why of after) expect(m.narrative.map((n) => n.why)).not.toContain(why);
        expect(m.hints.length === 0 || s === ada).toBe(true);
      }
    }
  });

  it('refuses an unknown lesson, a lesson a class cannot play yet, "Next step" with no lesson or no objective reached, and "Next step" from a student', () => {
    const host = classroom();
    const teacher = host.instructor();
    let before = teacher.got.rejected.length;
    teacher.send('setup', { protocol: '2pc', nodes: 4, lesson: 'no-such' });
    expect(rejectedSince(teacher, before)).toEqual(['no-such-lesson']);
    expect(teacher.got.rejected.at(-1)!.message).toMatch(/There is no lesson "no-such": a class can play .*blocking-coordinator/);
    before = teacher.got.rejected.length;
    teacher.send('setup', { protocol: '2pc', nodes: 4, lesson: 'split-vote' });
    expect(rejectedSince(teacher, before)).toEqual(lessonById('split-vote')!.briefings ? [] : ['not-a-class-lesson']);

    // No lesson: a plain round.
    teacher.send('setup', { protocol: '2pc', nodes: 4 });
    const student = host.student('Ada');
    teacher.send('start', {});
    before = teacher.got.rejected.length;
    teacher.send('nextStep', {});
    expect(rejectedSince(teacher, before)).toEqual(['no-lesson']);
    teacher.send('endRound', {});

    teacher.send('setup', { protocol: '2pc', nodes: 4, lesson: LESSON });
    teacher.send('start', {});
    before = teacher.got.rejected.length;
    teacher.send('nextStep', {});
    teacher.send('nextStep', { group: 9 });
    teacher.send('nextStep', { group: 1, extra: true });
    expect(rejectedSince(teacher, before)).toEqual(['not-at-objective', 'no-such-group', 'bad-message']);
    const fromStudent = student.got.rejected.length;
    student.send('nextStep', {});
    expect(rejectedSince(student, fromStudent)).toEqual(['not-allowed']);
    // A lesson is picked anew with each setup.
    teacher.send('endRound', {});
    teacher.send('setup', { protocol: '2pc', nodes: 4 });
    teacher.send('start', {});
    expect(teacher.got.groups.at(-1)!.groups[0]!.lesson).toBeNull();
  });

  it('a solo room has no "Next step", and picks no lesson by setup', () => {
    const host = new MemoryHost({ kind: 'solo', limits: { tickMs: 100 } });
    const player = host.solo(completeSetup({ protocol: '2pc', nodes: 4, studentSeats: [1] }) as Required<RoundSetup>, undefined, lesson);
    host.advance(300);
    teacherless(player);
  });
});

function teacherless(player: MemoryClient): void {
  const before = player.got.rejected.length;
  player.send('nextStep', {});
  player.send('endRound', {});
  player.send('setup', { protocol: '2pc', nodes: 4, lesson: LESSON });
  expect(rejectedSince(player, before)).toEqual(['not-allowed', 'not-allowed']);
}
