/**
 * A room without its network: the classroom's or solo game's members (who is who, who is connected,
 * whose reconnection window is open), what each client may send and what it was last shown, the
 * roster, and the cluster they play in (./cluster.ts). It knows nothing of Colyseus. It takes the
 * time, the store and its randomness as parameters (./services.ts), and every entry point returns
 * the effects of what happened (./effects.ts): messages to send, timers to set, connections to close.
 * No protocol rule lives here: legality is the engine's, and bots are shared/bots' `botDecide`.
 */
import { godView, type Command, type EngineEvent, type NodeId } from '../../shared';
import { check } from '../../shared/wire/schema';
import {
  clientMessages,
  MAX_CLIENT_MESSAGES_PER_SECOND,
  SEQ_WINDOW,
  type ClientMessageType,
  type RosterMessage,
  type ServerMessages,
  type TickedEvent,
} from '../../shared/wire/messages';
import { nicknamesClash, normalizeNickname, sameNickname } from '../../shared/wire/nickname';
import { newViewBatch, ViewTracker, type ViewBatch } from '../../shared/wire/viewPatch';
import type { ForkStart } from '../forkJob';
import { Cluster } from './cluster';
import { refuse, Refusal, type Effect, type Joined, type MemberId, type Outgoing, type TimerName } from './effects';
import { completeSetup, type RoundSetup } from './round';
import type { CoreServices, FinishedState } from './services';

export type Role = 'student' | 'instructor' | 'solo';

/** A person in the room. Survives reconnections: the connection changes, the member does not. */
interface Member {
  readonly id: MemberId;
  readonly role: Role;
  readonly nickname: string | null;
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
  services: CoreServices;
  /** The first round's setup. */
  setup: Required<RoundSetup>;
}

type Handler = (member: Member, message: never) => void;

export class RoomCore {
  private readonly members = new Map<MemberId, Member>();
  private readonly cluster: Cluster;
  private out: Effect[] = [];
  private closing = false;
  private idleTimerSet = false;
  /** Rejection counts changed: the roster is refreshed on the next tick rather than on every refusal. */
  private rosterDirty = false;
  private readonly handlers: Partial<Record<ClientMessageType, Handler>>;

  constructor(private readonly options: RoomOptions) {
    this.cluster = new Cluster(options.services, options.classCode, options.setup);
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
    const classOnly = { closeClass: this.onCloseClass, moveStudent: this.onMoveStudent, kick: this.onKick };
    this.handlers = options.kind === 'classroom' ? { ...round, ...classOnly } : round;
  }

  // ---- Entry points: each returns what the host must do ------------------------------------------

  /** A new room: a class starts timing its idleness at once. */
  open(): Effect[] {
    return this.effects('open', () => this.noteConnections());
  }

