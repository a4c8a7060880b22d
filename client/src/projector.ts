/**
 * The projector view (`/class/CODE/screen`): what the room sees on the wall. Pure (no DOM): which
 * page it shows, its canvas, which live events it may show, and how large it draws. It gives
 * nothing away that the players are to find themselves: until a group's reveal, no commit point on
 * its canvas and no commit point, or proof of a stuck vote, in its log.
 */
import type { EngineEvent } from '../../shared/engine/types';
import type { GodView } from '../../shared/engine/view';
import type { ComparisonMessage, GroupsMessage, RevealMessage, RoundInfo } from '../../shared/wire/messages';
import { classUnderWay, seatsRoster } from './groups';
import { pictureOf, type Picture } from './picture';

/** `/class/CODE/screen` opens the projector view of class CODE. */
export function screenCodeFromPath(path: string): string | null {
  const match = /^\/class\/([A-Za-z0-9]{1,12})\/screen\/?$/.exec(path);
  return match ? match[1]!.toUpperCase() : null;
}

export function screenPath(code: string): string {
  return `/class/${code}/screen`;
}

/**
 * Events of the god view that tell what the players are to work out: the commit point ("X became
 * chosen when C voted") and a vote proven split for good. The god view's own log keeps them; the
 * projector's never shows them.
 */
const CONCEALED_EVENTS: ReadonlySet<string> = new Set(['chosen', 'stuck', 'unstuck']);

export function concealedEvent(event: Pick<EngineEvent, 'type'>): boolean {
  return CONCEALED_EVENTS.has(event.type);
}

/** The events the projector's live log shows: none that gives the answer away, and no bare deliveries (the canvas shows them). */
export function projectorEvents<E extends Pick<EngineEvent, 'type'>>(events: readonly E[]): E[] {
  return events.filter((e) => !concealedEvent(e) && e.type !== 'delivered');
}

/** Whether a reveal is that of the round shown: it ended, and it is the same round. */
export function revealOf(reveal: RevealMessage | null, round: RoundInfo | null): RevealMessage | null {
  if (!reveal || !round || round.phase !== 'ended') return null;
  if (reveal.roundId !== null && round.id !== null && reveal.roundId !== round.id) return null;
  return reveal;
}

export interface ProjectorPictureInput {
  /** The god view the projector is sent: its selected group's. */
  view: GodView;
  round: RoundInfo | null;
  /** That group's reveal, once its round has ended. */
  reveal: RevealMessage | null;
  /** That group's summary, which names the students at its seats. */
  groups: GroupsMessage | null;
  group: number | null;
}

/**
 * One group's canvas on the projector, drawn by the round scene like any other: the god view with
 * every student's nickname, concealed (no commit point) until that group's reveal, and then the
 * revealed world with its commit points.
 */
export function projectorPicture(input: ProjectorPictureInput): Picture {
  const summary = input.groups?.groups.find((g) => g.group === input.group) ?? null;
  const roster = summary ? seatsRoster(summary) : null;
  const reveal = revealOf(input.reveal, input.round);
  if (reveal) return pictureOf({ view: reveal.god, roster, commitPoints: reveal.commitPoints, over: true });
  return pictureOf({ view: input.view, roster, conceal: true });
}

/** What the projector shows: a problem, how to join, every group, one group, or the results. */
export type ProjectorMode = 'grid' | 'group' | 'results';
export type ProjectorPage = 'problem' | 'connecting' | 'lobby' | ProjectorMode;

export interface ProjectorPageInput {
  problem: string | null;
  connected: boolean;
  groups: GroupsMessage | null;
  comparison: ComparisonMessage | null;
  /** What the projector was last asked to show. */
  mode: ProjectorMode;
  /** Whether a god view has come for the group shown. */
  hasView: boolean;
  /** Whether the group shown has had its reveal (its scoreboard can be shown before the others end). */
  revealed: boolean;
}

/**
 * The page: the join code until a round starts (or while rounds are being set up again, with no
 * results to show), then what was asked for; results only once there are some.
 */
export function projectorPage(input: ProjectorPageInput): ProjectorPage {
  if (input.problem !== null) return 'problem';
  if (!input.connected) return 'connecting';
  const results = input.comparison !== null || input.revealed;
  if (!classUnderWay(input.groups) && input.comparison === null) return 'lobby';
  if (input.mode === 'results') return results ? 'results' : 'grid';
  if (input.mode === 'group' && !input.hasView) return 'grid';
  return input.mode;
}

/**
 * How much larger the projector draws its canvas than a laptop would: its nodes, labels and
 * messages readable from the back of a room. By the shorter side of the canvas, from 1 (a small
 * window) to 3, in quarter steps (a window resized by a few pixels keeps its size).
 */
export function projectorMagnification(width: number, height: number): number {
  const side = Math.min(width, height);
  if (!(side > 0)) return 1;
  return Math.round(Math.max(1, Math.min(3, side / 360)) * 4) / 4;
}

/** Whether a key press goes to a control the projector has no business with (a field being typed in). */
export function typingTarget(target: { tagName?: string; isContentEditable?: boolean } | null): boolean {
  const tag = target?.tagName?.toUpperCase();
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable === true;
}

/** What a key press on the projector asks for. */
export type ProjectorKey = { kind: 'grid' } | { kind: 'results' } | { kind: 'step'; delta: number } | { kind: 'digit'; digit: string } | null;

export function projectorKey(key: string, modifiers: { ctrl?: boolean; alt?: boolean; meta?: boolean } = {}): ProjectorKey {
  if (modifiers.ctrl || modifiers.alt || modifiers.meta) return null;
  if (key === 'g' || key === 'G') return { kind: 'grid' };
  if (key === 'r' || key === 'R') return { kind: 'results' };
  if (key === 'ArrowRight' || key === 'ArrowDown') return { kind: 'step', delta: 1 };
  if (key === 'ArrowLeft' || key === 'ArrowUp') return { kind: 'step', delta: -1 };
  if (/^[0-9]$/.test(key)) return { kind: 'digit', digit: key };
  return null;
}
