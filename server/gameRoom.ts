/**
 * What the classroom and solo rooms share. A room is a thin shell around the engine: it validates a
 * client's message, turns it into an engine command, steps, appends the command to the round's log,
 * and sends every client what it may see. No protocol rule lives here: legality is the engine's,
 * and bots are shared/bots' `botDecide`.
 */
import { Room, ServerError, ClientState, CloseCode, Protocol, type Client } from '@colyseus/core';
import { decode, type Iterator } from '@colyseus/schema';
import { unpack } from 'msgpackr';
import {
  botDecide,
  eventsFor,
  godView,
  legalActions,
  protocolFor,
  roundOver,
  sentViewOf,
  viewOf,
  type Command,
  type EngineEvent,
  type GodView,
  type NodeId,
  type SentNodeView,
  type World,
} from '../shared';
import { check } from '../shared/wire/schema';
import {
  clientMessages,
  CONTROL_MESSAGE_TYPES,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_CLIENT_MESSAGES_PER_SECOND,
  SEQ_WINDOW,
  type ClientMessageType,
  type RoundInfo,
  type RosterMessage,
  type ServerMessages,
  type TickedEvent,
  type ViewFrame,
} from '../shared/wire/messages';
import { diffNodeViewBetween, sameValue } from '../shared/wire/viewPatch';
import { registry } from './context';
import type { Registry } from './registry';
import { completeSetup, DEFAULT_SETUP, Round, type ForkStart, type RoundSetup } from './round';
import type { StoredPlayer } from './store';

export type Role = 'student' | 'instructor' | 'solo';

/** A person in the room. Survives reconnections: the Colyseus client object changes, the member does not. */
export interface Member {
  id: string;
  role: Role;
  nickname: string | null;
  node: NodeId | null;
  client: Client | null;
  connected: boolean;
  /** Highest action seq applied or refused; each seq is handled once. */
  lastSeq: number;
  rejections: number;
  /** Set when the member is leaving for good (kicked, closed, flooded): no reconnection. */
  gone: boolean;
  /** Messages sent to this member, for the fuzz and bench checks. */
  sent: number;
  /**
   * What this member's client was last sent, or null when it holds no view (a new connection, a new
   * seat). A node's next view is sent as a patch against that world.
   */
  shown: Shown | null;
}

interface Shown {
  world: World;
  round: RoundInfo;
  seat: NodeId | null;
  lastSeq: number;
}

export interface Seat {
  holder: 'bot' | 'student';
  memberId: string | null;
  autopilot: boolean;
  /** Decision deadline bookkeeping: the legal moves last seen and the tick they appeared. */
  legalKey: string;
  pendingSince: number;
}

interface ClientData {
  memberId: string;
  windowEndsAt: number;
  inWindow: number;
}

type Handler<T> = (member: Member, message: T) => void;

export class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const refuse = (code: string, message: string): never => {
  throw new Refusal(code, message);
};

const BOT_KIND = 'faithful';
/** How often the room's clock moves while no round runs. */
const CLOCK_ONLY_MS = 1000;

function sameRoundApartFromTick(a: RoundInfo | null, b: RoundInfo): boolean {
  return (
    a !== null &&
    (a === b ||
      (a.id === b.id && a.phase === b.phase && a.protocol === b.protocol && a.nodes === b.nodes && a.speed === b.speed && a.sandbox === b.sandbox))
  );
}

/** Most views carry no events: they share one frozen empty list. */
const NO_EVENTS: readonly TickedEvent[] = Object.freeze([]);

export abstract class GameRoom extends Room {
  protected reg!: Registry;
  protected readonly members = new Map<string, Member>();
  protected seats: Seat[] = [];
  protected setupNow: Required<RoundSetup> = DEFAULT_SETUP;
  protected round!: Round;
  protected speed = 1;
  /**
   * The rooms keep no synchronized schema state (each member gets its own view), so Colyseus's
   * patch interval has nothing to send: it only ticks the room's clock, and a slow one does.
   * While a round runs, the round's own timestep ticks the clock, and after a round a slow timestep
   * does (see `stopTicker`).
   */
  override patchRate: number | null = 1000;
  private ticking = false;
  /** Events since the last flush of views, and how far into them each member has been told. */
  private pendingEvents: TickedEvent[] = [];
  private eventCursor = new Map<string, number>();
  /** Nickname per node of everyone who held a seat in the current round, for the stored round. */
  private players = new Map<NodeId, string>();
  protected classCode: string | null = null;
  private closing = false;
  /** Rejection counts changed: the instructors' roster is refreshed on the next tick rather than on every refusal. */
  private rosterDirty = false;