  /** Someone joins a classroom: the instructor, or a student with a nickname (normalized already). */
  join(id: MemberId, who: { role: 'instructor' } | { role: 'student'; nickname: string }): Joined {
    this.out = [];
    if (who.role === 'instructor') {
      const member = this.newMember(id, 'instructor', null);
      this.attach(member);
      this.greet(member);
      return { ok: true, member: member.id, effects: this.take() };
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
      member = this.newMember(id, 'student', who.nickname);
      this.attach(member);
      const seat = this.cluster.freeStudentSeat();
      if (seat !== null) this.seat(member, seat);
    }
    this.greet(member);
    try {
      this.storePlayers();
    } catch (error) {
      // The student is in the class all the same; the stored round lacks their name until the next change.
      this.out.push({ type: 'fault', where: 'join', error });
    }
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
  joinSolo(id: MemberId, setup: Required<RoundSetup>, fork?: ForkStart): Joined {
    this.out = [];
    if (this.hasPlayer) return { ok: false, refusal: 'wrongRoom', message: 'A solo game has one player.' };
    const member = this.newMember(id, fork ? 'instructor' : 'solo', null);
    this.attach(member);
    this.newRound(setup, fork);
    // newRound welcomes the seated players; the player of a fork holds no seat.
    if (fork) this.welcome(member);
    this.startRound();
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
      if (timer === this.cluster.clock) {
        if (this.cluster.ticking && this.cluster.phase === 'running') this.tickOnce();
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

  /** Tells everyone why, ends a running round (kept as interrupted when the server stops), and closes the room. */
  shutDown(reason: string, state: FinishedState): Effect[] {
    return this.effects('shut down', () => this.close(reason, state));
  }

  /** The room is gone: a round still running is stored as it stands, and a class is closed for good. */
  dispose(): Effect[] {
    return this.effects('dispose', () => {
      this.stopTicker();
      this.cluster.end('finished');
      const code = this.options.classCode;
      if (this.options.kind === 'classroom' && code !== null) this.options.services.store.closeClass(code, this.options.services.clock.stamp());
    });
  }

  // ---- Plumbing ---------------------------------------------------------------------------------

  /** Runs one entry point; on an unexpected failure, what was done so far still happens, and the failure is reported. */
  private effects(where: string, body: () => void): Effect[] {
    this.out = [];
    try {
      body();
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

  private dispatch(member: Member, type: string, payload: unknown): void {
    const seq = type === 'act' && typeof payload === 'object' && payload !== null ? (payload as { seq?: unknown }).seq : undefined;
    try {
      if (!Object.hasOwn(clientMessages, type)) {
        refuse('unknown-type', `There is no message type "${type.slice(0, 40)}${type.length > 40 ? '…' : ''}".`);
      }
      const messageType = type as ClientMessageType;
      const parsed = check(clientMessages[messageType] as { parse(v: unknown): unknown; describe: string }, payload ?? {});
      if (!parsed.ok) refuse('bad-message', `${messageType}: ${parsed.error}.`);
      if (messageType === 'act' ? member.role === 'instructor' : member.role === 'student') {
        refuse('not-allowed', messageType === 'act' ? 'The instructor plays no node.' : `Only the instructor may send "${messageType}".`);
      }
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
      if (type === 'act') this.sendView(member, []);
    }
  }

  // ---- Views ------------------------------------------------------------------------------------

  private viewerOf(member: Member): NodeId | 'god' | null {
    return member.role === 'instructor' ? 'god' : this.cluster.nodeOf(member.id);
  }

  /** Sends one member its view of the world and the events it may see (already filtered for it). */
  private sendView(member: Member, visible: readonly TickedEvent[], batch?: ViewBatch, accepted?: number): void {
    if (!member.connected) return;
    const viewer = this.viewerOf(member);
    if (viewer === null) return;
    const c = this.cluster;
    const frame = member.views.frame(c.world, batch ?? newViewBatch(c.info()), viewer, member.lastSeq, visible, accepted, c.views);
    this.tell(member, 'view', frame);
  }

  /**
   * After a batch of commands: everyone gets their view and their share of the events. While a round
   * runs, a player's own move is answered at once and everyone else hears of it at the next tick:
   * that batches the views of a busy room into one send per member per tick. The view answering a
   * player's `act` carries its seq: one message says both "applied" and what it did.
   */
  private broadcast(events: readonly EngineEvent[], actor?: Member, accepted?: number): void {
    const c = this.cluster;
    c.record(events);
    if (actor && c.ticking && c.phase === 'running') {
      this.sendView(actor, c.unseen(actor.id, this.viewerOf(actor)), undefined, accepted);
      c.told(actor.id);
      return;
    }
    this.flush(actor && accepted !== undefined ? { member: actor, seq: accepted } : undefined);
  }

  /**
   * Every member whose view changed gets it with the events it has not seen; the others, just the
   * clock. A player whose act this answers always gets a view; a student without a seat gets nothing.
   */
  private flush(answer?: { member: Member; seq: number }): void {
    const c = this.cluster;
    const batch = newViewBatch(c.info());
    for (const member of this.members.values()) {
      if (!member.connected) continue;
      const viewer = this.viewerOf(member);
      if (viewer === null) continue;
      const visible = c.unseen(member.id, viewer);
      if (member === answer?.member) this.sendView(member, visible, batch, answer.seq);
      else if (visible.length > 0 || member.views.changed(c.world, batch.round, viewer, member.lastSeq, c.views)) this.sendView(member, visible, batch);
      else this.tell(member, 'clock', { tick: batch.round.tick, phase: batch.round.phase });
    }
    c.toldEveryone();
  }

  /** Welcome, view, the reveal of an ended round, and the roster: what someone (back) in the room is told. */
  private greet(member: Member): void {
    this.welcome(member);
    this.sendView(member, []);
    if (this.cluster.phase === 'ended') this.tell(member, 'reveal', this.reveal(this.cluster.round.id));
    this.sendRoster();
  }

  private welcome(member: Member): void {
    const node = member.role === 'instructor' ? null : this.cluster.nodeOf(member.id);
    this.tell(member, 'welcome', { role: member.role, node, nickname: member.nickname, classCode: this.options.classCode, classTitle: null, group: this.options.kind === 'classroom' ? 1 : null });
  }

  private reveal(roundId: string | null): ServerMessages['reveal'] {
    const c = this.cluster;
    return { god: godView(c.world, c.views), outcome: c.round.status().outcome, commitPoints: c.world.global.chosen, roundId, group: this.options.kind === 'classroom' ? 1 : null, scoreboard: null };
  }

  private roster(): RosterMessage {
    const seats = this.cluster.seats;
    const students = [...this.members.values()].filter((m) => m.role !== 'instructor');
    return {
      students: students.map((m) => {
        const node = this.cluster.nodeOf(m.id);
        return { nickname: m.nickname ?? '', group: node === null ? null : 1, node, connected: m.connected, autopilot: node !== null && (seats[node]?.autopilot ?? false), rejections: m.rejections };
      }),
      group: 1,
      seats: seats.map((s, node) => ({
        node,
        holder: s.holder,
        nickname: s.memberId ? (this.members.get(s.memberId)?.nickname ?? null) : null,
        autopilot: s.autopilot,
      })),
    };
  }

  private sendRoster(): void {
    this.rosterDirty = false;
    const roster = this.roster();
    for (const member of this.members.values()) if (member.role !== 'student') this.tell(member, 'roster', roster);
  }

  // ---- Members and seats ------------------------------------------------------------------------

  private newMember(id: MemberId, role: Role, nickname: string | null): Member {
    const member: Member = { id, role, nickname, connected: false, gone: false, awaited: false, lastSeq: 0, rejections: 0, views: new ViewTracker(), windowEndsAt: 0, inWindow: 0 };
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

  private seat(member: Member, node: NodeId | null): void {
    this.cluster.seat(member.id, member.nickname, node);
    member.views.forget();
  }

  /** Seats waiting students while student seats are free. */
  private fillSeats(): void {
    for (const member of this.members.values()) {
      if (member.role === 'instructor' || member.gone || this.cluster.nodeOf(member.id) !== null) continue;
      const node = this.cluster.freeStudentSeat();
      if (node === null) return;
      this.seat(member, node);
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
    if (this.cluster.nodeOf(member.id) !== null) this.seat(member, null);
    this.fillSeats();
    this.sendRoster();
    this.storePlayers();
  }

  /** A class keeps who played which node with its running round. */
  private storePlayers(): void {
    const round = this.cluster.round;
    if (this.options.kind === 'classroom' && round.persisted) this.options.services.store.updatePlayers(round.id, this.cluster.storedPlayers());
  }

  private get anyoneConnected(): boolean {
    for (const member of this.members.values()) if (member.connected) return true;
    return false;
  }

  /** Times a class's idleness: from the moment the last person disconnects until someone connects. */
  private noteConnections(): void {
    if (this.closing || this.options.kind !== 'classroom') return;
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
    if (this.cluster.phase !== 'ended' && this.cluster.round.persisted) this.endRound(state);
    this.stopTicker();
    for (const member of this.members.values()) {
      member.gone = true;
      this.tell(member, 'closed', { reason });
    }
    this.out.push({ type: 'close' });
  }

  // ---- Rounds -----------------------------------------------------------------------------------

  /** A new round in the setup phase; students keep their seats where the new round allows it. */
  private newRound(setup: Required<RoundSetup>, fork?: ForkStart): void {
    this.stopTicker();
    const students = [...this.members.values()].filter((m) => m.role !== 'instructor');
    this.cluster.newRound(setup, students, fork);
    for (const member of students) {
      member.views.forget();
      this.welcome(member);
    }
    this.broadcast([]);
    this.sendRoster();
  }

  private startRound(): void {
    this.cluster.start();
    this.startTicker();
    let events: EngineEvent[] = [];
    try {
      events = this.cluster.open();
    } catch (error) {
      // The round has started all the same (a client's request the store could not keep is not made): say so.
      this.out.push({ type: 'fault', where: 'opening requests', error });
    }
    this.broadcast(events);
  }

  private endRound(state: FinishedState = 'finished'): void {
    const c = this.cluster;
    const kept = c.round.persisted;
    if (!c.end(state)) return;
    this.stopTicker();
    const reveal = this.reveal(kept ? c.round.id : null);
    for (const member of this.members.values()) this.tell(member, 'reveal', reveal);
    this.broadcast([]);
  }

  /** The round's clock: one engine tick every tickMs at speed 1. */
  private startTicker(): void {
    if (this.cluster.phase !== 'running') return this.stopTicker();
    this.cluster.ticking = true;
    this.timer(this.cluster.clock, this.options.services.limits.tickMs / this.cluster.speed, true);
  }

  private stopTicker(): void {
    if (!this.cluster.ticking) return;
    this.cluster.ticking = false;
    this.timer(this.cluster.clock, null);
  }

  private tickOnce(): void {
    if (this.cluster.phase === 'ended') return;
    this.broadcast(this.cluster.tick());
    if (this.rosterDirty) this.sendRoster();
    this.checkRoundEnd();
  }

  private checkRoundEnd(): void {
    if (this.cluster.shouldEnd()) this.endRound();
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
    const node = this.cluster.nodeOf(member.id);
    if (node === null) refuse('no-seat', 'You hold no node yet: wait for a free seat.');
    const events = this.cluster.act(node!, message.action);
    this.broadcast(events, member, message.seq);
    this.checkRoundEnd();
  }

  private onSetup(_member: Member, message: RoundSetup): void {
    this.cluster.requirePhase('setup', 'ended');
    const setup = completeSetup(message, this.cluster.setup);
    if (typeof setup === 'string') refuse('bad-setup', `That setup does not work: ${setup}.`);
    this.newRound(setup as Required<RoundSetup>);
  }

  private onStart(): void {
    this.startRound();
  }

  private onPause(): void {
    this.cluster.pause();
    this.stopTicker();
    this.broadcast([]);
  }

  private onResume(): void {
    this.cluster.resume();
    this.startTicker();
    this.broadcast([]);
  }

  private onSpeed(_member: Member, message: { speed: number }): void {
    this.cluster.setSpeed(message.speed);
    if (this.cluster.phase === 'running') this.startTicker();
    this.broadcast([]);
  }

  private onStepOnce(): void {
    this.cluster.requirePhase('paused');
    this.tickOnce();
  }

  private onEndRound(): void {
    this.cluster.requirePhase('running', 'paused');
    this.endRound();
  }

  private onNextRound(): void {
    this.cluster.requirePhase('ended');
    this.newRound(this.cluster.setup);
  }

  private onInject(member: Member, message: { command: Command }): void {
    const events = this.cluster.inject(message.command);
    this.broadcast(events, member);
    this.checkRoundEnd();
  }

  private onAutopilot(_member: Member, message: { node: NodeId; on: boolean }): void {
    this.cluster.autopilot(message.node, message.on);
    this.sendRoster();
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

  private onMoveStudent(_member: Member, message: { nickname: string; seat: number }): void {
    const student = this.student(message.nickname);
    const seats = this.cluster.seats;
    if (message.seat >= seats.length) refuse('bad-seat', `This round has seats 0 to ${seats.length - 1}.`);
    if (this.cluster.nodeOf(student.id) === message.seat) return;
    if (seats[message.seat]!.holder === 'student') refuse('seat-taken', `Seat ${message.seat} is held by another student.`);
    this.seat(student, message.seat);
    this.fillSeats();
    this.welcome(student);
    this.sendView(student, []);
    this.sendRoster();
  }

  private onKick(_member: Member, message: { nickname: string; reason: string }): void {
    const student = this.student(message.nickname);
    const reason = message.reason.trim() || 'The instructor removed you from the class.';
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
