/**
 * A room without its network: the classroom's or solo game's members (who is who, who is connected,
 * whose reconnection window is open), what each client may send and what it was last shown, the
 * roster, and the clusters they play in (./cluster.ts): a solo room's one, or one per group of a
 * class. It knows nothing of Colyseus. It takes the time, the store and its randomness as
 * parameters (./services.ts), and every entry point returns the effects of what happened
 * (./effects.ts): messages to send, timers to set, connections to close. No protocol rule lives
 * here: legality is the engine's, and bots are shared/bots' `botDecide`.
 *
 * A class fills groups of `groupSize` students as they arrive: a student takes a free seat in the
 * first group with room, or starts a new group (bots hold its other seats). The instructor's
 * controls act on every group at once unless they name one; the instructor and the projector view
 * are shown one selected group's god view, and every group's summary.
 */
import { godView, protocolFor, type Command, type EngineEvent, type NodeId } from '../../shared';
import { check } from '../../shared/wire/schema';
import {
  clientMessages,
  MAX_CLASS_STUDENTS,
  MAX_CLIENT_MESSAGES_PER_SECOND,
  MAX_GROUPS,
  SCREEN_MESSAGE_TYPES,
  SEQ_WINDOW,
  type ClientMessageType,
  type GroupSummary,
  type MemberRole,
  type RosterMessage,
  type ServerMessages,
  type TickedEvent,
} from '../../shared/wire/messages';
import { nicknamesClash, normalizeNickname, sameNickname } from '../../shared/wire/nickname';
import { newViewBatch, ViewTracker, type ViewBatch } from '../../shared/wire/viewPatch';
import { classReport, compareGroups, reportLineOf, type RoundScoreboard } from '../../shared/results';
import { classLessonProblem, classLessons, lessonById, lessonPanel, type Lesson } from '../../shared/lessons';
import type { ForkStart } from '../forkJob';
import { Cluster } from './cluster';
import { refuse, Refusal, type Effect, type Joined, type MemberId, type Outgoing, type TimerName } from './effects';
import { completeSetup, lessonOfSetup, type RoundPhase, type RoundSetup } from './round';
import type { CoreServices, FinishedState } from './services';

export type Role = MemberRole;

/** A person in the room. Survives reconnections: the connection changes, the member does not. */
interface Member {
  readonly id: MemberId;
  readonly role: Role;
  readonly nickname: string | null;
  /**
   * The cluster this member sees: a student's group (null while every group is full), the group the
   * instructor or projector selected, a solo room's one cluster.
   */
  group: number | null;
  connected: boolean;
  /** Leaving for good (kicked, closed, flooded): no reconnection. */
  gone: boolean;
  /** Whether a reconnection window is open for a dropped connection. */
  awaited: boolean;
  /** Highest action seq applied or refused; each seq is handled once. */
  lastSeq: number;
  rejections: number;
  /** What this member's client was last sent. */
  readonly views: ViewTracker;
  /** Flood limit: when the current one-second window ends, and the frames in it. */
  windowEndsAt: number;
  inWindow: number;
  /** The lesson message this member was last sent, as JSON: it is sent again only when it changed. */
  lessonSent: string | null;
}

/** A frame as the host read it off a connection. */
export type Incoming =
  | { kind: 'message'; type: string; payload: unknown }
  /** Not a message this room takes: too large, undecodable, or of a kind it does not use. */
  | { kind: 'unreadable'; code: string; message: string }
  /** The transport's own traffic (a ping, a handshake): counted against the flood limit, nothing more. */
  | { kind: 'transport' };

export interface RoomOptions {
  /** A classroom has a join code, students and an instructor; a solo room one player. */
  kind: 'classroom' | 'solo';
  classCode: string | null;
  /** The class's title as the instructor named it. */
  classTitle?: string;
  services: CoreServices;
  /** The first round's setup. */
  setup: Required<RoundSetup>;
  /** Groups a class may make at most (MAX_GROUPS); students beyond them wait for a seat. */
  maxGroups?: number;
}

type Handler = (member: Member, message: never) => void;

/** A control that may name one group. */
type Addressed = { group?: number };

/** How often the instructor's summary of every group is refreshed while rounds run. */
const GROUPS_EVERY_MS = 1000;

export class RoomCore {
  private readonly members = new Map<MemberId, Member>();
  /** By group number; a solo room's one cluster is number 1. */
  private readonly clusters = new Map<number, Cluster>();
  /** The setup every group of a class plays (each group keeps its own copy, with its own speed). */
  private setup: Required<RoundSetup>;
  /** Nicknames kicked from the class: they and their look-alikes may not join again. */
  private readonly kicked: string[] = [];
  /** Every kept round's scoreboard, for each student's own line of the class report. */
  private readonly scoreboards: RoundScoreboard[] = [];
  /** The groups compared, once every group's round has ended; until the next round starts. */
  private comparison: ServerMessages['comparison'] | null = null;
  private out: Effect[] = [];
  private closing = false;
  private idleTimerSet = false;
  private groupsTimerSet = false;
  /** Rejection counts changed: the roster is refreshed on the next tick rather than on every refusal. */
  private rosterDirty = false;
  /** A group's phase or seats changed: the summary of every group is sent once this entry point is done. */
  private groupsDirty = false;
  private readonly handlers: Partial<Record<ClientMessageType, Handler>>;

  constructor(private readonly options: RoomOptions) {
    this.setup = options.setup;
    this.addCluster(this.isClass ? 1 : null, options.setup);
    const round: Partial<Record<ClientMessageType, Handler>> = {
      act: this.onAct,
      setup: this.onSetup,
      start: this.onStart,
      pause: this.onPause,
      resume: this.onResume,
      speed: this.onSpeed,
      stepOnce: this.onStepOnce,
      endRound: this.onEndRound,
      nextRound: this.onNextRound,
      inject: this.onInject,
      autopilot: this.onAutopilot,
    };
    const classOnly = { closeClass: this.onCloseClass, moveStudent: this.onMoveStudent, kick: this.onKick, selectGroup: this.onSelectGroup, nextStep: this.onNextStep };
    this.handlers = this.isClass ? { ...round, ...classOnly } : round;
  }

