/**
 * One round as the server runs it: the engine's world, the command log it persists, and the bots'
 * random source. Every change goes through `step`; every accepted command is appended to the store
 * before the caller broadcasts anything. Where the round is in its life (set up, running, paused,
 * ended) is the cluster's to say (./cluster.ts).
 */
import {
  createWorld,
  makeConfig,
  MAX_ROUND_COMMANDS,
  MAX_ROUND_REJECTIONS,
  configProblem,
  roundStatus,
  step,
  Rng,
  DEFAULT_SETTINGS,
  DEFAULT_PROTOCOL,
  protocolFor,
  type Command,
  type NodeId,
  type EngineEvent,
  type RecordedRejection,
  type Rejection,
  type RoundConfig,
  type World,
} from '../../shared';
import { scoreRound, type RoundResult, type SeatHolder } from '../../shared/results';
import { lessonById, lessonConfig, observe, observeRefusal, scriptWants, startLesson, type Lesson, type LessonRun, type ScriptedCommand } from '../../shared/lessons';
import type { RoundPhase, RoundSetup } from '../../shared/wire/messages';
import type { ForkStart } from '../forkJob';
import type { CoreRandom, FinishedState, RoundLog, RoundSeating, StoredPlayer } from './services';

export type { RoundPhase, RoundSetup };

/** The setup every new class and solo round starts from. */
export const DEFAULT_SETUP: Required<RoundSetup> = {
  protocol: DEFAULT_PROTOCOL,
  nodes: 5,
  studentSeats: [0, 1, 2, 3, 4],
  latencyMin: DEFAULT_SETTINGS.latencyMin,
  latencyMax: DEFAULT_SETTINGS.latencyMax,
  sandbox: false,
  gossip: false,
  decisionDeadline: 0,
  // From the latency.
  timeoutTicks: 0,
  noTimeouts: false,
  election: 'ranked',
  // From the round's timeout.
  electionTimeout: { min: 0, max: 0 },
  // Two clients with different requests: enough to show a commit point and, sometimes, a race.
  decrees: ['X', 'Y'],
  speed: 1,
  // Every student seat of a group.
  groupSize: 0,
  // No lesson.
  lesson: '',
};

/** Fills the optional fields of a setup; returns the full setup or what is wrong with it. */
export function completeSetup(setup: RoundSetup, previous: Required<RoundSetup> = DEFAULT_SETUP, fromLesson = false): Required<RoundSetup> | string {
  const nodes = setup.nodes;
  const protocol = protocolFor(setup.protocol);
  if (protocol.lessonOnly && !fromLesson) return `${protocol.title} is played in its lesson only: start it from the Learn path`;
  const full: Required<RoundSetup> = {
    protocol: setup.protocol,
    nodes,
    studentSeats: setup.studentSeats ?? Array.from({ length: nodes }, (_, i) => i),
    latencyMin: setup.latencyMin ?? previous.latencyMin,
    latencyMax: setup.latencyMax ?? previous.latencyMax,
    sandbox: setup.sandbox ?? previous.sandbox,
    gossip: setup.gossip ?? previous.gossip,
    decisionDeadline: setup.decisionDeadline ?? previous.decisionDeadline,
    timeoutTicks: setup.timeoutTicks ?? previous.timeoutTicks,
    noTimeouts: setup.noTimeouts ?? previous.noTimeouts,
    election: setup.election ?? previous.election,
    electionTimeout: setup.electionTimeout ?? previous.electionTimeout,
    decrees: setup.decrees ?? previous.decrees,
    speed: setup.speed ?? previous.speed,
    groupSize: setup.groupSize ?? previous.groupSize,
    // A lesson is picked anew with each setup: one without it plays no lesson.
    lesson: setup.lesson ?? '',
  };
  if (full.lesson !== '') {
    const lesson = lessonById(full.lesson);
    if (!lesson) return `there is no lesson "${full.lesson}"`;
    return lessonSetup(full, lesson);
  }
  if (full.studentSeats.some((s) => s >= nodes)) return `studentSeats must name seats from 0 to ${nodes - 1}`;
  if (new Set(full.studentSeats).size !== full.studentSeats.length) return 'studentSeats must not name a seat twice';
  const problem = configProblem(configOf(full, 0));
  return problem ?? full;
}

/**
 * A class's setup for a lesson: the lesson's protocol, N and settings, its student seats, and a
 * group as large as its student seats (the round itself is `lessonConfig`, seed included).
 */
function lessonSetup(setup: Required<RoundSetup>, lesson: Lesson): Required<RoundSetup> {
  const { protocol, nodes, settings } = lessonConfig(lesson);
  const students = lesson.setup.students;
  return {
    ...setup,
    protocol,
    nodes,
    studentSeats: students.slice(),
    latencyMin: settings.latencyMin,
    latencyMax: settings.latencyMax,
    sandbox: settings.sandbox,
    gossip: settings.gossip,
    timeoutTicks: settings.timeoutTicks,
    electionTimeout: settings.electionTimeout ? { ...settings.electionTimeout } : { min: 0, max: 0 },
    decrees: settings.decrees.slice(),
    groupSize: students.length,
    lesson: lesson.id,
  };
}

