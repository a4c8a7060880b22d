/**
 * A class of many groups as the instructor's dashboard and the projector show it: the cards of the
 * `groups` message, moving from group to group, and which group a control acts on. Pure (no DOM),
 * so that it is unit-tested.
 */
import { nodeName } from '../../shared/engine/names';
import type { NodeId } from '../../shared/engine/types';
import type { ClientMessageType, GroupSummary, GroupsMessage, RosterMessage, RoundPhase } from '../../shared/wire/messages';
import { outcomeSentence, protocolTitle } from './describe';
import { lessonById } from '../../shared/lessons';

export const PHASE_WORDS: Readonly<Record<RoundPhase, string>> = { setup: 'waiting to start', running: 'running', paused: 'paused', ended: 'over' };

/** One seat of a group's card. */
export interface SeatCard {
  node: NodeId;
  /** "A" */
  name: string;
  nickname: string | null;
  bot: boolean;
  /** A student whose connection is gone (their seat waits for them). */
  away: boolean;
  crashed: boolean;
  learned: boolean;
  /** The seat in words, for a screen reader and a tooltip: "A: Ada, crashed, learned the outcome". */
  words: string;
}

export interface GroupCard {
  group: number;
  selected: boolean;
  phase: RoundPhase;
  phaseText: string;
  tick: number;
  protocol: string;
  nodes: number;
  students: number;
  seats: SeatCard[];
  /** "Ada has had a PREPARE waiting for 60 ticks", longest first. */
  holdUps: string[];
  /** The outcome in the protocol's words, once the group's round is over (null before). */
  outcome: string | null;
  /** "Group 2: Paxos, 5 nodes, running, tick 45, 3 students". */
  summary: string;
}

function seatCard(seat: GroupSummary['seats'][number]): SeatCard {
  const name = nodeName(seat.node);
  const bot = seat.nickname === null;
  const away = !bot && !seat.connected;
  const marks = [away ? 'away' : '', seat.crashed ? 'crashed' : '', seat.learned ? 'learned the outcome' : ''].filter((m) => m !== '');
  return {
    node: seat.node,
    name,
    nickname: seat.nickname,
    bot,
    away,
    crashed: seat.crashed,
    learned: seat.learned,
    words: [`${name}: ${seat.nickname ?? 'bot'}`, ...marks].join(', '),
  };
}

/** The groups' cards, in group order, from the server's `groups` message. */
export function groupCards(message: GroupsMessage): GroupCard[] {
  return message.groups
    .slice()
    .sort((a, b) => a.group - b.group)
    .map((g) => {
      const seats = g.seats.slice().sort((a, b) => a.node - b.node).map(seatCard);
      const students = seats.filter((s) => !s.bot).length;
      const protocol = protocolTitle(g.round.protocol);
      const phaseText = PHASE_WORDS[g.round.phase];
      // The outcome is the answer to the round: shown only once the group's round is over.
      const outcome = g.round.phase === 'ended' && g.outcome !== null ? outcomeSentence(g.round.protocol, g.outcome, false) : g.round.phase === 'ended' ? 'Nothing was decided.' : null;
      return {
        group: g.group,
        selected: g.group === message.selected,
        phase: g.round.phase,
        phaseText,
        tick: g.round.tick,
        protocol,
        nodes: g.round.nodes,
        students,
        seats,
        holdUps: g.holdUps.map((u) => u.text),
        outcome,
        summary: `Group ${g.group}: ${protocol}, ${g.round.nodes} nodes, ${phaseText}, tick ${g.round.tick}, ${students} student${students === 1 ? '' : 's'}`,
      };
    });
}

/** The students seated in the class, group by group and seat by seat. */
export function seatedStudents(message: GroupsMessage | null): string[] {
  if (!message) return [];
  return groupCards(message).flatMap((card) => card.seats.flatMap((s) => (s.nickname === null ? [] : [s.nickname])));
}

/** Whether any group's round has started: until then the projector shows how to join. */
export function classUnderWay(message: GroupsMessage | null): boolean {
  return message?.groups.some((g) => g.round.phase !== 'setup') ?? false;
}

/** The group `delta` places after `current` in group order, wrapping around; null without groups. */
export function neighbourGroup(message: GroupsMessage | null, current: number | null, delta: number): number | null {
  const numbers = (message?.groups ?? []).map((g) => g.group).sort((a, b) => a - b);
  if (numbers.length === 0) return null;
  const at = current === null ? -1 : numbers.indexOf(current);
  if (at < 0) return delta >= 0 ? numbers[0]! : numbers[numbers.length - 1]!;
  const next = (((at + delta) % numbers.length) + numbers.length) % numbers.length;
  return numbers[next]!;
}