  protected abstract readonly handlers: Partial<{ [K in ClientMessageType]: Handler<ReturnType<(typeof clientMessages)[K]['parse']>> }>;

  /** The handlers both rooms share: a player's move and the round controls. */
  protected readonly roundHandlers = {
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

  protected installGate(): void {
    this.reg = registry();
    // Every frame goes through our gate first: Colyseus's own decoder disconnects a client whose frame
    // does not decode, and we answer bad frames with `rejected` instead.
    const original = (Room.prototype as unknown as { _onMessage: (client: Client, buffer: Buffer) => void })._onMessage;
    const passOn = (client: Client, buffer: Buffer): void => original.call(this, client, buffer);
    (this as unknown as { _onMessage: (client: Client, buffer: Buffer) => void })._onMessage = (client: Client, buffer: Buffer) => {
      try {
        this.gate(client, buffer, passOn);
      } catch (error) {
        this.report(error, 'gate');
      }
    };
  }

  override onUncaughtException(error: Error & { cause?: unknown }, methodName: string): void {
    // A ServerError is a refusal we meant (a taken nickname, a wrong code): the client gets it, the log does not.
    if (error.cause instanceof ServerError || error instanceof ServerError) return;
    this.report(error, methodName);
  }

  protected report(error: unknown, where: string): void {
    console.error(`[${this.roomName} ${this.roomId}] ${where}:`, error);
  }

  // ---- Frames ---------------------------------------------------------------------------------

  private gate(client: Client, buffer: Buffer, passOn: (client: Client, buffer: Buffer) => void): void {
    if (client.state === ClientState.LEAVING || !buffer) return;
    const data = client.userData as ClientData | undefined;
    // Wall time: the flood limit is about the network, not the round's clock.
    const now = performance.now();
    if (data) {
      if (now >= data.windowEndsAt) {
        data.windowEndsAt = now + 1000;
        data.inWindow = 0;
      }
      data.inWindow += 1;
      if (data.inWindow > MAX_CLIENT_MESSAGES_PER_SECOND) {
        const member = this.members.get(data.memberId);
        if (member) member.gone = true;
        this.sendTo(client, member, 'rejected', {
          code: 'too-many-messages',
          message: `More than ${MAX_CLIENT_MESSAGES_PER_SECOND} messages in a second: you are disconnected.`,
        });
        client.leave(CloseCode.WITH_ERROR, 'too many messages');
        return;
      }
    }
    const member = data ? this.members.get(data.memberId) : undefined;
    if (buffer.byteLength > MAX_CLIENT_MESSAGE_BYTES) {
      return this.rejectFrame(client, member, 'too-large', `A message may be at most ${MAX_CLIENT_MESSAGE_BYTES} bytes (this one was ${buffer.byteLength}).`);
    }
    const code = buffer[0]! & 0x1f;
    switch (code) {
      case Protocol.ROOM_DATA: {
        let type: string;
        let payload: unknown;
        try {
          const it: Iterator = { offset: 1 };
          type = decode.stringCheck(buffer, it) ? decode.string(buffer, it) : String(decode.number(buffer, it));
          if (it.offset > buffer.byteLength || type.length === 0) throw new Error('truncated');
          payload = buffer.byteLength > it.offset ? unpack(buffer.subarray(it.offset)) : undefined;
        } catch {
          return this.rejectFrame(client, member, 'malformed', 'That message could not be decoded.');
        }
        if (!member) return;
        return this.dispatch(member, type, payload);
      }
      case Protocol.JOIN_ROOM:
      case Protocol.PING:
      case Protocol.LEAVE_ROOM:
        return passOn(client, buffer);
      case Protocol.ROOM_REQUEST:
      case Protocol.ROOM_DATA_BYTES:
      case Protocol.ROOM_INPUT_RELIABLE:
      case Protocol.ROOM_INPUT_UNRELIABLE:
        return this.rejectFrame(client, member, 'unsupported', 'This room takes plain messages only (room.send).');
      default:
        return this.rejectFrame(client, member, 'malformed', 'That frame is not a Colyseus message.');
    }
  }

  private rejectFrame(client: Client, member: Member | undefined, code: string, message: string): void {
    if (member) member.rejections += 1;
    this.rosterDirty = true;
    this.sendTo(client, member, 'rejected', { code, message });
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
      const handler = this.handlers[messageType] as Handler<unknown> | undefined;
      if (!handler) refuse('not-allowed', `"${messageType}" has no meaning in this room.`);
      handler!.call(this, member, (parsed as { value: unknown }).value);
    } catch (error) {
      if (!(error instanceof Refusal)) this.report(error, `message ${type.slice(0, 40)}`);
      const refusal = error instanceof Refusal ? error : new Refusal('internal', 'The server could not handle that message; nothing changed.');
      member.rejections += 1;
      this.rosterDirty = true;
      const rejected: ServerMessages['rejected'] = { code: refusal.code, message: refusal.message };
      if (typeof seq === 'number' && Number.isInteger(seq)) rejected.seq = seq;
      this.tell(member, 'rejected', rejected);
      if (type === 'act') this.sendView(member, []);
    }
  }

