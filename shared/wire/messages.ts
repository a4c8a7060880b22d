/**
 * The contract between the client and the server: every message a client may send, as a schema the
 * server validates before anything else happens, and the shape of every message the server sends.
 * docs/PROTOCOL.md documents each of them.
 */
import { ELECTION_POLICIES, type EngineEvent, type NodeId, type ProtocolName, type Rejection } from '../engine/types';
import type { CommitPoint } from '../engine/types';
import type { GodView, NodeView, SentNodeView } from '../engine/view';
import type { NodeViewPatch } from './viewPatch';
import type { ClassReportRow } from '../results/report';
import type { HoldUp } from '../results/holdUps';
import type { RoundScoreboard } from '../results/scoreboard';
import type { LessonPanel, LessonStatus } from '../lessons/run';
import {
  MAX_DECISION_DEADLINE_TICKS,
  MAX_DECREE_LENGTH,
  MAX_DECREES,
  MAX_MESSAGE_ID,
  MAX_NODES,
  MAX_SETUP_LATENCY_TICKS,
  MAX_TIMEOUT_TICKS,
  MIN_NODES,
} from '../engine/limits';
import type { Command } from '../engine/types';
import { protocolNameSchema } from '../protocols';
import { commandSchema, actionShape } from './commands';
import { NICKNAME_MAX } from './nickname';
import { bool, int, list, num, object, oneOf, str, type Schema, SchemaError } from './schema';

export const ROOM_CLASSROOM = 'classroom';
export const ROOM_SOLO = 'solo';

/** Largest message (in bytes, as encoded) a client may send; larger ones are refused. */
export const MAX_CLIENT_MESSAGE_BYTES = 2048;
/** Messages per second a client may send before it is disconnected. */
export const MAX_CLIENT_MESSAGES_PER_SECOND = 30;
export const MIN_SPEED = 0.25;
export const MAX_SPEED = 8;
export { NICKNAME_MIN, NICKNAME_MAX } from './nickname';
export const JOIN_CODE_LENGTH = 6;
/** Students a class holds at most. */
export const MAX_CLASS_STUDENTS = 200;
/** Groups a class may play as: enough for every student alone in a group of 3 with bots. */
export const MAX_GROUPS = 100;
/** Join codes avoid look-alike characters (no 0/O, 1/I/L). */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * How far above the last seq handled an `act`'s seq may be. Clients count 1, 2, 3…; a seq beyond the
 * window is refused and does not move the last seq, so no single message can use up a player's numbers.
 */
export const SEQ_WINDOW = 1000;

const NODE = int(0, MAX_NODES - 1);
const SEQ = int(1, MAX_MESSAGE_ID);
/** A nickname as a client sends it: up to 24 characters, each of which may take two UTF-16 units (an emoji). */
const NICKNAME_AS_SENT = str(1, 2 * NICKNAME_MAX);

/** What an instructor sets up before a round starts. */
export const roundSetupSchema = object(
  {
    protocol: protocolNameSchema,
    nodes: int(MIN_NODES, MAX_NODES),
    /** Seats students may take; the others stay with bots. Default: every seat. */
    studentSeats: list(NODE, 0, MAX_NODES),
    latencyMin: int(1, MAX_SETUP_LATENCY_TICKS),
    latencyMax: int(1, MAX_SETUP_LATENCY_TICKS),
    sandbox: bool,
    gossip: bool,
    /** Ticks an idle human may think before their node acts as a bot would; 0 means never. */
    decisionDeadline: int(0, MAX_DECISION_DEADLINE_TICKS),
    /** Ticks after which a waiting node may give up (2PC) or a proposer tries again (Paxos); 0: two round trips at latencyMax, at least 30. */
    timeoutTicks: int(0, MAX_TIMEOUT_TICKS),
    /** No node's timer is set or fires: a node can only wait (the FLP result's asynchronous network). Default false. */
    noTimeouts: bool,
    /** Multi-Paxos: how a node that suspects the leader runs for leader, naive (at once) or ranked (in the order of names). Default ranked. */
    election: oneOf(ELECTION_POLICIES),
    /** Raft: the range its randomized election timeouts are drawn from, in ticks; min 0: from the round's timeout. */
    electionTimeout: object({ min: int(0, MAX_TIMEOUT_TICKS), max: int(0, MAX_TIMEOUT_TICKS) }),
    decrees: list(str(1, MAX_DECREE_LENGTH), 1, MAX_DECREES),
    speed: num(MIN_SPEED, MAX_SPEED),
    /**
     * Students per group in a class: each group plays its own cluster of this setup, and a student
     * who finds every group full starts a new one. 0: as many as the setup has student seats.
     */
    groupSize: int(0, MAX_NODES),
    /**
     * A lesson for the class to play (its id, `shared/lessons`): it fixes the protocol, N, seed and
     * settings, and each group is the lesson's student seats. Unlike the other options it is not kept:
     * a setup without it is no lesson.
     */
    lesson: str(1, 40),
  },
  ['studentSeats', 'latencyMin', 'latencyMax', 'sandbox', 'gossip', 'decisionDeadline', 'timeoutTicks', 'noTimeouts', 'election', 'electionTimeout', 'decrees', 'speed', 'groupSize', 'lesson'],
);
export type RoundSetup = ReturnType<typeof roundSetupSchema.parse>;

