/**
 * A lesson round in the replay viewer, free of any drawing: the lesson the round played (`meta.lesson`)
 * re-run from the stored log with shared/lessons `replayLesson`, which tells the objectives reached and
 * the script rules fired at their steps, and the lesson's own debrief of the round, naming the people
 * who held its seats. Nothing here is written by hand: every mark and line comes from the lesson's
 * run over the log.
 */
import type { RoundDocument } from '../../../shared/engine/round';
import type { NodeId } from '../../../shared/engine/types';
import { lessonById, replayLesson, type Lesson, type LessonRound, type LessonStatus } from '../../../shared/lessons';
import type { PointOfView } from './controller';

/** A moment of the lesson on the timeline: an objective reached, or a script rule that fired. */
export interface LessonMark {
  /** The replay's step (commands applied) whose world shows the moment: 0 is the start. */
  step: number;
  tick: number;
  kind: 'objective' | 'script';
  /** The objective's title, or the rule's why. */
  text: string;
  /** A rule told only after the round (`told: 'after'`) tells what the player's node could not know. */
  after: boolean;
}

export interface LessonReplay {
  lesson: Lesson;
  /** Who held a seat, by nickname, as stored with the round: the debrief names them. */
  players: { node: NodeId; nickname: string }[];
  /** Every objective reached and every rule that fired (and changed something), in step order. */
  marks: LessonMark[];
  /** Each objective with the step at which it was reached, or null. */
  objectives: { title: string; step: number | null }[];
  status: LessonStatus;
  deadEnd: string | null;
  /** The lesson's debrief of this round, line by line. */
  debrief: string[];
}

/** Why a round that names a lesson cannot be shown as one. */
export type LessonProblem = { lesson: string; problem: string };

/** How the debrief names the player of a solo lesson, who plays without a nickname: the lesson speaks to them as "you". */
export const SOLO_PLAYER = 'you';

/**
 * The people who held a lesson round's seats: the seat holders stored with it, and its players; one
 * nickname a seat (the first to hold it), in seat order. A solo room stores no nickname for its
 * player, who always holds the lesson's player seat: that seat is theirs, named "you".
 */
export function seatHolders(doc: RoundDocument, lesson: Lesson): { node: NodeId; nickname: string }[] {
  const byNode = new Map<NodeId, string>();
  for (const h of [...(doc.meta.holders ?? []), ...(doc.meta.players ?? [])]) if (!byNode.has(h.node)) byNode.set(h.node, h.nickname);
  if (doc.meta.classCode === undefined && !byNode.has(lesson.setup.player)) byNode.set(lesson.setup.player, SOLO_PLAYER);
  return [...byNode].map(([node, nickname]) => ({ node, nickname })).sort((a, b) => a.node - b.node);
}

/** A debrief line as the panel shows it: "you (A) wrote COMMIT" starts a sentence. */
const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The lesson a stored round played, re-run from its log; null for a round that played none, and a
 * problem for one whose lesson this Quorum does not have or whose round is not that lesson's.
 */
export function lessonReplayOf(doc: RoundDocument): LessonReplay | LessonProblem | null {
  const id = doc.meta.lesson;
  if (id === undefined) return null;
  const lesson = lessonById(id);
  if (!lesson) return { lesson: id, problem: `This round played the lesson "${id}", which this version of Quorum does not have.` };
  const { protocol, nodes, seed } = lesson.setup;
  if (doc.config.protocol !== protocol || doc.config.nodes !== nodes || doc.config.seed !== seed) {
    return { lesson: id, problem: `This round is not set up as the lesson "${lesson.title}" is, so it does not replay as that lesson.` };
  }
  const players = seatHolders(doc, lesson);
  const round: LessonRound = { config: doc.config, log: doc.log, players };
  let replayed;
  try {
    replayed = replayLesson(lesson, round);
  } catch (error) {
    return { lesson: id, problem: `This round does not replay as the lesson "${lesson.title}": ${(error as Error).message}.` };
  }
  let debrief: string[];
  try {
    debrief = lesson.debrief(round).lines.map((l) => sentence(l.text));
  } catch (error) {
    // The steps still show; only the debrief is missing.
    debrief = [`The debrief of this round could not be worked out: ${(error as Error).message}.`];
  }
  const { run } = replayed;
  const last = doc.log.length;
  // The runner counts a moment by the index of the command after which it held (-1: the start); the
  // replay shows the world after that many commands plus one.
  const at = (index: number): number => Math.max(0, Math.min(last, index + 1));
  const marks: LessonMark[] = [];
  lesson.steps.forEach((objective, i) => {
    const reached = run.objectives[i]?.reached;
    if (reached) marks.push({ step: at(reached.step), tick: reached.tick, kind: 'objective', text: objective.title, after: false });
  });
  for (const f of run.fired) {
    // A rule whose command the engine refused changed nothing, and the live panel did not tell it either.
    if (!f.refused) marks.push({ step: at(f.step), tick: f.tick, kind: 'script', text: f.why, after: f.told === 'after' });
  }
  marks.sort((a, b) => a.step - b.step);
  return {
    lesson,
    players,
    marks,
    objectives: lesson.steps.map((o, i) => {
      const reached = run.objectives[i]?.reached;
      return { title: o.title, step: reached ? at(reached.step) : null };
    }),
    status: run.status,
    deadEnd: run.deadEnd?.text ?? null,
    debrief,
  };
}

export function isLessonProblem(value: LessonReplay | LessonProblem | null): value is LessonProblem {
  return value !== null && 'problem' in value;
}

/**
 * The marks a point of view may see: all of them through the god view; through a node's eyes, not
 * the rules told only after the round, which say what the player's node could not know.
 */
export function lessonMarksSeenBy(marks: readonly LessonMark[], pov: PointOfView): LessonMark[] {
  return pov === 'god' ? marks.slice() : marks.filter((m) => !m.after);
}

/** How many of the lesson's objectives were reached by `step`. */
export function objectivesReachedBy(replay: LessonReplay, step: number): boolean[] {
  return replay.objectives.map((o) => o.step !== null && o.step <= step);
}