  // ---- Sending --------------------------------------------------------------------------------

  protected tell<K extends keyof ServerMessages>(member: Member, type: K, message: ServerMessages[K]): void {
    if (!member.client || !member.connected) return;
    this.sendTo(member.client, member, type, message);
  }

  private sendTo<K extends keyof ServerMessages>(client: Client, member: Member | undefined, type: K, message: ServerMessages[K]): void {
    try {
      client.send(type, message);
      if (member) member.sent += 1;
    } catch (error) {
      this.report(error, `send ${type}`);
    }
  }

  protected roundInfo(): RoundInfo {
    const world = this.round.world;
    return {
      id: this.round.persisted || this.round.phase === 'ended' ? this.round.id : null,
      phase: this.round.phase,
      protocol: world.config.protocol,
      nodes: world.config.nodes,
      speed: this.speed,
      tick: world.tick,
      sandbox: world.config.settings.sandbox,
    };
  }

  /** Sends one member its view of the world and the events of this batch it may see (already filtered for it). */
  protected sendView(member: Member, visible: readonly TickedEvent[], cache?: ViewCache, accepted?: number): void {
    if (!member.client || !member.connected) return;
    const info = cache?.info ?? this.roundInfo();
    let message: ViewFrame;
    if (member.role === 'instructor') {
      const god = cache ? (cache.god ??= godView(this.round.world)) : godView(this.round.world);
      message = { round: info, view: god, events: visible, lastSeq: 0 };
    } else {
      if (member.node === null) return;
      const node = member.node;
      const world = this.round.world;
      const base = member.shown;
      // The same config object means the same round, so the client's view is of this round's world.
      if (base && base.world.config === world.config) {
        message = { patch: diffNodeViewBetween(base.world, world, node), lastSeq: member.lastSeq };
        // The client knows the round; when only its tick moved, the view's clock says so.
        if (!sameRoundApartFromTick(base.round, info)) message.round = info;
      } else {
        message = { round: info, view: this.wholeView(node, cache), lastSeq: member.lastSeq };
      }
      if (visible.length > 0) message.events = visible;
      if (accepted !== undefined) message.accepted = accepted;
    }
    member.shown = { world: this.round.world, round: info, seat: member.node, lastSeq: member.lastSeq };
    this.tell(member, 'view', message);
  }

  /** A node's whole view of the current world, made once per flush. */
  private wholeView(node: NodeId, cache: ViewCache | undefined): SentNodeView {
    const known = cache?.nodes.get(node);
    if (known) return known;
    const view = sentViewOf(this.round.world, node);
    cache?.nodes.set(node, view);
    return view;
  }

  /** The events since the last flush that a member has not been sent and may see. */
  private unseenEvents(member: Member): readonly TickedEvent[] {
    const viewer = member.role === 'instructor' ? 'god' : member.node;
    const from = this.eventCursor.get(member.id) ?? 0;
    if (viewer === null || from >= this.pendingEvents.length) return NO_EVENTS;
    return eventsFor(from === 0 ? this.pendingEvents : this.pendingEvents.slice(from), viewer) as TickedEvent[];
  }