/** The lesson a setup names, or null. */
export function lessonOfSetup(setup: Required<RoundSetup>): Lesson | null {
  return setup.lesson === '' ? null : lessonById(setup.lesson);
}

export function configOf(setup: Required<RoundSetup>, seed: number): RoundConfig {
  return makeConfig(setup.protocol, setup.nodes, seed, {
    latencyMin: setup.latencyMin,
    latencyMax: setup.latencyMax,
    sandbox: setup.sandbox,
    gossip: setup.gossip,
    decrees: setup.decrees.slice(),
    // 0: the engine's timeout for this latency.
    ...(setup.timeoutTicks > 0 ? { timeoutTicks: setup.timeoutTicks } : {}),
    // Only when on, so that the config of every other round stays as it was.
    ...(setup.noTimeouts ? { noTimeouts: true } : {}),
    // Only where it means something, so that the config of every other protocol's round stays as it was.
    ...(setup.protocol === 'multipaxos' ? { election: setup.election } : {}),
    // Only when set (Raft's election timeouts), so that the config of every other round stays as it was.
    ...(setup.electionTimeout.min > 0 ? { electionTimeout: { ...setup.electionTimeout } } : {}),
  });
}

export type { ForkStart };

/** The refusal of any command once a round holds as many as a round document may. */
const ROUND_FULL: Rejection = {
  code: 'round-full',
  message: `This round holds ${MAX_ROUND_COMMANDS.toLocaleString('en-US')} commands, as many as a round may: it ends here.`,
  rule: false,
};

/** The most commands a lesson's script may fire in a row. */
const MAX_SCRIPTED_IN_A_ROW = 200;

export type Applied = { ok: true; events: EngineEvent[] } | { ok: false; rejection: Rejection };

export class Round {
  readonly id: string;
  readonly config: RoundConfig;
  world: World;
  /** Drives bot choices; bots' moves are logged as commands, so replays never need it. */
  readonly botRng: Rng;
  commands = 0;
  persisted = false;
  /** Refused moves kept for the timeline and the scoreboard; a round keeps at most MAX_ROUND_REJECTIONS. */
  private readonly rejections: RecordedRejection[] = [];
  /** The lesson this round plays, as far as it has come; null for a round that is no lesson. */
  lessonRun: LessonRun | null;
  /** The round's own commands (after a fork's starting ones), for its scoreboard at the end. */
  private readonly log: Command[] = [];
  /** Who held each student seat from which step; the open spans have `to: null`. */
  private readonly holders: SeatHolder[] = [];
  /** Steps of the moves bots made at seats students held. */
  private readonly botMoves: number[] = [];

  /** A fork's commands before its starting world (a deflated JSON list): stored with the round when it begins. */
  private prefix: Uint8Array | null;
  private readonly prefixCount: number;
  private readonly forked: boolean;

  constructor(
    readonly setup: Required<RoundSetup>,
    private readonly store: RoundLog,
    random: CoreRandom,
    readonly classCode: string | null,
    fork?: ForkStart,
    /** The group's number in its class (from 1), or null outside a class. */
    readonly group: number | null = null,
    /** A lesson the round plays: its config, and its script firing through this round's steps. */
    lesson: Lesson | null = null,
  ) {
    this.id = random.roundId();
    const seed = fork ? fork.config.seed : random.seed();
    this.config = fork ? { ...fork.config, settings: { ...fork.config.settings, sandbox: true } } : lesson ? lessonConfig(lesson) : configOf(setup, seed);
    // A fork's world was worked out by a fork worker, off the event loop. Commands the original round
    // accepted re-run the same with sandbox on (only refused moves differ), so only the config changes.
    this.world = fork ? { ...(JSON.parse(fork.world) as World), config: this.config } : createWorld(this.config);
    this.prefix = fork?.commands ?? null;
    this.prefixCount = fork?.step ?? 0;
    this.forked = (fork?.step ?? 0) > 0;
    this.commands = fork?.step ?? 0;
    this.botRng = Rng.fromSeed(seed ^ 0x5eed ^ this.commands);
    this.lessonRun = lesson && !fork ? startLesson(lesson, { world: this.world }) : null;
  }

  /**
   * The lesson starts again from this world with the seats people hold (before any command): the
   * script never moves for them.
   */
  lessonPeople(people: readonly NodeId[]): void {
    const run = this.lessonRun;
    if (run) this.lessonRun = startLesson(run.lesson, { people: [...people].sort((a, b) => a - b), world: this.world });
  }

  /** A person took seat `node` during the lesson: from now on the script does not move for it. */
  lessonPerson(node: NodeId): void {
    const run = this.lessonRun;
    if (run && !run.people.includes(node)) this.lessonRun = { ...run, people: [...run.people, node] };
  }

  /** A fork starts from a world already under way: no opening requests. */
  get isFork(): boolean {
    return this.forked;
  }

  /** The round holds as many commands as a round may: it takes no more and should end. */
  get full(): boolean {
    return this.commands >= MAX_ROUND_COMMANDS;
  }