  private get isClass(): boolean {
    return this.options.kind === 'classroom';
  }

  // ---- Entry points: each returns what the host must do ------------------------------------------

  /** A new room: a class starts timing its idleness at once. */
  open(): Effect[] {
    return this.effects('open', () => this.noteConnections());
  }

  /**
   * Someone joins a classroom: the instructor (or, with their key, the projector view), or a student
   * with a nickname (normalized already).
   */
  join(id: MemberId, who: { role: 'instructor' | 'screen' } | { role: 'student'; nickname: string }): Joined {
    this.out = [];
    if (who.role !== 'student') {
      const member = this.newMember(id, who.role, null, this.firstGroup);
      this.attach(member);
      this.greet(member);
      this.sendGroups(member);
      return { ok: true, member: member.id, effects: this.take() };
    }
    if (this.kicked.some((name) => nicknamesClash(name, who.nickname))) {
      return { ok: false, refusal: 'kicked', message: `The instructor removed "${who.nickname}" from this class.` };
    }
    // Nicknames that could be taken for each other clash: a class holds one of them.
    const taken = [...this.members.values()].find((m) => m.nickname !== null && nicknamesClash(m.nickname, who.nickname));
    let member: Member;
    if (taken && !taken.connected && !taken.gone && sameNickname(taken.nickname!, who.nickname)) {
      // The same student back from a reload (their reconnection token is lost): they take their node back.
      // A look-alike of their name does not.
      member = taken;
      this.closeWindow(member);
      this.attach(member);
    } else if (taken) {
      this.out = [];
      return { ok: false, refusal: 'nicknameTaken', message: `The nickname "${who.nickname}" is already taken in this class: pick another.` };
    } else {
      if (this.studentCount >= MAX_CLASS_STUDENTS) {
        this.out = [];
        return { ok: false, refusal: 'classFull', message: `This class holds ${MAX_CLASS_STUDENTS} students already, as many as a class may.` };
      }
      member = this.newMember(id, 'student', who.nickname, null);
      this.attach(member);
      this.place(member);
    }
    this.greet(member);
    const cluster = this.clusterOf(member);
    if (cluster) {
      try {
        this.storePlayers(cluster);
      } catch (error) {
        // The student is in the class all the same; the stored round lacks their name until the next change.
        this.out.push({ type: 'fault', where: 'join', error });
      }
    }
    this.flushGroups();
    return { ok: true, member: member.id, effects: this.take() };
  }

  /** Whether a solo room has its player already (a second one is refused before a fork is claimed for it). */
  get hasPlayer(): boolean {
    return [...this.members.values()].some((m) => !m.gone);
  }

  /**
   * The solo room's player: they hold node A and the round starts at once. The player of a fork
   * drives it from above instead (the god view, every control), with bots on every seat.
   */
  joinSolo(id: MemberId, setup: Required<RoundSetup>, fork?: ForkStart, lesson: Lesson | null = null): Joined {
    this.out = [];
    if (this.hasPlayer) return { ok: false, refusal: 'wrongRoom', message: 'A solo game has one player.' };
    const member = this.newMember(id, fork ? 'instructor' : 'solo', null, 1);
    this.attach(member);
    const cluster = this.only;
    cluster.lesson = fork ? null : lesson;
    this.newRound(cluster, setup, fork);
    // newRound welcomes the seated players; the player of a fork holds no seat.
    if (fork) this.welcome(member);
    this.sendRoster();
    this.startRound(cluster);
    return { ok: true, member: member.id, effects: this.take() };
  }

  /** One frame from a member's connection. */
  receive(id: MemberId, frame: Incoming): Effect[] {
    return this.effects('receive', () => {
      const member = this.members.get(id);
      if (!member || this.flooded(member)) return;
      if (frame.kind === 'transport') return;
      if (frame.kind === 'unreadable') {
        member.rejections += 1;
        this.rosterDirty = true;
        this.tell(member, 'rejected', { code: frame.code, message: frame.message });
        return;
      }
      this.dispatch(member, frame.type, frame.payload);
    });
  }

  /** A member's connection dropped: their seat, node and votes wait for them while the reconnection window is open. */
  dropped(id: MemberId): Effect[] {
    return this.effects('drop', () => {
      const member = this.members.get(id);
      if (!member || !member.connected) return;
      member.connected = false;
      this.noteConnections();
      if (member.gone || this.closing) return;
      this.sendRoster();
      this.groupsDirty = true;
      member.awaited = true;
      this.out.push({ type: 'reconnection', member: id, open: true });
      this.timer(`reconnect:${id}`, this.options.services.limits.reconnectSeconds * 1000);
    });
  }

  /** A dropped member is back on a new connection, inside the window. */
  reconnected(id: MemberId): Effect[] {
    return this.effects('reconnect', () => {
      const member = this.members.get(id);
      if (!member || member.gone) return;
      if (member.awaited) {
        member.awaited = false;
        this.timer(`reconnect:${id}`, null);
      }
      this.attach(member);
      this.greet(member);
      this.sendGroups(member);
      this.groupsDirty = true;
    });
  }

  /** A member left on purpose, or their connection closed for good: their seat goes back to a bot. */
  left(id: MemberId): Effect[] {
    return this.effects('leave', () => {
      const member = this.members.get(id);
      if (member) this.removeMember(member);
    });
  }