  /**
   * After a batch of commands: everyone gets their view and their share of the events. While a round
   * runs, a player's own move is answered at once and everyone else hears of it at the next tick:
   * that batches the views of a busy room into one send per member per tick. The view answering a
   * player's `act` carries its seq: one message says both "applied" and what it did.
   */
  protected broadcastViews(events: readonly EngineEvent[], actor?: Member, accepted?: number): void {
    // Dated now: a member told of them at the next tick must still log them at this one.
    const tick = this.round.world.tick;
    for (const e of events) this.pendingEvents.push({ ...e, tick });
    if (actor && this.ticking && this.round.phase === 'running') {
      this.sendView(actor, this.unseenEvents(actor), undefined, accepted);
      this.eventCursor.set(actor.id, this.pendingEvents.length);
      return;
    }
    this.flushViews(actor && accepted !== undefined ? { member: actor, seq: accepted } : undefined);
  }

  /**
   * Every member whose view changed gets it with the events it has not seen; the others, just the
   * clock. A player whose act this answers always gets a view.
   */
  private flushViews(answer?: { member: Member; seq: number }): void {
    const cache: ViewCache = { info: this.roundInfo(), god: undefined, nodes: new Map() };
    for (const member of this.members.values()) {
      if (!member.client || !member.connected) continue;
      const visible = this.unseenEvents(member);
      if (member === answer?.member) this.sendView(member, visible, cache, answer.seq);
      else if (visible.length > 0 || this.viewChanged(member, cache.info)) this.sendView(member, visible, cache);
      else this.tell(member, 'clock', { tick: cache.info.tick, phase: cache.info.phase });
    }
    this.pendingEvents = [];
    this.eventCursor.clear();
  }

  /** Whether a member's view differs from what its client was last sent, as far as it can without a visible event. */
  private viewChanged(member: Member, info: RoundInfo): boolean {
    const last = member.shown;
    if (!last || !sameRoundApartFromTick(last.round, info) || last.seat !== member.node || last.lastSeq !== member.lastSeq) return true;
    const world = this.round.world;
    if (member.role === 'instructor') return last.world !== world;
    if (member.node === null) return false;
    if (last.world.nodes[member.node] !== world.nodes[member.node] || last.world.inFlight !== world.inFlight) return true;
    // Legal moves can change with time alone (a timeout passing); the client works them out from the view's clock.
    return !sameValue(legalActions(world, member.node), legalActions(last.world, member.node));
  }

  protected roster(): RosterMessage {
    const students = [...this.members.values()].filter((m) => m.role !== 'instructor');
    return {
      students: students.map((m) => ({
        nickname: m.nickname ?? '',
        node: m.node,
        connected: m.connected,
        autopilot: m.node !== null && (this.seats[m.node]?.autopilot ?? false),
        rejections: m.rejections,
      })),
      seats: this.seats.map((s, node) => ({
        node,
        holder: s.holder,
        nickname: s.memberId ? (this.members.get(s.memberId)?.nickname ?? null) : null,
        autopilot: s.autopilot,
      })),
    };
  }

  protected sendRoster(): void {
    this.rosterDirty = false;
    const roster = this.roster();
    for (const member of this.members.values()) if (member.role !== 'student') this.tell(member, 'roster', roster);
  }

  protected welcome(member: Member): void {
    this.tell(member, 'welcome', { role: member.role, node: member.node, nickname: member.nickname, classCode: this.classCode });
  }

  // ---- Seats ----------------------------------------------------------------------------------

  protected freshSeats(nodes: number): Seat[] {
    return Array.from({ length: nodes }, () => ({ holder: 'bot' as const, memberId: null, autopilot: false, legalKey: '', pendingSince: 0 }));
  }

  protected seatMember(member: Member, node: NodeId | null): void {
    if (member.node !== null && this.seats[member.node]?.memberId === member.id) {
      this.seats[member.node] = { ...this.seats[member.node]!, holder: 'bot', memberId: null };
    }
    member.node = node;
    member.shown = null;
    if (node !== null) {
      this.seats[node] = { holder: 'student', memberId: member.id, autopilot: false, legalKey: '', pendingSince: this.round.world.tick };
      if (member.nickname) this.players.set(node, member.nickname);
    }
  }

  /** A free seat students may take, lowest first. */
  protected freeStudentSeat(): NodeId | null {
    for (const node of this.setupNow.studentSeats) {
      if (node < this.seats.length && this.seats[node]!.holder === 'bot') return node;
    }
    return null;
  }

  /** Seats waiting students while student seats are free. */
  protected fillSeats(): void {
    for (const member of this.members.values()) {
      if (member.role === 'instructor' || member.node !== null || member.gone) continue;
      const node = this.freeStudentSeat();
      if (node === null) return;
      this.seatMember(member, node);
      this.welcome(member);
      this.sendView(member, []);
    }
  }

