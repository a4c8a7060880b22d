import { describe, expect, it } from 'vitest';
import type { GroupSummary, GroupsMessage, RoundInfo } from '../../shared/wire/messages';
import { classUnderWay, groupCards, groupFromDigits, neighbourGroup, scopedControl, seatedStudents, seatsRoster } from '../../client/src/groups';
import { App } from '../../client/src/app';
import type { Session } from '../../client/src/session';
import { clampGroupSize, DEFAULT_VALUES, toSetupMessage } from '../../client/src/ui/setup';
import { roundSetupSchema } from '../../shared/wire/messages';

const info = (phase: RoundInfo['phase'], tick = 40): RoundInfo => ({ id: phase === 'setup' ? null : `r-${tick}`, phase, protocol: 'paxos', nodes: 3, speed: 1, tick, sandbox: false });

function summary(group: number, phase: RoundInfo['phase'], extra: Partial<GroupSummary> = {}): GroupSummary {
  return {
    group,
    round: info(phase),
    seats: [
      { node: 1, nickname: 'Bo', connected: false, crashed: true, learned: false },
      { node: 0, nickname: 'Ada', connected: true, crashed: false, learned: true },
      { node: 2, nickname: null, connected: true, crashed: false, learned: false },
    ],
    holdUps: [],
    outcome: null,
    ...extra,
  };
}

const holdUp = {
  node: 0,
  nickname: 'Ada',
  messageId: 4,
  kind: 'prepare',
  word: 'PREPARE',
  deliveredAt: 3,
  ticks: 60,
  waiting: 1,
  text: 'Ada has had a PREPARE waiting for 60 ticks',
};

describe('the groups as cards', () => {
  const message: GroupsMessage = {
    selected: 2,
    groups: [
      summary(3, 'ended', { outcome: 'X' }),
      summary(1, 'running', { holdUps: [holdUp], outcome: 'leaked' }),
      summary(2, 'paused', { seats: [{ node: 0, nickname: null, connected: true, crashed: false, learned: false }] }),
    ],
  };

  it('gives each group its number, phase, tick, students, seats, hold-ups and, once over, its outcome', () => {
    const cards = groupCards(message);
    expect(cards.map((c) => c.group)).toEqual([1, 2, 3]);
    expect(cards.map((c) => c.selected)).toEqual([false, true, false]);
    const [one, two, three] = cards;
    expect(one!.phaseText).toBe('running');
    expect(one!.tick).toBe(40);
    expect(one!.students).toBe(2);
    expect(one!.seats.map((s) => s.name)).toEqual(['A', 'B', 'C']);
    expect(one!.seats[0]).toMatchObject({ nickname: 'Ada', learned: true, crashed: false, bot: false, away: false, words: 'A: Ada, learned the outcome' });
    expect(one!.seats[1]).toMatchObject({ nickname: 'Bo', crashed: true, away: true, words: 'B: Bo, away, crashed' });
    expect(one!.seats[2]).toMatchObject({ nickname: null, bot: true, words: 'C: bot' });
    expect(one!.holdUps).toEqual(['Ada has had a PREPARE waiting for 60 ticks']);
    // A running round's outcome would give the answer away: never shown, even if sent.
    expect(one!.outcome).toBeNull();
    expect(two!.students).toBe(0);
    expect(two!.summary).toBe('Group 2: Paxos, 3 nodes, paused, tick 40, 0 students');
    expect(three!.outcome).toBe('Decided: X.');
    expect(groupCards({ selected: 1, groups: [summary(1, 'ended')] })[0]!.outcome).toBe('Nothing was decided.');
  });

  it('counts the students seated and tells when the class is under way', () => {
    expect(seatedStudents(message)).toEqual(['Ada', 'Bo', 'Ada', 'Bo']);
    expect(seatedStudents(null)).toEqual([]);
    expect(classUnderWay(message)).toBe(true);
    expect(classUnderWay({ selected: 1, groups: [summary(1, 'setup'), summary(2, 'setup')] })).toBe(false);
    expect(classUnderWay(null)).toBe(false);
  });

  it('steps from group to group around the class, and reads typed group numbers', () => {
    const many: GroupsMessage = { selected: 1, groups: [1, 2, 3, 12].map((g) => summary(g, 'running')) };
    expect(neighbourGroup(many, 1, 1)).toBe(2);
    expect(neighbourGroup(many, 12, 1)).toBe(1);
    expect(neighbourGroup(many, 1, -1)).toBe(12);
    expect(neighbourGroup(many, null, 1)).toBe(1);
    expect(neighbourGroup(many, 99, -1)).toBe(12);
    expect(neighbourGroup(null, 1, 1)).toBeNull();
    expect(groupFromDigits('1', many)).toBe(1);
    expect(groupFromDigits('12', many)).toBe(12);
    // "1" then "3": no group 13, so group 3.
    expect(groupFromDigits('13', many)).toBe(3);
    expect(groupFromDigits('9', many)).toBeNull();
  });

  it('names each student at their node on the canvas', () => {
    const roster = seatsRoster(summary(1, 'running'));
    expect(roster.group).toBe(1);
    expect(roster.seats.find((s) => s.node === 0)).toEqual({ node: 0, holder: 'student', nickname: 'Ada', autopilot: false });
    expect(roster.seats.find((s) => s.node === 2)).toEqual({ node: 2, holder: 'bot', nickname: null, autopilot: false });
  });
});