/**
 * The group named by the digits typed one after the other ("1", then "2": group 12 if there is
 * one, else group 2); null when no group has that number.
 */
export function groupFromDigits(digits: string, message: GroupsMessage | null): number | null {
  const numbers = new Set((message?.groups ?? []).map((g) => g.group));
  for (let start = 0; start < digits.length; start++) {
    const n = Number(digits.slice(start));
    if (Number.isInteger(n) && numbers.has(n)) return n;
  }
  return null;
}

/** A group's seats as a roster's, so that the canvas names each student's node. */
export function seatsRoster(summary: GroupSummary): RosterMessage {
  return {
    students: [],
    group: summary.group,
    seats: summary.seats.map((s) => ({ node: s.node, holder: s.nickname === null ? 'bot' : 'student', nickname: s.nickname, autopilot: false })),
  };
}

/** The controls that act on every group of a class, or on one when they name it. */
export const GROUP_CONTROLS: ReadonlySet<ClientMessageType> = new Set<ClientMessageType>(['start', 'pause', 'resume', 'speed', 'stepOnce', 'endRound', 'nextRound', 'inject', 'autopilot', 'nextStep']);

/** Faults on a message in flight: its id names a message of one group's round, never of the others'. */
const MESSAGE_FAULTS: ReadonlySet<string> = new Set(['deliver', 'drop', 'delay', 'duplicate']);

/** Which group the instructor's controls act on: `group` is the one shown (null outside a class). */
export interface ControlScope {
  /** "This group only": the controls name the group shown; otherwise they act on every group. */
  groupOnly: boolean;
  group: number | null;
}

/**
 * A control message as it is sent: with the group shown when "this group only" is on, without one
 * (every group) when it is off. Faults on a message in flight and moves to a seat always name the
 * group shown, whose message and seats the instructor picked them from.
 */
export function scopedControl(type: Exclude<ClientMessageType, 'act'>, payload: object, scope: ControlScope): object {
  if (scope.group === null) return payload;
  const command = (payload as { command?: { type?: unknown } }).command;
  const oneGroup =
    (GROUP_CONTROLS.has(type) && scope.groupOnly) || (type === 'inject' && typeof command?.type === 'string' && MESSAGE_FAULTS.has(command.type)) || type === 'moveStudent';
  return oneGroup ? { ...payload, group: scope.group } : payload;
}

/** A class's way through its lesson: the objectives (as the group reads them) and, per group, which are reached. */
export interface LessonProgress {
  id: string;
  number: number;
  title: string;
  objectives: string[];
  rows: {
    group: number;
    /** Per objective, the tick the group reached it, or null. */
    reached: (number | null)[];
    /** The first objective not reached; the number of objectives once all are. */
    current: number;
    waiting: boolean;
    /** "waits for Next step", "playing", "done", "over", "cannot reach its objectives". */
    state: string;
  }[];
  /** Groups waiting at an objective for "Next step". */
  waiting: number[];
}

/** The lesson the class's groups play and how far each has come, from the `groups` message; null when no group plays one. */
export function lessonProgress(message: GroupsMessage | null): LessonProgress | null {
  const groups = (message?.groups ?? []).filter((g) => g.lesson).sort((a, b) => a.group - b.group);
  const lesson = groups.length > 0 ? lessonById(groups[0]!.lesson!.id) : null;
  if (!lesson) return null;
  const rows = groups.map((g) => {
    const l = g.lesson!;
    const current = l.reached.findIndex((t) => t === null);
    const state = l.waiting
      ? 'waits for Next step'
      : g.round.phase === 'ended'
        ? l.status === 'done'
          ? 'done'
          : 'over'
        : l.status === 'dead-end'
          ? 'cannot reach its objectives'
          : g.round.phase === 'setup'
            ? PHASE_WORDS.setup
            : PHASE_WORDS[g.round.phase];
    return { group: g.group, reached: l.reached, current: current < 0 ? l.reached.length : current, waiting: l.waiting, state };
  });
  return {
    id: lesson.id,
    number: lesson.number,
    title: lesson.title,
    objectives: lesson.steps.map((s) => s.groupTitle ?? s.title),
    rows,
    waiting: rows.filter((r) => r.waiting).map((r) => r.group),
  };
}