  protected storedPlayers(): StoredPlayer[] {
    return [...this.players].map(([node, nickname]) => ({ node, nickname })).sort((a, b) => a.node - b.node);
  }

  // ---- Rounds ---------------------------------------------------------------------------------

  /** A new round in the setup phase; students keep their seats where the new round allows it. */
  protected newRound(setup: Required<RoundSetup>, fork?: ForkStart): void {
    this.stopTicker();
    this.setupNow = setup;
    this.speed = setup.speed;
    this.round = new Round(setup, this.reg.store, this.classCode, fork);
    this.players = new Map();
    const previous = this.seats;
    this.seats = this.freshSeats(setup.nodes);
    const members = [...this.members.values()].filter((m) => m.role !== 'instructor');
    for (const member of members) {
      const keep = member.node !== null && setup.studentSeats.includes(member.node) ? member.node : null;
      const autopilot = member.node !== null && (previous[member.node]?.autopilot ?? false);
      member.node = null;
      if (keep !== null && this.seats[keep]!.holder === 'bot') {
        this.seatMember(member, keep);
        this.seats[keep]!.autopilot = autopilot;
      }
    }
    for (const member of members) {
      if (member.node === null && !member.gone) {
        const node = this.freeStudentSeat();
        if (node !== null) this.seatMember(member, node);
      }
      this.welcome(member);
    }
    this.broadcastViews([]);
    this.sendRoster();
  }

  protected startRound(): void {
    if (this.round.phase !== 'setup') refuse('wrong-phase', 'The round has already started.');
    this.round.begin(this.storedPlayers(), new Date().toISOString());
    this.round.phase = 'running';
    const events: EngineEvent[] = [];
    for (const command of this.round.openingRequests()) {
      const applied = this.round.apply(command);
      if (applied.ok) events.push(...applied.events);
    }
    this.resetDeadlines();
    this.startTicker();
    this.broadcastViews(events);
  }

  protected endRound(state: 'finished' | 'interrupted' = 'finished'): void {
    if (this.round.phase === 'ended') return;
    this.stopTicker();
    const wasKept = this.round.persisted;
    this.round.finish(this.storedPlayers(), new Date().toISOString(), state);
    const god: GodView = godView(this.round.world);
    const status = this.round.status();
    for (const member of this.members.values()) {
      this.tell(member, 'reveal', { god, outcome: status.outcome, commitPoints: this.round.world.global.chosen, roundId: wasKept ? this.round.id : null });
    }
    this.broadcastViews([]);
  }

  /** The round's clock: one engine tick every tickMs at speed 1, as the room's timestep. */
  protected startTicker(): void {
    this.stopTicker();
    if (this.round.phase !== 'running') return;
    this.ticking = true;
    this.setTimestep(() => this.tickOnce(), this.reg.config.tickMs / this.speed);
  }

  protected stopTicker(): void {
    if (!this.ticking) return;
    this.ticking = false;
    // Once a timestep is removed, Colyseus's patch interval no longer moves the room's clock: a slow timestep that does
    // nothing else keeps the clock's timers (such as closing an idle class) running between rounds.
    this.setTimestep(() => {}, CLOCK_ONLY_MS);
  }

  /** One tick of the round: the network moves, then bots (and overdue humans) act. */
  protected tickOnce(): void {
    if (this.round.phase === 'ended') return;
    const events: EngineEvent[] = [];
    const ticked = this.round.apply({ type: 'tick' });
    if (ticked.ok) events.push(...ticked.events);
    const order = this.round.botRng.shuffle(Array.from({ length: this.seats.length }, (_, i) => i));
    for (const node of order) {
      if (!this.botPlays(node)) continue;
      const command = botDecide(BOT_KIND, viewOf(this.round.world, node), this.round.botRng, false);
      if (!command) continue;
      const applied = this.round.apply(command);
      if (applied.ok) {
        events.push(...applied.events);
        this.seats[node]!.legalKey = '';
      }
    }
    this.trackDeadlines();
    this.broadcastViews(events);
    if (this.rosterDirty) this.sendRoster();
    this.checkRoundEnd();
  }