  /** A timer the host set has fired. */
  fire(timer: TimerName): Effect[] {
    return this.effects(timer, () => {
      if (timer === 'tick' || timer.startsWith('tick:')) {
        const cluster = timer === 'tick' ? this.only : this.clusters.get(Number(timer.slice('tick:'.length)));
        if (cluster && cluster.ticking && cluster.phase === 'running') this.tickOnce(cluster);
      } else if (timer === 'groups') {
        this.groupsDirty = true;
        this.noteTicking();
      } else if (timer === 'idle') {
        this.idleTimerSet = false;
        if (this.anyoneConnected) return;
        const minutes = this.options.services.limits.classIdleMinutes;
        this.close(`Nobody was connected to this class for ${idleSpan(minutes)}, so it was closed.`, 'finished');
      } else {
        const member = this.members.get(timer.slice('reconnect:'.length));
        if (!member || !member.awaited || member.connected) return;
        member.awaited = false;
        this.out.push({ type: 'reconnection', member: member.id, open: false });
        this.removeMember(member);
      }
    });
  }

  /** Tells everyone why, ends every running round (kept as interrupted when the server stops), and closes the room. */
  shutDown(reason: string, state: FinishedState): Effect[] {
    return this.effects('shut down', () => this.close(reason, state));
  }

  /** The room is gone: a round still running is stored as it stands, and a class is closed for good. */
  dispose(): Effect[] {
    return this.effects('dispose', () => {
      for (const cluster of this.clusters.values()) {
        this.stopTicker(cluster);
        cluster.end('finished');
      }
      const code = this.options.classCode;
      if (this.isClass && code !== null) this.options.services.store.closeClass(code, this.options.services.clock.stamp());
    });
  }

  // ---- Plumbing ---------------------------------------------------------------------------------

  /** Runs one entry point; on an unexpected failure, what was done so far still happens, and the failure is reported. */
  private effects(where: string, body: () => void): Effect[] {
    this.out = [];
    try {
      body();
      this.flushGroups();
    } catch (error) {
      this.out.push({ type: 'fault', where, error });
    }
    return this.take();
  }

  private take(): Effect[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private timer(timer: TimerName, ms: number | null, repeat = false): void {
    this.out.push({ type: 'timer', timer, ms, repeat });
  }

  private tell<K extends keyof ServerMessages>(member: Member, type: K, body: ServerMessages[K]): void {
    if (!member.connected) return;
    this.out.push({ type: 'send', to: member.id, message: { type, body } as Outgoing });
  }

  // ---- Frames and messages ----------------------------------------------------------------------

  /** Counts a frame against the flood limit; a member over it is told, and disconnected for good. */
  private flooded(member: Member): boolean {
    // Wall time: the flood limit is about the network, not the round's clock.
    const now = this.options.services.clock.now();
    if (now >= member.windowEndsAt) {
      member.windowEndsAt = now + 1000;
      member.inWindow = 0;
    }
    member.inWindow += 1;
    if (member.inWindow <= MAX_CLIENT_MESSAGES_PER_SECOND) return false;
    if (!member.gone) {
      member.gone = true;
      this.tell(member, 'rejected', {
        code: 'too-many-messages',
        message: `More than ${MAX_CLIENT_MESSAGES_PER_SECOND} messages in a second: you are disconnected.`,
      });
      this.out.push({ type: 'disconnect', member: member.id, why: 'flooded' });
    }
    return true;
  }

  /** Whether a member of this role may send this message at all. */
  private mayRoleSend(role: Role, type: ClientMessageType): string | null {
    if (role === 'screen') return SCREEN_MESSAGE_TYPES.includes(type) ? null : 'The projector view only shows the class: it sends no controls.';
    if (type === 'act') return role === 'instructor' ? 'The instructor plays no node.' : null;
    return role === 'student' ? `Only the instructor may send "${type}".` : null;
  }

  private dispatch(member: Member, type: string, payload: unknown): void {
    const seq = type === 'act' && typeof payload === 'object' && payload !== null ? (payload as { seq?: unknown }).seq : undefined;
    try {
      if (!Object.hasOwn(clientMessages, type)) {
        refuse('unknown-type', `There is no message type "${type.slice(0, 40)}${type.length > 40 ? '…' : ''}".`);
      }
      const messageType = type as ClientMessageType;
      const parsed = check(clientMessages[messageType] as { parse(v: unknown): unknown; describe: string }, payload ?? {});
      if (!parsed.ok) refuse('bad-message', `${messageType}: ${parsed.error}.`);
      const forbidden = this.mayRoleSend(member.role, messageType);
      if (forbidden !== null) refuse('not-allowed', forbidden);
      const handler = this.handlers[messageType];
      if (!handler) refuse('not-allowed', `"${messageType}" has no meaning in this room.`);
      (handler as (member: Member, message: unknown) => void).call(this, member, (parsed as { value: unknown }).value);
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal('internal', 'The server could not handle that message; nothing changed.');
      if (!(error instanceof Refusal)) this.out.push({ type: 'fault', where: `message ${type.slice(0, 40)}`, error });
      member.rejections += 1;
      this.rosterDirty = true;
      const rejected: ServerMessages['rejected'] = { code: refusal.code, message: refusal.message };
      if (typeof seq === 'number' && Number.isInteger(seq)) rejected.seq = seq;
      this.tell(member, 'rejected', rejected);
      if (type === 'act') {
        this.sendView(member, []);
        // A lesson's panel keeps the rule's explanation of a refused move.
        const c = this.clusterOf(member);
        if (c) this.sendLesson(member, c);
      }
    }
  }

  // ---- Groups -----------------------------------------------------------------------------------

  /** The solo room's cluster (or a class's first group). */
  private get only(): Cluster {
    return this.clusters.values().next().value!;
  }

  private get firstGroup(): number {
    return Math.min(...this.clusters.keys());
  }

  /** The groups in number order. */
  private get groups(): Cluster[] {
    return [...this.clusters.values()].sort((a, b) => (a.group ?? 1) - (b.group ?? 1));
  }

  private clusterOf(member: Member): Cluster | null {
    return member.group === null ? null : (this.clusters.get(member.group) ?? null);
  }

  private addCluster(group: number | null, setup: Required<RoundSetup>): Cluster {
    const cluster = new Cluster(this.options.services, this.options.classCode, group, setup, undefined, this.isClass ? lessonOfSetup(setup) : null);
    this.clusters.set(group ?? 1, cluster);
    return cluster;
  }

  /** Students a group seats: the class's group size, within the setup's student seats. */
  private get capacity(): number {
    const seats = this.setup.studentSeats.length;
    return this.setup.groupSize > 0 ? Math.min(this.setup.groupSize, seats) : seats;
  }

  private get studentCount(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.role === 'student' && !m.gone) n += 1;
    return n;
  }