/** Engine commands an instructor may inject live (node actions go through `act`). */
export const INSTRUCTOR_COMMANDS: readonly Command['type'][] = [
  'crash',
  'recover',
  'deliver',
  'drop',
  'delay',
  'duplicate',
  'partition',
  'heal',
  'propose',
];

const injectCommand: Schema<Command> = {
  describe: 'an engine command: crash, recover, deliver, drop, delay, duplicate, partition, heal or propose',
  parse(value, path = 'command') {
    const command = commandSchema.parse(value, path);
    if (!INSTRUCTOR_COMMANDS.includes(command.type)) throw new SchemaError(`${path}.type "${command.type}" cannot be injected`);
    return command;
  },
};

/** Every message a client may send, keyed by its type. */
const GROUP = int(1, MAX_GROUPS);

/**
 * Every message a client may send, keyed by its type. In a class, the round controls act on every
 * group at once unless they name one `group`.
 */
export const clientMessages = {
  /** A player's move for the node it holds. `seq` numbers the player's actions: each is applied once. */
  act: object({ seq: SEQ, action: actionShape }),
  // Instructor (classroom) and solo player controls:
  setup: roundSetupSchema,
  start: object({ group: GROUP }, ['group']),
  pause: object({ group: GROUP }, ['group']),
  resume: object({ group: GROUP }, ['group']),
  speed: object({ speed: num(MIN_SPEED, MAX_SPEED), group: GROUP }, ['group']),
  stepOnce: object({ group: GROUP }, ['group']),
  endRound: object({ group: GROUP }, ['group']),
  nextRound: object({ group: GROUP }, ['group']),
  closeClass: object({}),
  /** A fault or a client's request, at the same tick and seat in every group (or in `group` alone). */
  inject: object({ command: injectCommand, group: GROUP }, ['group']),
  autopilot: object({ node: NODE, on: bool, group: GROUP }, ['group']),
  /** In a class lesson: lets every group waiting at an objective it reached (or `group` alone) go on to the next. */
  nextStep: object({ group: GROUP }, ['group']),
  /** Whose god view the instructor (or the projector view) is sent: one group's. */
  selectGroup: object({ group: GROUP }),
  /** To a free seat of the student's group, or of `group`. */
  moveStudent: object({ nickname: NICKNAME_AS_SENT, seat: NODE, group: GROUP }, ['group']),
  kick: object({ nickname: NICKNAME_AS_SENT, reason: str(0, 200) }),
} satisfies Record<string, Schema<unknown>>;

export type ClientMessageType = keyof typeof clientMessages;
export const CLIENT_MESSAGE_TYPES = Object.keys(clientMessages) as ClientMessageType[];
/** Messages only the instructor (or the solo player, for their own round) may send. */
export const CONTROL_MESSAGE_TYPES: readonly ClientMessageType[] = CLIENT_MESSAGE_TYPES.filter((t) => t !== 'act');
/** What the projector view may send: it only looks, at one group or at all of them. */
export const SCREEN_MESSAGE_TYPES: readonly ClientMessageType[] = ['selectGroup'];

/** Join options, validated at join time. */
export const joinOptions = {
  /** A student joins a class by code with a nickname. */
  student: object({ code: str(JOIN_CODE_LENGTH, JOIN_CODE_LENGTH), nickname: str(1, 64) }),
  /**
   * The instructor rejoins their class with the key they got when creating it. With `screen`, the
   * key opens the projector view instead: it is shown what the room may see, and controls nothing.
   */
  instructor: object({ code: str(JOIN_CODE_LENGTH, JOIN_CODE_LENGTH), instructorKey: str(8, 64), screen: bool }, ['screen']),
  /** A solo round; `fork` starts it from a replay's point instead (see POST /api/forks). */
  solo: object({ protocol: protocolNameSchema, nodes: int(MIN_NODES, MAX_NODES), fork: str(8, 64), lesson: str(1, 40) }, ['protocol', 'nodes', 'fork', 'lesson']),
};

/** The longest name a class may have. */
export const MAX_CLASS_TITLE_LENGTH = 80;
export const createClassRequest = object({ title: str(0, MAX_CLASS_TITLE_LENGTH) }, ['title']);

// ---- Server -> client -------------------------------------------------------------------------

export type RoundPhase = 'setup' | 'running' | 'paused' | 'ended';

export interface RoundInfo {
  id: string | null;
  phase: RoundPhase;
  protocol: ProtocolName;
  nodes: number;
  speed: number;
  tick: number;
  sandbox: boolean;
}

export type MemberRole = 'student' | 'instructor' | 'screen' | 'solo';