  /** Bots hold free seats; a student's seat is played by a bot on autopilot or past the decision deadline. */
  private botPlays(node: NodeId): boolean {
    const seat = this.seats[node]!;
    if (seat.holder === 'bot' || seat.autopilot) return true;
    const deadline = this.setupNow.decisionDeadline;
    return deadline > 0 && seat.legalKey !== '[]' && seat.legalKey !== '' && this.round.world.tick - seat.pendingSince >= deadline;
  }

  private resetDeadlines(): void {
    for (const seat of this.seats) {
      seat.legalKey = '';
      seat.pendingSince = this.round.world.tick;
    }
    this.trackDeadlines();
  }

  /** Restarts a seat's deadline whenever what it may do changes. */
  private trackDeadlines(): void {
    if (this.setupNow.decisionDeadline === 0) return;
    this.seats.forEach((seat, node) => {
      if (seat.holder !== 'student') return;
      const key = JSON.stringify(legalActions(this.round.world, node));
      if (key !== seat.legalKey) {
        seat.legalKey = key;
        seat.pendingSince = this.round.world.tick;
      }
    });
  }

  protected checkRoundEnd(): void {
    if (this.round.phase !== 'running' && this.round.phase !== 'paused') return;
    // When a round is over is the engine's to say; the room only adds its limits of ticks and commands.
    const world = this.round.world;
    if (world.tick >= this.reg.config.maxRoundTicks || this.round.full || roundOver(world)) this.endRound();
  }

  /** Applies one command from a person; refusals carry the engine's explanation. */
  protected applyCommand(command: Command): EngineEvent[] {
    const applied = this.round.apply(command);
    if (!applied.ok) {
      if (command.type === 'act') this.round.noteRejection(command.node, applied.rejection);
      refuse(applied.rejection.code, applied.rejection.message);
    }
    return (applied as { events: EngineEvent[] }).events;
  }

  protected requirePhase(...phases: string[]): void {
    if (!phases.includes(this.round.phase)) {
      const now = this.round.phase;
      refuse('wrong-phase', `Not now: the round is ${now === 'setup' ? 'not started yet' : now}.`);
    }
  }

  // ---- Handlers shared by both rooms ---------------------------------------------------------

  protected onAct(member: Member, message: { seq: number; action: { kind: string } }): void {
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
    if (member.node === null) refuse('no-seat', 'You hold no node yet: wait for a free seat.');
    const action = protocolFor(this.round.config.protocol).parseAction(message.action);
    if (typeof action === 'string') refuse('bad-action', action);
    this.requirePhase('running');
    const node = member.node!;
    const events = this.applyCommand({ type: 'act', node, action: action as Exclude<typeof action, string> });
    const seat = this.seats[node]!;
    seat.pendingSince = this.round.world.tick;
    seat.legalKey = '';
    this.trackDeadlines();
    this.broadcastViews(events, member, message.seq);
    this.checkRoundEnd();
  }

  protected onSetup(_member: Member, message: RoundSetup): void {
    this.requirePhase('setup', 'ended');
    const setup = completeSetup(message, this.setupNow);
    if (typeof setup === 'string') refuse('bad-setup', `That setup does not work: ${setup}.`);
    this.newRound(setup as Required<RoundSetup>);
  }

  protected onStart(): void {
    this.startRound();
  }

  protected onPause(): void {
    this.requirePhase('running');
    this.round.phase = 'paused';
    this.stopTicker();
    this.broadcastViews([]);
  }

  protected onResume(): void {
    this.requirePhase('paused');
    this.round.phase = 'running';
    this.startTicker();
    this.broadcastViews([]);
  }

  protected onSpeed(_member: Member, message: { speed: number }): void {
    this.speed = message.speed;
    this.setupNow = { ...this.setupNow, speed: message.speed };
    if (this.round.phase === 'running') this.startTicker();
    this.broadcastViews([]);
  }

  protected onStepOnce(): void {
    this.requirePhase('paused');
    this.tickOnce();
  }

  protected onEndRound(): void {
    this.requirePhase('running', 'paused');
    this.endRound();
  }

  protected onNextRound(): void {
    this.requirePhase('ended');
    this.newRound(this.setupNow);
  }

  protected onInject(member: Member, message: { command: Command }): void {
    this.requirePhase('running', 'paused');
    const events = this.applyCommand(message.command);
    this.broadcastViews(events, member);
    this.checkRoundEnd();
  }