  /**
   * Seats a student in the first group with room, or in a new group; a new group joins in where
   * the others are: its round starts at once if theirs run. With no room and no more groups allowed,
   * the student waits for a seat.
   */
  private place(member: Member): void {
    for (const cluster of this.groups) {
      const node = cluster.freeStudentSeat(this.capacity);
      if (node !== null) return this.seat(member, cluster, node);
    }
    if (this.clusters.size >= (this.options.maxGroups ?? MAX_GROUPS) || this.capacity === 0) return;
    let number = 1;
    while (this.clusters.has(number)) number += 1;
    const underWay = this.groups.some((c) => c.phase === 'running' || c.phase === 'paused');
    const cluster = this.addCluster(number, { ...this.setup });
    // Started before the student sits down: they join a round under way, as a latecomer to any group does.
    if (underWay) this.startRound(cluster);
    const node = cluster.freeStudentSeat(this.capacity);
    if (node !== null) this.seat(member, cluster, node);
    this.groupsDirty = true;
  }

  /**
   * The clusters a control acts on: the group it names, or every group. A solo room's one cluster is
   * group 1.
   */
  private targets(message: Addressed): Cluster[] {
    if (message.group === undefined) return this.groups;
    const cluster = this.clusters.get(message.group);
    if (!cluster) refuse('no-such-group', `There is no group ${message.group}: this class has groups ${[...this.clusters.keys()].sort((a, b) => a - b).join(', ')}.`);
    return [cluster!];
  }

  /**
   * Runs `action` on each target in one of `phases`; refuses when none is (the refusal names the
   * first target's phase), so that "pause" with every round paused already still says why.
   */
  private inPhase(message: Addressed, phases: readonly RoundPhase[], action: (cluster: Cluster) => void): void {
    const targets = this.targets(message);
    const ready = targets.filter((c) => phases.includes(c.phase));
    if (ready.length === 0) targets[0]!.requirePhase(...phases);
    for (const cluster of ready) action(cluster);
    this.groupsDirty = true;
  }

  private summary(cluster: Cluster): GroupSummary {
    const world = cluster.world;
    const protocol = protocolFor(world.config.protocol);
    const nicknameOf = (id: MemberId): string | null => this.members.get(id)?.nickname ?? null;
    return {
      group: cluster.group ?? 1,
      round: cluster.info(),
      seats: cluster.seats.map((seat, node) => {
        const member = seat.memberId === null ? undefined : this.members.get(seat.memberId);
        const state = world.nodes[node]!;
        return {
          node,
          nickname: seat.holder === 'student' ? (member?.nickname ?? null) : null,
          connected: member?.connected ?? false,
          crashed: state.crashed,
          learned: protocol.learned(state as never).some((v) => v !== null),
        };
      }),
      holdUps: cluster.holdUps(nicknameOf),
      outcome: cluster.phase === 'ended' ? cluster.round.status().outcome : null,
      lesson: this.groupLesson(cluster),
    };
  }

  /** How far a group has come through its lesson's objectives. */
  private groupLesson(cluster: Cluster): GroupSummary['lesson'] {
    const run = cluster.round.lessonRun;
    if (!run) return null;
    return { id: run.lesson.id, reached: run.objectives.map((o) => o.reached?.tick ?? null), waiting: cluster.waiting, status: run.status };
  }

  /** Every group's summary to this member, if it is the instructor or the projector view; `summaries` made once for many members. */
  private sendGroups(member: Member, summaries?: GroupSummary[]): GroupSummary[] | undefined {
    if (!this.isClass || member.role === 'student' || !member.connected) return summaries;
    const groups = summaries ?? this.groups.map((c) => this.summary(c));
    this.tell(member, 'groups', { selected: member.group ?? this.firstGroup, groups });
    return groups;
  }

  /** Sends every group's summary to the instructor and the projector view if anything changed. */
  private flushGroups(): void {
    if (!this.groupsDirty || !this.isClass || this.closing) return;
    this.groupsDirty = false;
    let summaries: GroupSummary[] | undefined;
    for (const member of this.members.values()) summaries = this.sendGroups(member, summaries);
  }

  /** The summary timer runs while any group's clock does. */
  private noteTicking(): void {
    if (!this.isClass) return;
    const ticking = this.groups.some((c) => c.ticking);
    if (ticking && !this.groupsTimerSet) {
      this.groupsTimerSet = true;
      this.timer('groups', GROUPS_EVERY_MS, true);
    } else if (!ticking && this.groupsTimerSet) {
      this.groupsTimerSet = false;
      this.timer('groups', null);
    }
  }

  // ---- Views ------------------------------------------------------------------------------------

  private viewerOf(member: Member): NodeId | 'god' | null {
    if (member.role === 'instructor' || member.role === 'screen') return 'god';
    return this.clusterOf(member)?.nodeOf(member.id) ?? null;
  }

  /** Sends one member its view of the world and the events it may see (already filtered for it). */
  private sendView(member: Member, visible: readonly TickedEvent[], batch?: ViewBatch, accepted?: number): void {
    if (!member.connected) return;
    const c = this.clusterOf(member);
    const viewer = this.viewerOf(member);
    if (viewer === null || c === null) return;
    const frame = member.views.frame(c.world, batch ?? newViewBatch(c.info()), viewer, member.lastSeq, visible, accepted, c.views);
    this.tell(member, 'view', frame);
  }