  /** Starts keeping the round: from here on every command is in the store. A fork's commands go in with the round, in one write. */
  begin(players: StoredPlayer[], now: string): void {
    const prefix = this.commands > 0 && this.prefix ? { deflated: this.prefix, count: this.commands } : null;
    this.store.beginRound(this.id, this.classCode, this.config, players, now, prefix, this.group, this.lessonRun?.lesson.id ?? null);
    this.prefix = null;
    this.persisted = true;
  }

  /** Keeps a refused move for the replay's timeline. */
  noteRejection(node: NodeId | null, rejection: Rejection): void {
    if (!this.persisted || this.rejections.length >= MAX_ROUND_REJECTIONS) return;
    const record: RecordedRejection = { step: this.world.step, node, code: rejection.code, message: rejection.message };
    this.rejections.push(record);
    this.store.appendRejection(this.id, record);
  }

  /** From the next command on, `nickname` holds seat `node` (null: a bot does). */
  seated(node: NodeId, nickname: string | null): void {
    const at = this.commands;
    const open = this.holders.find((h) => h.node === node && h.to === null);
    if (open && open.nickname === nickname) return;
    if (open) {
      // A span that held no command is nobody's: drop it rather than keep an empty one.
      if (open.from === at) this.holders.splice(this.holders.indexOf(open), 1);
      else open.to = at;
    }
    if (nickname !== null) this.holders.push({ node, nickname, from: at, to: null });
  }

  /** The command at `step` was a bot's move at a seat a student holds. */
  noteBotMove(step: number): void {
    this.botMoves.push(step);
  }

  /** The round's own commands so far, as stored. */
  get commandLog(): readonly Command[] {
    return this.log;
  }

  seating(): RoundSeating {
    return { holders: this.holders.map((h) => ({ ...h })), botMoves: this.botMoves.slice() };
  }

  /**
   * The finished round's scoreboard and the facts the groups are compared by: null for a round that
   * was never kept, or a fork (whose log starts from a world already under way).
   */
  result(): RoundResult | null {
    if (this.prefixCount > 0 || this.log.length === 0) return null;
    return scoreRound({
      id: this.id,
      group: this.group ?? 1,
      config: this.config,
      log: this.log,
      rejections: this.rejections,
      holders: this.holders,
      botMoves: this.botMoves,
    });
  }

  /**
   * Steps the engine; an accepted command is stored before this returns. In a lesson, what its script
   * fires in answer is applied (and stored) at once too, and its events follow the command's.
   */
  apply(command: Command, scripted?: ScriptedCommand): Applied {
    if (this.full) return { ok: false, rejection: ROUND_FULL };
    const result = step(this.world, command);
    if (!result.ok) {
      if (this.lessonRun) this.lessonRun = observeRefusal(this.lessonRun, command, result.rejection, scripted);
      return result;
    }
    if (this.persisted) {
      this.store.append(this.id, command);
      this.log.push(command);
    }
    this.world = result.world;
    this.commands += 1;
    if (!this.lessonRun) return { ok: true, events: result.events };
    this.lessonRun = observe(this.lessonRun, command, result, scripted);
    return { ok: true, events: scripted ? result.events : [...result.events, ...this.followScript()] };
  }

  /**
   * Applies what the lesson's script wants now, and again, until it wants nothing: before bots or the
   * clock move. Returns the events of the commands the engine accepted.
   */
  followScript(): EngineEvent[] {
    const events: EngineEvent[] = [];
    let fired = 0;
    for (let wants = this.lessonRun ? scriptWants(this.lessonRun) : []; wants.length > 0; wants = scriptWants(this.lessonRun!)) {
      for (const scripted of wants) {
        // A script that keeps firing is wrong, not busy: the round goes on without it.
        if ((fired += 1) > MAX_SCRIPTED_IN_A_ROW) return events;
        const applied = this.apply(scripted.command, scripted);
        if (applied.ok) events.push(...applied.events);
      }
    }
    return events;
  }

  /**
   * The clients' requests that open a round, for the decrees in play: the protocol says which node gets
   * each. A fork starts from a world already under way, with none.
   */
  openingRequests(): Command[] {
    // A lesson's script makes its own clients' requests.
    if (this.isFork || this.lessonRun) return [];
    const requests = protocolFor(this.config.protocol).clients.openingRequests(this.config.settings.decrees, this.config, this.botRng);
    return requests.map((request) => ({ type: 'propose', ...request }));
  }

  status(): ReturnType<typeof roundStatus> {
    return roundStatus(this.world);
  }

  /** Stores how the round ended, and who held its student seats when; from here on nothing more is stored. */
  finish(players: StoredPlayer[], now: string, state: FinishedState = 'finished'): void {
    if (!this.persisted) return;
    const status = this.status();
    this.store.finishRound(
      this.id,
      status.outcome,
      { status, commitPoints: this.world.global.chosen, violations: this.world.global.violations, ticks: this.world.tick },
      players,
      now,
      state,
      this.seating(),
    );
    this.persisted = false;
  }
}