describe('this group only', () => {
  const on = { groupOnly: true, group: 3 };
  const off = { groupOnly: false, group: 3 };

  it('names the group shown on every round control when on, and none (every group) when off', () => {
    for (const type of ['start', 'pause', 'resume', 'stepOnce', 'endRound', 'nextRound'] as const) {
      expect(scopedControl(type, {}, on)).toEqual({ group: 3 });
      expect(scopedControl(type, {}, off)).toEqual({});
    }
    expect(scopedControl('speed', { speed: 2 }, on)).toEqual({ speed: 2, group: 3 });
    expect(scopedControl('autopilot', { node: 1, on: true }, off)).toEqual({ node: 1, on: true });
    expect(scopedControl('inject', { command: { type: 'crash', node: 0 } }, on)).toEqual({ command: { type: 'crash', node: 0 }, group: 3 });
    expect(scopedControl('inject', { command: { type: 'crash', node: 0 } }, off)).toEqual({ command: { type: 'crash', node: 0 } });
  });

  it('always names the group shown for a fault on one of its messages and a move to one of its seats', () => {
    for (const command of [{ type: 'drop', id: 5 }, { type: 'delay', id: 5, ticks: 5 }, { type: 'deliver', id: 5 }, { type: 'duplicate', id: 5 }]) {
      expect(scopedControl('inject', { command }, off)).toEqual({ command, group: 3 });
    }
    expect(scopedControl('moveStudent', { nickname: 'Ada', seat: 1 }, off)).toEqual({ nickname: 'Ada', seat: 1, group: 3 });
  });

  it('never names a group on class-wide messages, nor outside a class', () => {
    expect(scopedControl('setup', { protocol: 'paxos', nodes: 3 }, on)).toEqual({ protocol: 'paxos', nodes: 3 });
    expect(scopedControl('kick', { nickname: 'Ada', reason: '' }, on)).toEqual({ nickname: 'Ada', reason: '' });
    expect(scopedControl('closeClass', {}, on)).toEqual({});
    expect(scopedControl('start', {}, { groupOnly: true, group: null })).toEqual({});
    expect(scopedControl('inject', { command: { type: 'drop', id: 1 } }, { groupOnly: false, group: null })).toEqual({ command: { type: 'drop', id: 1 } });
  });

  it('is what the instructor’s app sends', () => {
    const app = new App('http://127.0.0.1:1');
    const sent: { type: string; payload: object }[] = [];
    app.session = { control: (type: string, payload: object) => sent.push({ type, payload }) } as unknown as Session;
    app.receive('welcome', { role: 'instructor', node: null, nickname: null, classCode: 'K7MQ4X', classTitle: 'Networks', group: 2 });
    app.control('pause');
    app.setGroupOnly(true);
    app.control('pause');
    app.control('speed', { speed: 4 });
    app.selectGroup(3);
    expect(sent).toEqual([
      { type: 'pause', payload: {} },
      { type: 'pause', payload: { group: 2 } },
      { type: 'speed', payload: { speed: 4, group: 2 } },
      { type: 'selectGroup', payload: { group: 3 } },
    ]);
    // The server answers with the group shown; the controls follow it.
    app.receive('groups', { selected: 3, groups: [summary(2, 'running'), summary(3, 'running')] });
    app.control('resume');
    expect(sent.at(-1)).toEqual({ type: 'resume', payload: { group: 3 } });
  });
});

describe('the setup form', () => {
  it('sends the students per group, which the server’s schema takes', () => {
    expect(toSetupMessage(DEFAULT_VALUES).groupSize).toBe(0);
    const message = toSetupMessage({ ...DEFAULT_VALUES, groupSize: 4 });
    expect(message.groupSize).toBe(4);
    expect(roundSetupSchema.parse(message).groupSize).toBe(4);
    expect(clampGroupSize('3')).toBe(3);
    expect(clampGroupSize('-2')).toBe(0);
    expect(clampGroupSize('40')).toBe(9);
    expect(clampGroupSize('')).toBe(0);
    expect(clampGroupSize('abc')).toBe(0);
  });
});