  /**
   * After a batch of commands in one cluster: everyone in it gets their view and their share of the
   * events. While a round runs, a player's own move is answered at once and everyone else hears of
   * it at the next tick: that batches the views of a busy room into one send per member per tick.
   * The view answering a player's `act` carries its seq: one message says both "applied" and what it did.
   */
  private broadcast(c: Cluster, events: readonly EngineEvent[], actor?: Member, accepted?: number): void {
    c.record(events);
    if (actor && this.clusterOf(actor) === c && c.ticking && c.phase === 'running') {
      this.sendView(actor, c.unseen(actor.id, this.viewerOf(actor)), undefined, accepted);
      c.told(actor.id);
      this.sendLesson(actor, c);
      return;
    }
    this.flush(c, actor && accepted !== undefined ? { member: actor, seq: accepted } : undefined);
  }

  /**
   * Every member of the cluster whose view changed gets it with the events it has not seen; the
   * others, just the clock. A player whose act this answers always gets a view; a student without a
   * seat gets nothing.
   */
  private flush(c: Cluster, answer?: { member: Member; seq: number }): void {
    const batch = newViewBatch(c.info());
    for (const member of this.members.values()) {
      if (!member.connected || this.clusterOf(member) !== c) continue;
      const viewer = this.viewerOf(member);
      if (viewer === null) continue;
      const visible = c.unseen(member.id, viewer);
      if (member === answer?.member) this.sendView(member, visible, batch, answer.seq);
      else if (visible.length > 0 || member.views.changed(c.world, batch.round, viewer, member.lastSeq, c.views)) this.sendView(member, visible, batch);
      else this.tell(member, 'clock', { tick: batch.round.tick, phase: batch.round.phase });
      this.sendLesson(member, c);
    }
    c.toldEveryone();
  }

  /**
   * A lesson's players are told how far it has come whenever that changed: each student the panel
   * of their own seat (their briefing, the group's objectives, their own refusals), the instructor
   * and the projector the group's panel of the group they are shown.
   */
  private sendLesson(member: Member, c: Cluster): void {
    const run = c.round.lessonRun;
    if (!run || !member.connected) return;
    let seat: NodeId | null;
    if (member.role === 'solo') seat = run.lesson.setup.player;
    else if (member.role === 'student') {
      seat = c.nodeOf(member.id);
      if (seat === null) return;
    } else if (this.isClass) seat = null;
    else return;
    const message: ServerMessages['lesson'] = { ...lessonPanel(run, c.lessonDebrief, seat), waiting: c.waiting };
    const json = JSON.stringify(message);
    if (json === member.lessonSent) return;
    member.lessonSent = json;
    this.tell(member, 'lesson', message);
  }

  /** Welcome, view, the reveal of an ended round, the groups compared, and the roster: what someone (back) in the room is told. */
  private greet(member: Member): void {
    this.welcome(member);
    this.sendView(member, []);
    const c = this.clusterOf(member);
    if (c) this.sendLesson(member, c);
    if (c?.phase === 'ended') this.tell(member, 'reveal', this.reveal(c));
    if (this.comparison) this.tell(member, 'comparison', this.comparisonFor(member));
    this.sendRoster();
  }

  private welcome(member: Member): void {
    member.lessonSent = null;
    const node = member.role === 'student' || member.role === 'solo' ? (this.clusterOf(member)?.nodeOf(member.id) ?? null) : null;
    this.tell(member, 'welcome', {
      role: member.role,
      node,
      nickname: member.nickname,
      classCode: this.options.classCode,
      classTitle: this.isClass ? (this.options.classTitle ?? '') : null,
      group: this.isClass ? member.group : null,
    });
  }

  private reveal(c: Cluster): ServerMessages['reveal'] {
    return {
      god: godView(c.world, c.views),
      outcome: c.round.status().outcome,
      commitPoints: c.world.global.chosen,
      roundId: c.round.id,
      group: this.isClass ? (c.group ?? 1) : null,
      scoreboard: c.result?.scoreboard ?? null,
    };
  }

  /** A student sees their own group's scoreboard; the instructor and the projector, every group's. */
  private comparisonFor(member: Member): ServerMessages['comparison'] {
    const all = this.comparison!;
    if (member.role !== 'student') return all;
    return { sentences: all.sentences, scoreboards: all.scoreboards.filter((s) => s.group === member.group) };
  }

  /** The roster as the instructor sees it: every student of the class, and the seats of their selected group. */
  private roster(selected: number): RosterMessage {
    const cluster = this.clusters.get(selected) ?? this.only;
    const students = [...this.members.values()].filter((m) => m.role === 'student' || m.role === 'solo');
    return {
      students: students.map((m) => {
        const c = this.clusterOf(m);
        const node = c?.nodeOf(m.id) ?? null;
        return {
          nickname: m.nickname ?? '',
          group: node === null ? null : m.group,
          node,
          connected: m.connected,
          autopilot: node !== null && (c!.seats[node]?.autopilot ?? false),
          rejections: m.rejections,
        };
      }),
      group: cluster.group ?? 1,
      seats: cluster.seats.map((s, node) => ({
        node,
        holder: s.holder,
        nickname: s.memberId ? (this.members.get(s.memberId)?.nickname ?? null) : null,
        autopilot: s.autopilot,
      })),
    };
  }

  private sendRoster(): void {
    this.rosterDirty = false;
    for (const member of this.members.values()) {
      if (member.role === 'student' || member.role === 'screen' || !member.connected) continue;
      this.tell(member, 'roster', this.roster(member.group ?? this.firstGroup));
    }
  }

  // ---- Members and seats ------------------------------------------------------------------------

  private newMember(id: MemberId, role: Role, nickname: string | null, group: number | null): Member {
    const member: Member = {
      id,
      role,
      nickname,
      group,
      connected: false,
      gone: false,
      awaited: false,
      lastSeq: 0,
      rejections: 0,
      views: new ViewTracker(),
      windowEndsAt: 0,
      inWindow: 0,
      lessonSent: null,
    };
    this.members.set(id, member);
    return member;
  }

