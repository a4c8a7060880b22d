/**
 * One cluster as a room runs it: its round (the engine's world and the stored log), its seats (each
 * held by a bot or by one student), the round's phase and clock speed, the bots, and the decision
 * deadlines. It knows members only by id and says nothing to anyone: the room (./room.ts) turns
 * what it returns into messages. A solo room holds one cluster; a class holds one per group.
 */
import {
  botDecide,
  eventsFor,
  protocolFor,
  roundOver,
  type Action,
  type Command,
  type EngineEvent,
  type NodeId,
  type World,
} from '../../shared';
import { legalActions, viewOf, ViewCache } from '../../shared/engine/view';
import { holdUps, type HoldUp, type RoundResult } from '../../shared/results';
import type { Lesson } from '../../shared/lessons';
import type { RoundInfo, RoundPhase, TickedEvent } from '../../shared/wire/messages';
import type { ForkStart } from '../forkJob';
import { refuse, type MemberId, type TimerName } from './effects';
import { Round, type RoundSetup } from './round';
import type { CoreServices, FinishedState, StoredPlayer } from './services';

export interface Seat {
  holder: 'bot' | 'student';
  memberId: MemberId | null;
  autopilot: boolean;
  /** Decision deadline bookkeeping: the legal moves last seen and the tick they appeared. */
  legalKey: string;
  pendingSince: number;
}

/** A student as a new round reseats them. */
export interface Sitter {
  id: MemberId;
  nickname: string | null;
  gone: boolean;
}

const BOT_KIND = 'faithful';
/** Most views carry no events: they share one frozen empty list. */
const NO_EVENTS: readonly TickedEvent[] = Object.freeze([]);

export class Cluster {
  round: Round;
  phase: RoundPhase = 'setup';
  setup: Required<RoundSetup>;
  speed: number;
  /** The timer that ticks this cluster's round, and whether it runs (while the round does). */
  readonly clock: TimerName;
  ticking = false;
  seats: Seat[];
  /** The parts of views already made of this cluster's worlds. */
  readonly views = new ViewCache();
  /** Nickname per node of everyone who held a seat in the current round, for the stored round. */
  private players = new Map<NodeId, string>();
  /** Events since the last flush of views, and how far into them each member has been told. */
  private pending: TickedEvent[] = [];
  private cursors = new Map<MemberId, number>();
  /** The last finished round's scoreboard and facts, worked out once when it ends. */
  result: RoundResult | null = null;
  /** The lesson this cluster's rounds play, or null. */
  lesson: Lesson | null = null;
  /** The debrief of the last lesson round, built from its log when it ended. */
  lessonDebrief: string[] | null = null;
  /**
   * A class's lesson stops at each objective its group reaches: how many objectives the instructor
   * has let the group go past, and whether it waits at one now (its clock stands until "Next step").
   */
  private released = 0;
  waiting = false;

  /** `group`: the group's number in its class (its clock is `tick:<group>`); null for a solo room's one cluster. */
  constructor(
    private readonly services: CoreServices,
    readonly classCode: string | null,
    readonly group: number | null,
    setup: Required<RoundSetup>,
    fork?: ForkStart,
    lesson: Lesson | null = null,
  ) {
    this.setup = setup;
    this.speed = setup.speed;
    this.clock = group === null ? 'tick' : `tick:${group}`;
    this.lesson = fork ? null : lesson;
    this.round = new Round(setup, services.store, services.random, classCode, fork, group, this.lesson);
    this.seats = freshSeats(setup.nodes);
  }

  get world(): World {
    return this.round.world;
  }

  info(): RoundInfo {
    const world = this.round.world;
    return {
      id: this.round.persisted || this.phase === 'ended' ? this.round.id : null,
      phase: this.phase,
      protocol: world.config.protocol,
      nodes: world.config.nodes,
      speed: this.speed,
      tick: world.tick,
      sandbox: world.config.settings.sandbox,
    };
  }

  requirePhase(...phases: RoundPhase[]): void {
    if (!phases.includes(this.phase)) {
      const now = this.phase;
      refuse('wrong-phase', `Not now: the round is ${now === 'setup' ? 'not started yet' : now}.`);
    }
  }

  // ---- Seats ------------------------------------------------------------------------------------