  protected onAutopilot(_member: Member, message: { node: NodeId; on: boolean }): void {
    if (message.node >= this.seats.length) refuse('bad-seat', `This round has seats 0 to ${this.seats.length - 1}.`);
    const seat = this.seats[message.node]!;
    seat.autopilot = message.on;
    this.sendRoster();
  }

  // ---- Leaving --------------------------------------------------------------------------------

  /** A new member of the room: no seat, no connection yet. */
  protected newMember(id: string, role: Role, nickname: string | null): Member {
    const member: Member = { id, role, nickname, node: null, client: null, connected: false, lastSeq: 0, rejections: 0, gone: false, sent: 0, shown: null };
    this.members.set(id, member);
    return member;
  }

  protected memberOf(client: Client): Member | undefined {
    const data = client.userData as ClientData | undefined;
    return data ? this.members.get(data.memberId) : undefined;
  }

  protected attach(client: Client, member: Member): void {
    client.userData = { memberId: member.id, windowEndsAt: 0, inWindow: 0 } satisfies ClientData;
    member.client = client;
    member.connected = true;
    // A new connection starts from a whole view.
    member.shown = null;
    this.noteConnections();
  }

  /** Someone connected or disconnected (not while the room is closing anyway). */
  private noteConnections(): void {
    if (!this.closing) this.connectionsChanged();
  }

  /** Called whenever someone connects or disconnects; `anyoneConnected` tells whether the room is empty now. */
  protected connectionsChanged(): void {}

  protected get anyoneConnected(): boolean {
    for (const member of this.members.values()) if (member.connected) return true;
    return false;
  }

  override onDrop(client: Client): void {
    const member = this.memberOf(client);
    if (!member || member.client !== client) return;
    member.connected = false;
    this.noteConnections();
    if (member.gone || this.closing) return;
    this.sendRoster();
    const pending = this.allowReconnection(client, this.reg.config.reconnectSeconds) as unknown as { catch?: (f: () => void) => void };
    pending.catch?.(() => {});
  }

  override onReconnect(client: Client): void {
    const member = this.memberOf(client);
    if (!member || member.gone) return;
    this.attach(client, member);
    this.welcome(member);
    this.sendView(member, []);
    if (this.round.phase === 'ended') this.sendReveal(member);
    this.sendRoster();
  }

  protected sendReveal(member: Member): void {
    const status = this.round.status();
    this.tell(member, 'reveal', {
      god: godView(this.round.world),
      outcome: status.outcome,
      commitPoints: this.round.world.global.chosen,
      roundId: this.round.id,
    });
  }

  override onLeave(client: Client): void {
    const member = this.memberOf(client);
    if (!member || member.client !== client) return;
    this.removeMember(member);
  }

  /** The member is gone for good: their seat goes back to a bot, and a waiting student may take it. */
  protected removeMember(member: Member): void {
    if (!this.members.delete(member.id)) return;
    member.gone = true;
    member.connected = false;
    this.noteConnections();
    if (member.node !== null) this.seatMember(member, null);
    this.fillSeats();
    this.sendRoster();
    this.afterMemberRemoved(member);
  }

  protected afterMemberRemoved(_member: Member): void {}

  /** Tells everyone why, ends a running round (kept as interrupted when the server stops), and disposes the room. */
  protected closeRoom(reason: string, state: 'finished' | 'interrupted'): Promise<unknown> {
    if (this.closing) return Promise.resolve();
    this.closing = true;
    if (this.round && this.round.phase !== 'ended' && this.round.persisted) this.endRound(state);
    this.stopTicker();
    for (const member of this.members.values()) {
      member.gone = true;
      this.tell(member, 'closed', { reason });
    }
    return this.disconnect(CloseCode.SERVER_SHUTDOWN).catch(() => {});
  }

  override onBeforeShutdown(): void {
    void this.closeRoom('The server is shutting down.', 'interrupted');
  }

  override onDispose(): void {
    this.stopTicker();
    if (this.round && this.round.persisted) this.round.finish(this.storedPlayers(), new Date().toISOString(), 'finished');
  }

  /** For tests and the fuzz check: how many messages each member was sent. */
  sentCounts(): { id: string; role: Role; nickname: string | null; sent: number }[] {
    return [...this.members.values()].map((m) => ({ id: m.id, role: m.role, nickname: m.nickname, sent: m.sent }));
  }
}

interface ViewCache {
  info: RoundInfo;
  god: GodView | undefined;
  nodes: Map<NodeId, SentNodeView>;
}