  /** The member's new connection: it starts from a whole view and a fresh flood window. */
  private attach(member: Member): void {
    member.connected = true;
    member.views.forget();
    member.windowEndsAt = 0;
    member.inWindow = 0;
    this.noteConnections();
  }

  /** A member who came back another way (a new join) no longer waits on the old connection's window. */
  private closeWindow(member: Member): void {
    if (!member.awaited) return;
    member.awaited = false;
    this.timer(`reconnect:${member.id}`, null);
    this.out.push({ type: 'reconnection', member: member.id, open: false });
  }

  /**
   * Moves a student to a seat of a cluster, or to none (`cluster` null: they wait). Events of their
   * new cluster before now are not theirs to be told.
   */
  private seat(member: Member, cluster: Cluster | null, node: NodeId | null): void {
    const old = this.clusterOf(member);
    if (old && (old !== cluster || node === null)) old.seat(member.id, member.nickname, null);
    if (cluster && node !== null) {
      cluster.seat(member.id, member.nickname, node);
      member.group = cluster.group ?? 1;
      cluster.told(member.id);
    } else if (this.isClass) {
      member.group = null;
    }
    member.views.forget();
    this.groupsDirty = true;
  }

  /** Seats waiting students while some group has room (or a new group can be made). */
  private fillSeats(): void {
    for (const member of this.members.values()) {
      if (member.role !== 'student' || member.gone || member.group !== null) continue;
      this.place(member);
      if (member.group === null) return;
      this.welcome(member);
      this.sendView(member, []);
    }
  }

  /** The member is gone for good: their seat goes back to a bot, and a waiting student may take it. */
  private removeMember(member: Member): void {
    if (!this.members.delete(member.id)) return;
    member.gone = true;
    member.connected = false;
    this.closeWindow(member);
    this.noteConnections();
    const cluster = this.clusterOf(member);
    if (member.role === 'student' && cluster && cluster.nodeOf(member.id) !== null) this.seat(member, null, null);
    this.fillSeats();
    this.sendRoster();
    this.groupsDirty = true;
    if (cluster) this.storePlayers(cluster);
  }

  /** A class keeps who played which node with each group's running round. */
  private storePlayers(cluster: Cluster): void {
    const round = cluster.round;
    if (this.isClass && round.persisted) this.options.services.store.updatePlayers(round.id, cluster.storedPlayers());
  }

  private get anyoneConnected(): boolean {
    for (const member of this.members.values()) if (member.connected) return true;
    return false;
  }

  /** Times a class's idleness: from the moment the last person disconnects until someone connects. */
  private noteConnections(): void {
    if (this.closing || !this.isClass) return;
    if (this.anyoneConnected) {
      if (this.idleTimerSet) this.timer('idle', null);
      this.idleTimerSet = false;
    } else if (!this.idleTimerSet) {
      this.idleTimerSet = true;
      this.timer('idle', this.options.services.limits.classIdleMinutes * 60_000);
    }
  }

  private close(reason: string, state: FinishedState): void {
    if (this.closing) return;
    this.closing = true;
    for (const cluster of this.groups) if (cluster.phase !== 'ended' && cluster.round.persisted) this.endRound(cluster, state);
    for (const cluster of this.groups) this.stopTicker(cluster);
    for (const member of this.members.values()) {
      member.gone = true;
      this.tell(member, 'closed', { reason });
    }
    this.out.push({ type: 'close' });
  }

  // ---- Rounds -----------------------------------------------------------------------------------

  /** A new round in the setup phase; students keep their seats where the new round allows it. */
  private newRound(c: Cluster, setup: Required<RoundSetup>, fork?: ForkStart): void {
    this.stopTicker(c);
    this.comparison = null;
    const students = [...this.members.values()].filter((m) => (m.role === 'student' || m.role === 'solo') && this.clusterOf(m) === c);
    c.newRound(setup, students, fork, this.isClass ? this.capacity : Infinity, this.isClass ? lessonOfSetup(setup) : c.lesson);
    for (const member of students) {
      member.views.forget();
      // A student the new group size leaves out waits for a seat.
      if (this.isClass && c.nodeOf(member.id) === null) member.group = null;
      this.welcome(member);
    }
    this.broadcast(c, []);
    this.groupsDirty = true;
  }

  private startRound(c: Cluster): void {
    c.start();
    this.startTicker(c);
    let events: EngineEvent[] = [];
    try {
      events = c.open();
    } catch (error) {
      // The round has started all the same (a client's request the store could not keep is not made): say so.
      this.out.push({ type: 'fault', where: 'opening requests', error });
    }
    this.holdAtObjective(c);
    this.broadcast(c, events);
    this.groupsDirty = true;
  }

  private endRound(c: Cluster, state: FinishedState = 'finished'): void {
    const kept = c.round.persisted;
    if (!c.end(state)) return;
    this.stopTicker(c);
    if (c.result) this.scoreboards.push(c.result.scoreboard);
    const reveal = this.reveal(c);
    if (!kept) reveal.roundId = null;
    for (const member of this.members.values()) if (this.clusterOf(member) === c) this.tell(member, 'reveal', reveal);
    this.broadcast(c, []);
    this.groupsDirty = true;
    if (!this.isClass || this.closing) return;
    this.sendReportLines(c);
    this.compareIfAllEnded();
  }

  /** Each student of the group gets their own line of the class report, and nobody else's. */
  private sendReportLines(c: Cluster): void {
    if (!c.result) return;
    const report = classReport(this.scoreboards);
    for (const member of this.members.values()) {
      if (member.role !== 'student' || this.clusterOf(member) !== c || member.nickname === null) continue;
      this.tell(member, 'reportLine', { line: reportLineOf(report, member.nickname)?.rows[0] ?? null });
    }
  }