  nodeOf(member: MemberId): NodeId | null {
    const node = this.seats.findIndex((s) => s.memberId === member);
    return node < 0 ? null : node;
  }

  /** Moves a member to a seat (or none); their old seat goes back to a bot, keeping its autopilot. */
  seat(member: MemberId, nickname: string | null, node: NodeId | null): void {
    const old = this.nodeOf(member);
    if (old !== null) {
      this.seats[old] = { ...this.seats[old]!, holder: 'bot', memberId: null };
      this.round.seated(old, null);
    }
    if (node === null) return;
    this.seats[node] = { holder: 'student', memberId: member, autopilot: false, legalKey: '', pendingSince: this.world.tick };
    this.round.seated(node, nickname);
    // A latecomer to a lesson under way: the script stops moving for their seat.
    if (this.phase === 'running' || this.phase === 'paused') this.round.lessonPerson(node);
    if (nickname) this.players.set(node, nickname);
  }

  /** How many seats students hold. */
  get students(): number {
    let n = 0;
    for (const seat of this.seats) if (seat.holder === 'student') n += 1;
    return n;
  }

  /**
   * A free seat students may take, in the order the setup lists them; none once `capacity` students
   * hold seats (a class's group size).
   */
  freeStudentSeat(capacity = Infinity): NodeId | null {
    if (this.students >= capacity) return null;
    for (const node of this.setup.studentSeats) {
      if (node < this.seats.length && this.seats[node]!.holder === 'bot') return node;
    }
    return null;
  }

  /** The nickname of each student-held node. */
  studentNames(nicknameOf: (member: MemberId) => string | null): Map<NodeId, string> {
    const names = new Map<NodeId, string>();
    this.seats.forEach((seat, node) => {
      const nickname = seat.memberId === null ? null : nicknameOf(seat.memberId);
      if (seat.holder === 'student' && nickname !== null) names.set(node, nickname);
    });
    return names;
  }

  /** Students with a message waiting long for their answer. */
  holdUps(nicknameOf: (member: MemberId) => string | null): HoldUp[] {
    if (this.phase !== 'running' && this.phase !== 'paused') return [];
    return holdUps(this.world, this.studentNames(nicknameOf));
  }

  autopilot(node: NodeId, on: boolean): void {
    if (node >= this.seats.length) refuse('bad-seat', `This round has seats 0 to ${this.seats.length - 1}.`);
    this.seats[node]!.autopilot = on;
  }

  storedPlayers(): StoredPlayer[] {
    return [...this.players].map(([node, nickname]) => ({ node, nickname })).sort((a, b) => a.node - b.node);
  }

  // ---- The round's life -------------------------------------------------------------------------

  /**
   * A new round in the setup phase. Students keep their seats where the new round allows it (with
   * their autopilot), then the others take free student seats in the order given. A lesson's round
   * seats every student in the order given.
   */
  newRound(setup: Required<RoundSetup>, students: readonly Sitter[], fork?: ForkStart, capacity = Infinity, lesson: Lesson | null = this.lesson): void {
    this.lesson = fork ? null : lesson;
    const previous = this.seats;
    const before = new Map(students.map((s) => [s.id, this.nodeOf(s.id)]));
    this.setup = setup;
    this.speed = setup.speed;
    this.phase = 'setup';
    this.result = null;
    this.lessonDebrief = null;
    this.released = 0;
    this.waiting = false;
    this.round = new Round(setup, this.services.store, this.services.random, this.classCode, fork, this.group, this.lesson);
    this.players = new Map();
    this.seats = freshSeats(setup.nodes);
    // A lesson seats its students afresh, in the order they came: the first at the lesson's own seat.
    for (const student of this.lesson ? [] : students) {
      const node = before.get(student.id) ?? null;
      if (node === null || !setup.studentSeats.includes(node) || this.seats[node]!.holder !== 'bot' || this.students >= capacity) continue;
      this.seat(student.id, student.nickname, node);
      this.seats[node]!.autopilot = previous[node]?.autopilot ?? false;
    }
    for (const student of students) {
      if (student.gone || this.nodeOf(student.id) !== null) continue;
      const node = this.freeStudentSeat(capacity);
      if (node !== null) this.seat(student.id, student.nickname, node);
    }
  }

