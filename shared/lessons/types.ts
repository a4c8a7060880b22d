/**
 * A lesson: one place on the essay's path, played on the engine. It is data and pure functions only:
 * the round it sets up, a script that injects faults and moves at the right moments (each with the
 * reason the narrative panel gives), the objectives a player works through (each decided by the
 * engine's world and events, with hints for a player who is stuck), and a debrief worked out from the
 * round's own log. `run.ts` plays it; a room or a solo page drives the same functions.
 */
import type { Command, EngineEvent, NodeId, ProtocolName, RoundConfig, Settings, World } from '../engine/types';
import type { Debrief } from './debrief';
import type { LessonRun } from './run';

/** Where a lesson sits in the essay "Paxos, Abridged": the title of its section. */
export type EssaySection =
  | 'The Atomic Commit Problem'
  | 'Consensus: A Related Problem'
  | 'Two-Phase Commit'
  | 'The FLP Result'
  | 'Atomic Commit in Real Life'
  | 'Paxos: Majority-Rules Two-Phase Commit'
  | 'Paxos: Better with Leaders'
  | 'Raft';

/** The round a lesson plays: its protocol, size, seed and settings, and who holds which seat. */
export interface LessonSetup {
  protocol: ProtocolName;
  nodes: number;
  /** The round's seed: it draws the network's latencies, so the story's timing is the same each time. */
  seed: number;
  settings: Partial<Settings>;
  /** The seat a solo player holds; the objectives speak to whoever holds it ("you"). */
  player: NodeId;
  /** The seats students hold when a class plays the lesson (the player's among them); bots hold the rest. */
  students: NodeId[];
}

/** What a script rule or an objective may look at: the world now, and what the last command did. */
export interface LessonMoment {
  world: World;
  /** The command just applied, or null at the start of the lesson. */
  command: Command | null;
  /** Its events (every event, the god view's too). */
  events: readonly EngineEvent[];
  /** The lesson so far: objectives reached, script rules fired, messages delivered. */
  run: LessonRun;
}

/**
 * One rule of a lesson's script: when `when` holds, the script fires `commands` (a client's request,
 * a crash, a delay, a move of a bot's seat...) through the same engine step as everything else, so
 * they are in the round's log. A scripted move at a seat a person holds is never made: people play
 * their own seats.
 */
export interface ScriptRule {
  id: string;
  when(moment: LessonMoment): boolean;
  /**
   * The commands, made from the world now: a message's id is known only once it is sent. A rule
   * without commands only tells: its line joins the narrative at the moment `when` first holds.
   */
  commands?(moment: LessonMoment): Command[];
  /** How many times the rule may fire (default once); a rule that holds for a while ("delay every VOTE to A") fires often. */
  times?: number;
  /** The narrative panel's line: what the script did, and why it matters here. */
  why: string;
  /**
   * When the player may read `why`: at once (`now`, the default), or only in the debrief (`after`),
   * when it tells what their node could not know while the round ran.
   */
  told?: 'now' | 'after';
}

/** A hint shown once the player has been on an objective this many ticks without reaching it. */
export interface Hint {
  afterTicks: number;
  text: string;
}

/** One objective: reached when the engine's world and events say so, never by the player's word. */
export interface Objective {
  id: string;
  /** What to do or to notice, as the player reads it. */
  title: string;
  /**
   * The same objective as the rest of a class's group reads it, naming the player's seat rather
   * than saying "you". A class may play a lesson only when every objective has one.
   */
  groupTitle?: string;
  reached(moment: LessonMoment): boolean;
  hints: Hint[];
}

/** A way the lesson can no longer reach its objectives, and what to tell the player then. */
export interface DeadEnd {
  id: string;
  when(moment: LessonMoment): boolean;
  text: string;
}

/** A round of a lesson as it was played: what its debrief is worked out from. */
export interface LessonRound {
  config: RoundConfig;
  log: readonly Command[];
  /** Who held a seat, by nickname (null for a person who gave none); bots held the others. */
  players: readonly { node: NodeId; nickname: string | null }[];
}

export interface Lesson {
  id: string;
  /** Its place on the essay's path (`LESSON_PATH`). */
  number: number;
  title: string;
  /** What the lesson shows, in two or three sentences. */
  idea: string;
  essay: EssaySection;
  setup: LessonSetup;
  script: ScriptRule[];
  /** The objectives, in the order the player meets them. */
  steps: Objective[];
  /**
   * What a student at each seat of a class's group is told of their part: who they are, what they
   * may do and what to watch for, true of that seat alone. A class may play a lesson only when every
   * student seat has one.
   */
  briefings?: Partial<Record<NodeId, string>>;
  deadEnds?: DeadEnd[];
  /** The debrief of one round of this lesson, worked out from that round's log alone. */
  debrief(round: LessonRound): Debrief;
}

/** One place on the essay's path: a lesson to play, or one still to be written. */
export interface PathEntry {
  number: number;
  title: string;
  essay: EssaySection;
  /** The lesson, when it can be played. */
  lesson: Lesson | null;
}