  /** Once every group's round has ended, the groups are compared for everyone. */
  private compareIfAllEnded(): void {
    const groups = this.groups;
    if (!groups.every((c) => c.phase === 'ended')) return;
    const results = groups.flatMap((c) => (c.result ? [c.result] : []));
    if (results.length === 0) return;
    this.comparison = { sentences: compareGroups(results.map((r) => r.facts)), scoreboards: results.map((r) => r.scoreboard) };
    for (const member of this.members.values()) this.tell(member, 'comparison', this.comparisonFor(member));
  }

  /** The round's clock: one engine tick every tickMs at speed 1. */
  private startTicker(c: Cluster): void {
    if (c.phase !== 'running') return this.stopTicker(c);
    c.ticking = true;
    this.timer(c.clock, this.options.services.limits.tickMs / c.speed, true);
    this.noteTicking();
  }

  private stopTicker(c: Cluster): void {
    if (!c.ticking) return;
    c.ticking = false;
    this.timer(c.clock, null);
    this.noteTicking();
  }

  /** A class's lesson group that has just reached an objective waits there: its clock stops until "Next step". */
  private holdAtObjective(c: Cluster): void {
    if (!this.isClass || !c.holdAtObjective()) return;
    this.stopTicker(c);
    this.groupsDirty = true;
  }

  private tickOnce(c: Cluster): void {
    if (c.phase === 'ended') return;
    const events = c.tick();
    this.holdAtObjective(c);
    this.broadcast(c, events);
    if (this.rosterDirty) this.sendRoster();
    this.checkRoundEnd(c);
  }

  private checkRoundEnd(c: Cluster): void {
    if (c.shouldEnd()) this.endRound(c);
  }

  // ---- Handlers ---------------------------------------------------------------------------------

  private onAct(member: Member, message: { seq: number; action: { kind: string } }): void {
    if (message.seq <= member.lastSeq) {
      refuse('stale-seq', `Action ${message.seq} was already handled (the last one was ${member.lastSeq}); it is not applied again.`);
    }
    if (message.seq > member.lastSeq + SEQ_WINDOW) {
      refuse(
        'seq-too-far',
        `Action ${message.seq} is numbered too far ahead: the next action is numbered ${member.lastSeq + 1} to ${member.lastSeq + SEQ_WINDOW}. Nothing was applied.`,
      );
    }
    member.lastSeq = message.seq;
    const cluster = this.clusterOf(member);
    const node = cluster?.nodeOf(member.id) ?? null;
    if (cluster === null || node === null) refuse('no-seat', 'You hold no node yet: wait for a free seat.');
    const events = cluster!.act(node!, message.action);
    this.holdAtObjective(cluster!);
    this.broadcast(cluster!, events, member, message.seq);
    this.checkRoundEnd(cluster!);
  }

  /** A new setup for every group; a new group size seats the students again, group by group. */
  private onSetup(_member: Member, message: RoundSetup): void {
    const playing = this.groups.find((c) => c.phase === 'running' || c.phase === 'paused');
    if (playing) {
      refuse('wrong-phase', this.isClass ? `Not now: group ${playing.group}'s round is ${playing.phase}. End it first.` : `Not now: the round is ${playing.phase}.`);
    }
    if (message.lesson !== undefined) this.checkClassLesson(message.lesson);
    const setup = completeSetup(message, this.setup);
    if (typeof setup === 'string') refuse('bad-setup', `That setup does not work: ${setup}.`);
    this.setup = setup as Required<RoundSetup>;
    for (const c of this.groups) this.newRound(c, this.setup);
    this.dropEmptyGroups();
    this.fillSeats();
    this.sendRoster();
  }

  /** A lesson a class may play: one that exists, with a briefing for each of its student seats. */
  private checkClassLesson(id: string): void {
    if (!this.isClass) refuse('not-allowed', 'A solo room plays the lesson it was created with: pick another lesson from the menu.');
    const lesson = lessonById(id);
    const playable = classLessons().map((l) => l.id).join(', ');
    if (!lesson) refuse('no-such-lesson', `There is no lesson "${id}": a class can play ${playable}.`);
    const problem = classLessonProblem(lesson!);
    if (problem !== null) refuse('not-a-class-lesson', `A class cannot play that lesson yet: ${problem}. A class can play ${playable}.`);
  }

  /** Groups nobody plays in any more are let go between rounds (the first stays, for the instructor to set up). */
  private dropEmptyGroups(): void {
    if (!this.isClass) return;
    for (const c of this.groups) {
      if (this.clusters.size === 1) break;
      if (c.students > 0 || c.phase === 'running' || c.phase === 'paused') continue;
      this.stopTicker(c);
      this.clusters.delete(c.group!);
      for (const member of this.members.values()) {
        if (member.group !== c.group) continue;
        if (member.role === 'student') member.group = null;
        else {
          member.group = this.firstGroup;
          member.views.forget();
          this.welcome(member);
          this.sendView(member, []);
        }
      }
    }
    this.groupsDirty = true;
  }

  private onStart(_member: Member, message: Addressed): void {
    if (!this.targets(message).some((c) => c.phase === 'setup')) refuse('wrong-phase', 'The round has already started.');
    this.inPhase(message, ['setup'], (c) => this.startRound(c));
  }

  private onPause(_member: Member, message: Addressed): void {
    this.inPhase(message, ['running'], (c) => {
      c.pause();
      this.stopTicker(c);
      this.broadcast(c, []);
    });
  }

  private onResume(_member: Member, message: Addressed): void {
    this.inPhase(message, ['paused'], (c) => {
      c.resume();
      this.startTicker(c);
      this.broadcast(c, []);
    });
  }

  private onSpeed(_member: Member, message: { speed: number } & Addressed): void {
    for (const c of this.targets(message)) {
      c.setSpeed(message.speed);
      if (c.phase === 'running') this.startTicker(c);
      this.broadcast(c, []);
    }
    if (message.group === undefined) this.setup = { ...this.setup, speed: message.speed };
    this.groupsDirty = true;
  }