  /** Starts keeping and running the round. */
  start(): void {
    if (this.phase !== 'setup') refuse('wrong-phase', 'The round has already started.');
    // The lesson's script never moves for a seat a person holds.
    this.round.lessonPeople(this.seats.flatMap((seat, node) => (seat.holder === 'student' ? [node] : [])));
    this.round.begin(this.storedPlayers(), this.services.clock.stamp());
    this.phase = 'running';
    this.resetDeadlines();
  }

  /** The clients' requests that open the round. */
  open(): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const command of this.round.openingRequests()) {
      const applied = this.round.apply(command);
      if (applied.ok) events.push(...applied.events);
    }
    // A lesson's opening requests, and whatever else its script does at the start.
    events.push(...this.round.followScript());
    this.resetDeadlines();
    return events;
  }

  pause(): void {
    this.requirePhase('running');
    this.phase = 'paused';
  }

  resume(): void {
    this.requirePhase('paused');
    // Resuming a group that waits at an objective lets it go on, as "Next step" does.
    this.release();
    this.phase = 'running';
  }

  /** How many of its lesson's objectives the group has reached. */
  private get reached(): number {
    return this.round.lessonRun?.objectives.filter((o) => o.reached !== null).length ?? 0;
  }

  /**
   * In a class lesson: when the group has reached an objective the instructor has not let it past,
   * it waits there, its clock standing (its students may still act, as in any pause). True when it
   * has just begun to wait.
   */
  holdAtObjective(): boolean {
    if (this.waiting || !this.round.lessonRun || (this.phase !== 'running' && this.phase !== 'paused')) return false;
    if (this.reached <= this.released) return false;
    this.waiting = true;
    this.phase = 'paused';
    return true;
  }

  /** "Next step": the group waiting at an objective goes on, past every objective it has reached. */
  nextStep(): void {
    if (!this.round.lessonRun || (this.phase !== 'running' && this.phase !== 'paused')) {
      refuse('no-lesson', `No lesson is under way in group ${this.group ?? 1}: "Next step" moves a class lesson on from an objective its group reached.`);
    }
    if (!this.waiting) {
      refuse('not-at-objective', `Group ${this.group ?? 1} has not reached its next objective yet: "Next step" lets a group go on once it has.`);
    }
    this.release();
    this.phase = 'running';
  }

  private release(): void {
    this.released = Math.max(this.released, this.reached);
    this.waiting = false;
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    this.setup = { ...this.setup, speed };
  }

  /** Ends the round (stored as `state`); false when it had ended already. */
  end(state: FinishedState = 'finished'): boolean {
    if (this.phase === 'ended') return false;
    this.phase = 'ended';
    this.waiting = false;
    this.result = this.round.persisted ? this.round.result() : null;
    const run = this.round.lessonRun;
    if (run && this.round.persisted) {
      // The seats people held, so that their moves are told as theirs, not as the script's or a bot's.
      const players = run.people.map((node) => ({ node, nickname: this.players.get(node) ?? null }));
      this.lessonDebrief = run.lesson.debrief({ config: this.round.config, log: this.round.commandLog, players }).lines.map((l) => l.text);
    }
    this.round.finish(this.storedPlayers(), this.services.clock.stamp(), state);
    return true;
  }

  /**
   * Whether the round should end now: the engine says it is over, or it reached the room's limits. A
   * lesson's round ends with its lesson instead: it lasts while a tally may still have to catch up
   * after every node learned, and it ends when the story is told, settled or not (a crashed majority
   * or a sandbox round never settles by itself), so the debrief comes at once.
   */
  shouldEnd(): boolean {
    if (this.phase !== 'running' && this.phase !== 'paused') return false;
    const world = this.world;
    if (world.tick >= this.services.limits.maxRoundTicks || this.round.full) return true;
    const run = this.round.lessonRun;
    return run ? run.status !== 'playing' : roundOver(world);
  }

  /** One tick of the round: the network moves, then bots (and students past their deadline) act. */
  tick(): EngineEvent[] {
    const events: EngineEvent[] = [];
    const ticked = this.round.apply({ type: 'tick' });
    if (ticked.ok) events.push(...ticked.events);
    const order = this.round.botRng.shuffle(Array.from({ length: this.seats.length }, (_, i) => i));
    for (const node of order) {
      if (!this.botPlays(node)) continue;
      const command = botDecide(BOT_KIND, viewOf(this.world, node, this.views), this.round.botRng, false);
      if (!command) continue;
      const step = this.round.commands;
      const applied = this.round.apply(command);
      if (applied.ok) {
        // A bot's move at a student's seat (autopilot, deadline) is the bot's, not the student's.
        if (this.seats[node]!.holder === 'student') this.round.noteBotMove(step);
        events.push(...applied.events);
        this.seats[node]!.legalKey = '';
      }
    }
    this.trackDeadlines();
    return events;
  }

  /** A student's move for their node, as the client sent it; refusals carry the engine's explanation. */
  act(node: NodeId, raw: unknown): EngineEvent[] {
    const action = protocolFor(this.round.config.protocol).parseAction(raw);
    if (typeof action === 'string') refuse('bad-action', action);
    // A paused round's clock stands still, but its players may still answer what is in their inbox.
    this.requirePhase('running', 'paused');
    const events = this.apply({ type: 'act', node, action: action as Action });
    const seat = this.seats[node]!;
    seat.pendingSince = this.world.tick;
    seat.legalKey = '';
    this.trackDeadlines();
    return events;
  }

  /** A command of the instructor's (a fault, a client's request). */
  inject(command: Command): EngineEvent[] {
    this.requirePhase('running', 'paused');
    return this.apply(command);
  }

  private apply(command: Command): EngineEvent[] {
    const applied = this.round.apply(command);
    if (!applied.ok) {
      if (command.type === 'act') this.round.noteRejection(command.node, applied.rejection);
      refuse(applied.rejection.code, applied.rejection.message);
    }
    return (applied as { events: EngineEvent[] }).events;
  }

  /** Bots hold free seats; a student's seat is played by a bot on autopilot or past the decision deadline. */
  private botPlays(node: NodeId): boolean {
    const seat = this.seats[node]!;
    if (seat.holder === 'bot' || seat.autopilot) return true;
    const deadline = this.setup.decisionDeadline;
    return deadline > 0 && seat.legalKey !== '[]' && seat.legalKey !== '' && this.world.tick - seat.pendingSince >= deadline;
  }

  private resetDeadlines(): void {
    for (const seat of this.seats) {
      seat.legalKey = '';
      seat.pendingSince = this.world.tick;
    }
    this.trackDeadlines();
  }

  /** Restarts a seat's deadline whenever what it may do changes. */
  private trackDeadlines(): void {
    if (this.setup.decisionDeadline === 0) return;
    this.seats.forEach((seat, node) => {
      if (seat.holder !== 'student') return;
      const key = JSON.stringify(legalActions(this.world, node, this.views));
      if (key !== seat.legalKey) {
        seat.legalKey = key;
        seat.pendingSince = this.world.tick;
      }
    });
  }

  // ---- Events on their way to the members -------------------------------------------------------

  /** Events of the last steps, dated now: a member told of them at the next tick must still log them at this one. */
  record(events: readonly EngineEvent[]): void {
    const tick = this.world.tick;
    for (const e of events) this.pending.push({ ...e, tick });
  }

  /** The recorded events a member has not been told of and may see (a node's viewer sees what concerns it). */
  unseen(member: MemberId, viewer: NodeId | 'god' | null): readonly TickedEvent[] {
    const from = this.cursors.get(member) ?? 0;
    if (viewer === null || from >= this.pending.length) return NO_EVENTS;
    return eventsFor(from === 0 ? this.pending : this.pending.slice(from), viewer) as TickedEvent[];
  }

  /** The member has been told of every event recorded so far. */
  told(member: MemberId): void {
    this.cursors.set(member, this.pending.length);
  }

  /** Everyone has been told: the events recorded so far are done with. */
  toldEveryone(): void {
    this.pending = [];
    this.cursors.clear();
  }
}

function freshSeats(nodes: number): Seat[] {
  return Array.from({ length: nodes }, () => ({ holder: 'bot' as const, memberId: null, autopilot: false, legalKey: '', pendingSince: 0 }));
}
