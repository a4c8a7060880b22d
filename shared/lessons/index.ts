/**
 * The lessons: the essay "Paxos, Abridged" made playable, one lesson per file, in the essay's order.
 * `LESSON_PATH` lists every place on the path, with the lessons that can be played so far.
 */
import { blockingCoordinator } from './blockingCoordinator';
import { duelingProposers } from './duelingProposers';
import { electingLeader } from './electingLeader';
import { flp } from './flp';
import { leaderSerializes } from './leaderSerializes';
import { liveness } from './liveness';
import { lockedVotes } from './lockedVotes';
import { oneMachine } from './oneMachine';
import { oneVariableThenLog } from './oneVariableThenLog';
import { raftLesson } from './raft';
import { splitVote } from './splitVote';
import { twoGenerals } from './twoGenerals';
import { twoPhaseHappyPath } from './twoPhaseHappyPath';
import { victoryGossip } from './victoryGossip';
import { votingCommit } from './votingCommit';
import type { Lesson, PathEntry } from './types';
import { nodeName } from '../engine/names';

export type { Lesson, LessonRound, LessonSetup, LessonMoment, ScriptRule, Objective, Hint, DeadEnd, PathEntry, EssaySection } from './types';
export type { Debrief, DebriefLine, DebriefTopic, WhatIfTold } from './debrief';
export { whatIf, settled, WHAT_IF_TICKS, WHAT_IF_SALT, type Change, type WhatIf } from './whatIf';
export {
  startLesson,
  lessonConfig,
  observe,
  observeRefusal,
  advance,
  scriptWants,
  applyScript,
  lessonOver,
  narrative,
  lessonPanel,
  type LessonPanel,
  momentOf,
  playLesson,
  replayLesson,
  type LessonRun,
  type LessonStatus,
  type ObjectiveProgress,
  type FiredRule,
  type ScriptedCommand,
  type Delivery,
  type Advanced,
  type StartOptions,
  type PlayOptions,
  type PlayerMoves,
  type PlayedLesson,
  type ReplayedLesson,
} from './run';

/** Every place on the essay's path, in order; `lesson` is null where none can be played yet. */
export const LESSON_PATH: readonly PathEntry[] = [
  { number: 1, title: oneMachine.title, essay: oneMachine.essay, lesson: oneMachine },
  { number: 2, title: twoGenerals.title, essay: twoGenerals.essay, lesson: twoGenerals },
  { number: 3, title: oneVariableThenLog.title, essay: oneVariableThenLog.essay, lesson: oneVariableThenLog },
  { number: 4, title: twoPhaseHappyPath.title, essay: twoPhaseHappyPath.essay, lesson: twoPhaseHappyPath },
  { number: 5, title: blockingCoordinator.title, essay: blockingCoordinator.essay, lesson: blockingCoordinator },
  { number: 6, title: flp.title, essay: flp.essay, lesson: flp },
  { number: 7, title: votingCommit.title, essay: votingCommit.essay, lesson: votingCommit },
  { number: 8, title: lockedVotes.title, essay: lockedVotes.essay, lesson: lockedVotes },
  { number: 9, title: liveness.title, essay: liveness.essay, lesson: liveness },
  { number: 10, title: victoryGossip.title, essay: victoryGossip.essay, lesson: victoryGossip },
  { number: 11, title: splitVote.title, essay: splitVote.essay, lesson: splitVote },
  { number: 12, title: duelingProposers.title, essay: duelingProposers.essay, lesson: duelingProposers },
  { number: 13, title: leaderSerializes.title, essay: leaderSerializes.essay, lesson: leaderSerializes },
  { number: 14, title: electingLeader.title, essay: electingLeader.essay, lesson: electingLeader },
  { number: 15, title: raftLesson.title, essay: raftLesson.essay, lesson: raftLesson },
];

/** The lessons that can be played, in the essay's order. */
export const LESSONS: readonly Lesson[] = LESSON_PATH.flatMap((p) => (p.lesson ? [p.lesson] : []));

/** A playable lesson by its id, or null. */
export function lessonById(id: string): Lesson | null {
  return LESSONS.find((l) => l.id === id) ?? null;
}

/**
 * Why a class cannot play this lesson yet, or null when it can: every student seat needs a briefing
 * of its own, and every objective its words for the group (a student at another seat than the solo
 * player's must read only what is true of their seat).
 */
export function classLessonProblem(lesson: Lesson): string | null {
  const unbriefed = lesson.setup.students.filter((seat) => !lesson.briefings?.[seat]);
  if (unbriefed.length > 0) return `lesson ${lesson.number} (${lesson.id}) has no briefing yet for the student seat${unbriefed.length > 1 ? 's' : ''} ${unbriefed.map(nodeName).join(', ')}`;
  const untitled = lesson.steps.filter((s) => !s.groupTitle);
  if (untitled.length > 0) return `lesson ${lesson.number} (${lesson.id}) does not yet say its objectives to a whole group (${untitled.map((s) => s.id).join(', ')})`;
  return null;
}

/** The lessons a class can play (`classLessonProblem`), in the essay's order. */
export function classLessons(): Lesson[] {
  return LESSONS.filter((l) => classLessonProblem(l) === null);
}