  private onStepOnce(_member: Member, message: Addressed): void {
    this.inPhase(message, ['paused'], (c) => this.tickOnce(c));
  }

  private onEndRound(_member: Member, message: Addressed): void {
    this.inPhase(message, ['running', 'paused'], (c) => this.endRound(c));
  }

  private onNextRound(_member: Member, message: Addressed): void {
    this.inPhase(message, ['ended'], (c) => this.newRound(c, c.setup));
    if (message.group === undefined) this.dropEmptyGroups();
    this.fillSeats();
    this.sendRoster();
  }

  /**
   * A fault or a client's request: in the group named, or the same command in every group whose
   * round is under way ("crash every coordinator now"). A command about one message (deliver, drop,
   * delay, duplicate) names a message of one group: without a group, the instructor's selected one.
   * Refused only when no group could take it.
   */
  private onInject(member: Member, message: { command: Command } & Addressed): void {
    const aboutMessage = 'id' in message.command;
    const targets = message.group === undefined && aboutMessage ? this.targets({ group: member.group ?? this.firstGroup }) : this.targets(message);
    const live = targets.filter((c) => c.phase === 'running' || c.phase === 'paused');
    if (live.length === 0) targets[0]!.requirePhase('running', 'paused');
    let refusal: Refusal | null = null;
    let applied = 0;
    for (const c of live) {
      try {
        const events = c.inject(message.command);
        applied += 1;
        this.holdAtObjective(c);
        this.broadcast(c, events, member);
        this.checkRoundEnd(c);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        refusal ??= error;
      }
    }
    this.groupsDirty = true;
    if (applied === 0 && refusal) throw refusal;
  }

  /**
   * "Next step": every group waiting at an objective of its lesson goes on (its clock runs again),
   * or the group named. Refused when no lesson is under way there, or when no group waits.
   */
  private onNextStep(_member: Member, message: Addressed): void {
    const targets = this.targets(message);
    const lessons = targets.filter((c) => c.round.lessonRun !== null && (c.phase === 'running' || c.phase === 'paused'));
    if (lessons.length === 0) {
      refuse('no-lesson', `No lesson is under way${message.group === undefined ? ' in this class' : ` in group ${message.group}`}: "Next step" moves a class lesson on from an objective its group reached.`);
    }
    const waiting = lessons.filter((c) => c.waiting);
    // The refusal says why for the group named, or for the first group under way.
    if (waiting.length === 0) lessons[0]!.nextStep();
    for (const c of waiting) {
      c.nextStep();
      this.startTicker(c);
      this.broadcast(c, []);
    }
    this.groupsDirty = true;
  }

  private onAutopilot(_member: Member, message: { node: NodeId; on: boolean } & Addressed): void {
    for (const c of this.targets(message)) c.autopilot(message.node, message.on);
    this.sendRoster();
  }

  /** The instructor (or the projector view) is shown another group. */
  private onSelectGroup(member: Member, message: { group: number }): void {
    const cluster = this.targets(message)[0]!;
    if (member.group === message.group) return;
    member.group = message.group;
    member.views.forget();
    cluster.told(member.id);
    this.welcome(member);
    this.sendView(member, []);
    this.sendLesson(member, cluster);
    if (cluster.phase === 'ended') this.tell(member, 'reveal', this.reveal(cluster));
    if (member.role === 'instructor') this.tell(member, 'roster', this.roster(message.group));
    this.sendGroups(member);
  }

  /** The student a control message names: by look-alike skeleton, which is unique in the class. */
  private student(nickname: string): Member {
    const wanted = normalizeNickname(nickname);
    if (!wanted.ok) refuse('no-such-student', `No student can have that nickname. ${(wanted as { error: string }).error}`);
    const name = (wanted as { nickname: string }).nickname;
    const member = [...this.members.values()].find((m) => m.role === 'student' && m.nickname !== null && nicknamesClash(m.nickname, name));
    if (!member) refuse('no-such-student', `No student is called "${name}".`);
    return member!;
  }

  private onMoveStudent(member: Member, message: { nickname: string; seat: number } & Addressed): void {
    const student = this.student(message.nickname);
    const cluster = this.targets({ group: message.group ?? student.group ?? member.group ?? this.firstGroup })[0]!;
    const seats = cluster.seats;
    if (message.seat >= seats.length) refuse('bad-seat', `This round has seats 0 to ${seats.length - 1}.`);
    if (this.clusterOf(student) === cluster && cluster.nodeOf(student.id) === message.seat) return;
    if (seats[message.seat]!.holder === 'student') refuse('seat-taken', `Seat ${message.seat} is held by another student.`);
    const from = this.clusterOf(student);
    this.seat(student, cluster, message.seat);
    if (from && from !== cluster) this.storePlayers(from);
    this.storePlayers(cluster);
    this.fillSeats();
    this.welcome(student);
    this.sendView(student, []);
    this.sendRoster();
  }

  private onKick(_member: Member, message: { nickname: string; reason: string }): void {
    const student = this.student(message.nickname);
    const reason = message.reason.trim() || 'The instructor removed you from the class.';
    this.kicked.push(student.nickname!);
    this.tell(student, 'kicked', { reason });
    this.removeMember(student);
    this.out.push({ type: 'disconnect', member: student.id, why: 'kicked' });
  }

  private onCloseClass(): void {
    this.close('The instructor closed the class.', 'finished');
  }
}

/** "4 hours", "90 minutes", "20 seconds": a span of minutes in words. */
function idleSpan(minutes: number): string {
  if (minutes >= 120 && Number.isInteger(minutes / 60)) return `${minutes / 60} hours`;
  if (minutes >= 1) return `${Math.round(minutes)} minute${Math.round(minutes) === 1 ? '' : 's'}`;
  return `${Math.max(1, Math.round(minutes * 60))} seconds`;
}