export interface WelcomeMessage {
  role: MemberRole;
  /** The node this client plays, if any. */
  node: NodeId | null;
  nickname: string | null;
  classCode: string | null;
  /** The class's title, as the instructor named it ("" when unnamed); null outside a class. */
  classTitle: string | null;
  /** A student's group, or the group whose god view the instructor and projector are sent; null in a solo room. */
  group: number | null;
}

/**
 * An engine event as a client gets it, with the tick at which it happened: a view can carry events of
 * two ticks (a player's move, then the next tick's deliveries), so the view's clock cannot date them.
 */
export type TickedEvent = EngineEvent & { tick: number };

/** After every step: the recipient's own view (a node's, or the god view) and the events it may see. */
export interface ViewMessage {
  round: RoundInfo;
  view: NodeView | GodView;
  events: readonly TickedEvent[];
  /** Highest action seq of this client that the server has applied or refused. */
  lastSeq: number;
  /** On the view that answers an applied `act`: that act's seq. */
  accepted?: number;
}

/**
 * A `view` as it travels: the whole view, or for a node's view what changed since the last one this
 * client got (`ViewAssembler` turns frames back into messages).
 */
export type ViewFrame = Omit<ViewMessage, 'view' | 'round' | 'events'> & {
  /** Left out when only the tick changed since this client's last view (the view's `now` is the tick). */
  round?: RoundInfo;
  /** Left out when there are none. */
  events?: ViewMessage['events'];
} & ({ view: SentNodeView | GodView; patch?: undefined } | { view?: undefined; patch: NodeViewPatch });

export interface RejectedMessage {
  code: string;
  message: string;
  /** The action's seq, when the refused message was an `act`. */
  seq?: number;
}

export interface RevealMessage {
  god: GodView;
  outcome: string | null;
  commitPoints: CommitPoint[];
  roundId: string | null;
  /** The group whose round this is; null in a solo room. */
  group: number | null;
  /** Who did what in this round, for the scoreboard; null for a round that was not kept. */
  scoreboard: RoundScoreboard | null;
}

export interface RosterEntry {
  nickname: string;
  /** The student's group; null while they wait for a seat (the class is full). */
  group: number | null;
  node: NodeId | null;
  connected: boolean;
  autopilot: boolean;
  rejections: number;
}

export interface RosterMessage {
  students: RosterEntry[];
  /** The seats of the selected group (`group`). */
  group: number;
  seats: { node: NodeId; holder: 'bot' | 'student'; nickname: string | null; autopilot: boolean }[];
}

/** One group as the instructor's dashboard and the projector's grid show it. */
export interface GroupSummary {
  group: number;
  round: RoundInfo;
  seats: { node: NodeId; nickname: string | null; connected: boolean; crashed: boolean; learned: boolean }[];
  /** Students with a message waiting long for their answer, longest first. */
  holdUps: HoldUp[];
  /** The round's outcome once it has ended (never before: it would give the answer away). */
  outcome: string | null;
  /** The lesson the group plays, how far it has come, and whether it waits for the instructor's "Next step"; null outside a lesson. */
  lesson?: GroupLesson | null;
}

/** A group's way through its lesson's objectives, for the class's progress grid. */
export interface GroupLesson {
  id: string;
  /** Per objective, the tick the group reached it, or null. */
  reached: (number | null)[];
  /** The group reached an objective and its clock stands until the instructor's "Next step". */
  waiting: boolean;
  status: LessonStatus;
}

/** To the instructor and the projector view: every group, at most once a second and on every change of phase. */
export interface GroupsMessage {
  selected: number;
  groups: GroupSummary[];
}

/** When every group's round has ended: the groups compared, and each group's scoreboard. */
export interface ComparisonMessage {
  sentences: string[];
  /** The instructor and the projector get every group's; a student, their own group's. */
  scoreboards: RoundScoreboard[];
}

/** A lesson as its player sees it: the idea, the objectives reached so far, hints, what the script did and why, and the debrief at the end. */
export type LessonMessage = LessonPanel & {
  /** In a class: the group reached an objective and its clock stands until the instructor's "Next step" (always false alone). */
  waiting: boolean;
};

/** To a student after each round: their own line of the class report, and nobody else's. */
export interface ReportLineMessage {
  line: ClassReportRow | null;
}

export interface KickedMessage {
  reason: string;
}

/** Sent instead of a view when only the clock moved for this recipient. */
export interface ClockMessage {
  tick: number;
  phase: RoundPhase;
}

export type ServerMessages = {
  welcome: WelcomeMessage;
  view: ViewFrame;
  clock: ClockMessage;
  rejected: RejectedMessage;
  reveal: RevealMessage;
  roster: RosterMessage;
  kicked: KickedMessage;
  closed: { reason: string };
  groups: GroupsMessage;
  comparison: ComparisonMessage;
  reportLine: ReportLineMessage;
  lesson: LessonMessage;
};

export type { Rejection };
