/**
 * A room core hosted in memory: what server/gameRoom.ts does over Colyseus, done without sockets or
 * timers, for the core's tests and the room swarm. Clients are objects that keep every message they
 * are sent (views assembled by the client's own `ViewAssembler`); time moves only when `advance` is
 * called, firing the timers the core set in order; the store keeps rounds in memory.
 */
import { MAX_SEED, parseSeating, Rng, type Action, type Command, type RecordedRejection, type RoundConfig } from '../../shared';
import type { ServerMessages, ViewFrame, ViewMessage } from '../../shared/wire/messages';
import { ViewAssembler } from '../../shared/wire/viewPatch';
import type { Lesson } from '../../shared/lessons';
import type { ForkStart } from '../forkJob';
import type { Effect, Joined, MemberId, Outgoing, TimerName } from '../core/effects';
import { RoomCore, type Incoming } from '../core/room';
import { DEFAULT_SETUP, type RoundSetup } from '../core/round';
import type { CoreServices, FinishedState, RoomLimits, RoundLog, RoundSeating, StoredPlayer } from '../core/services';

export interface StoredRound {
  id: string;
  classCode: string | null;
  config: RoundConfig;
  players: StoredPlayer[];
  /** A fork's starting commands are stored apart; `first` is how many there are. */
  first: number;
  commands: Command[];
  rejections: RecordedRejection[];
  state: 'running' | FinishedState;
  outcome: string | null;
  /** The group's number in its class, or null. */
  group: number | null;
  /** Who held the student seats when, and the bots' moves at them, as given when the round finished. */
  seating: RoundSeating | null;
  /** Why the SQLite store would not keep that seating (see `parseSeating`), or null. */
  seatingProblem: string | null;
  /** The id of the lesson the round played, or null. */
  lesson: string | null;
}

/** The store, in memory. */
export class MemoryStore implements RoundLog {
  readonly rounds = new Map<string, StoredRound>();
  readonly closedClasses: string[] = [];
  /** Called after each command is appended, with the round it went to. */
  onAppend: ((round: StoredRound, command: Command) => void) | null = null;

  beginRound(
    id: string,
    classCode: string | null,
    config: RoundConfig,
    players: StoredPlayer[],
    _now: string,
    prefix: { deflated: Uint8Array; count: number } | null,
    group: number | null = null,
    lesson: string | null = null,
  ): void {
    if (this.rounds.has(id)) throw new Error(`round ${id} begun twice`);
    this.rounds.set(id, {
      id,
      classCode,
      config,
      players,
      first: prefix?.count ?? 0,
      commands: [],
      rejections: [],
      state: 'running',
      outcome: null,
      group,
      seating: null,
      seatingProblem: null,
      lesson,
    });
  }

  append(roundId: string, command: Command): void {
    const round = this.running(roundId);
    round.commands.push(command);
    this.onAppend?.(round, command);
  }

  appendRejection(roundId: string, rejection: RecordedRejection): void {
    this.running(roundId).rejections.push(rejection);
  }

  updatePlayers(roundId: string, players: StoredPlayer[]): void {
    this.running(roundId).players = players;
  }

  finishRound(roundId: string, outcome: string | null, _result: object, players: StoredPlayer[], _now: string, state: FinishedState, seating?: RoundSeating): void {
    const round = this.running(roundId);
    Object.assign(round, { outcome, players, state, seating: seating ?? null, seatingProblem: seating ? seatingProblemOf(round, seating) : null });
  }

  closeClass(code: string): void {
    this.closedClasses.push(code);
  }

  private running(id: string): StoredRound {
    const round = this.rounds.get(id);
    if (!round || round.state !== 'running') throw new Error(`round ${id} is not running`);
    return round;
  }
}

/** What the SQLite store would find wrong with a round's seating (it keeps the bots' moves sorted), or null. */
function seatingProblemOf(round: StoredRound, seating: RoundSeating): string | null {
  try {
    const botMoves = [...new Set(seating.botMoves)].sort((a, b) => a - b);
    parseSeating({ holders: seating.holders, botMoves }, round.config.nodes, round.first + round.commands.length);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

type Received = { [K in Exclude<keyof ServerMessages, 'view'>]: ServerMessages[K][] } & { view: ViewMessage[]; accepted: { seq: number }[] };

/** One connection of a client: what it was sent, as it was sent and as the client assembles it. */
export class MemoryClient {
  readonly got: Received = { welcome: [], view: [], rejected: [], accepted: [], reveal: [], roster: [], kicked: [], closed: [], clock: [], groups: [], comparison: [], reportLine: [], lesson: [] };
  /** Every message in arrival order (views assembled whole). */
  readonly all: { type: string; message: unknown }[] = [];
  /** Every message exactly as it was sent: views may be patches. */
  readonly frames: Outgoing[] = [];
  /** Why a view frame could not be assembled onto the view before it (a frame was lost), if one could not. */
  unassembled: string | null = null;
  private readonly views = new ViewAssembler();
  seq = 0;
  /** Why the connection closed: 'left', 'dropped', 'kicked', 'flooded' or 'closed'; null while open. */
  closed: string | null = null;

  constructor(
    private readonly host: MemoryHost,
    readonly member: MemberId,
  ) {}

  get open(): boolean {
    return this.closed === null;
  }

  get lastView(): ViewMessage | undefined {
    return this.got.view[this.got.view.length - 1];
  }

  /** The node this client was last welcomed to. */
  get node(): number | null {
    return this.got.welcome.at(-1)?.node ?? null;
  }

  receive(message: Outgoing): void {
    this.frames.push(message);
    let whole: unknown = message.body;
    if (message.type === 'view') {
      try {
        whole = this.views.accept(message.body as ViewFrame);
      } catch (error) {
        // A patch laid on a view it was not made for can leave a view no client could read.
        this.unassembled = error instanceof Error ? error.message : String(error);
        return;
      }
    }
    this.all.push({ type: message.type, message: whole });
    (this.got[message.type] as unknown[]).push(whole);
    if (message.type === 'view' && (whole as ViewMessage).accepted !== undefined) this.got.accepted.push({ seq: (whole as ViewMessage).accepted! });
  }

  send(type: string, payload?: unknown): Effect[] {
    return this.frame({ kind: 'message', type, payload });
  }

  frame(frame: Incoming): Effect[] {
    if (!this.open) throw new Error('this connection is closed');
    return this.host.run(this.host.core.receive(this.member, frame));
  }

  /** The next action, numbered as a client numbers them. */
  act(action: Action | object): number {
    this.seq += 1;
    this.send('act', { seq: this.seq, action });
    return this.seq;
  }

  /** The connection drops (a closed laptop, a lost network). */
  drop(): Effect[] {
    this.closed = 'dropped';
    return this.host.disconnected(this, false);
  }

  /** The client leaves on purpose. */
  leave(): Effect[] {
    this.closed = 'left';
    return this.host.disconnected(this, true);
  }
}

interface Timer {
  at: number;
  every: number | null;
  /** Set order, so that timers due at the same moment fire in the order they were set. */
  order: number;
}

export interface HostOptions {
  kind?: 'classroom' | 'solo';
  classCode?: string | null;
  setup?: Required<RoundSetup>;
  limits?: Partial<RoomLimits>;
  /** Seeds the rounds' seeds and ids. */
  seed?: number;
  classTitle?: string;
  /** Groups the class may make (a class of one group keeps extra students waiting). */
  maxGroups?: number;
  store?: MemoryStore;
  /** Called with the effects of each call into the core (and of the calls its effects led to), once they are carried out. */
  observe?: (effects: Effect[]) => void;
  /** Changes each effect before it is carried out: a broken server, for showing that a check catches it. */
  tamper?: (effect: Effect) => Effect;
}

export const TEST_LIMITS: RoomLimits = { tickMs: 500, reconnectSeconds: 60, maxRoundTicks: 5000, classIdleMinutes: 240 };

export class MemoryHost {
  readonly core: RoomCore;
  readonly store: MemoryStore;
  readonly services: CoreServices;
  /** Milliseconds since the room was made. */
  now = 0;
  readonly timers = new Map<TimerName, Timer>();
  /** Members whose reconnection window is open, and the connection that dropped. */
  readonly windows = new Map<MemberId, MemoryClient>();
  /** Every effect carried out, in order. */
  readonly effects: Effect[] = [];
  readonly faults: { where: string; error: unknown }[] = [];
  closed = false;
  private readonly clients = new Map<MemberId, MemoryClient>();
  private sessions = 0;
  private timersSet = 0;
  private depth = 0;
  private batch: Effect[] = [];

  constructor(private readonly options: HostOptions = {}) {
    const rng = Rng.fromSeed(options.seed ?? 1);
    this.store = options.store ?? new MemoryStore();
    this.services = {
      store: this.store,
      limits: { ...TEST_LIMITS, ...options.limits },
      clock: { now: () => this.now, stamp: () => new Date(Date.UTC(2026, 0, 1) + this.now).toISOString() },
      random: {
        seed: () => rng.int(0, MAX_SEED),
        roundId: () => Array.from({ length: 16 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[rng.int(0, 35)]).join(''),
      },
    };
    const kind = options.kind ?? 'classroom';
    this.core = new RoomCore({
      kind,
      classCode: options.classCode === undefined ? (kind === 'classroom' ? 'ABCDEF' : null) : options.classCode,
      services: this.services,
      setup: options.setup ?? DEFAULT_SETUP,
      classTitle: options.classTitle ?? '',
      ...(options.maxGroups !== undefined ? { maxGroups: options.maxGroups } : {}),
    });
    this.run(this.core.open());
  }

  /** The client bound to a member now. */
  clientOf(member: MemberId): MemoryClient | undefined {
    return this.clients.get(member);
  }

  instructor(): MemoryClient {
    return this.admit(this.core.join(this.session(), { role: 'instructor' }));
  }

  /** The projector view, opened with the instructor's key. */
  screen(): MemoryClient {
    return this.admit(this.core.join(this.session(), { role: 'screen' }));
  }

  /** A student joins with a nickname (normalized already, as the matchmaker's auth does); a refusal throws. */
  student(nickname: string): MemoryClient {
    return this.admit(this.core.join(this.session(), { role: 'student', nickname }));
  }

  /** The join as the core answers it: a client, or the refusal. */
  tryStudent(nickname: string): MemoryClient | { refusal: string; message: string } {
    const joined = this.core.join(this.session(), { role: 'student', nickname });
    return joined.ok ? this.admit(joined) : { refusal: joined.refusal, message: joined.message };
  }

  solo(setup: Required<RoundSetup>, fork?: ForkStart, lesson: Lesson | null = null): MemoryClient {
    return this.admit(this.core.joinSolo(this.session(), setup, fork, lesson));
  }

  /** A dropped member comes back on a new connection with its reconnection token, inside the window. */
  reconnect(member: MemberId): MemoryClient {
    if (!this.windows.has(member)) throw new Error(`no reconnection window is open for ${member}`);
    this.windows.delete(member);
    const client = new MemoryClient(this, member);
    this.clients.set(member, client);
    this.run(this.core.reconnected(member));
    return client;
  }

  /** Moves the clock on by `ms`, firing every timer that comes due, in time order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let next: [TimerName, Timer] | null = null;
      for (const entry of this.timers) {
        if (entry[1].at <= until && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].order < next[1].order))) next = entry;
      }
      if (!next) break;
      const [name, timer] = next;
      this.now = Math.max(this.now, timer.at);
      if (timer.every === null) this.timers.delete(name);
      else timer.at += timer.every;
      this.run(this.core.fire(name));
    }
    this.now = until;
  }

  /** Carries out effects as the Colyseus room does, and returns them. */
  run(effects: Effect[]): Effect[] {
    this.depth += 1;
    try {
      this.carryOut(effects);
    } finally {
      this.depth -= 1;
    }
    if (this.depth === 0 && this.options.observe) {
      const batch = this.batch;
      this.batch = [];
      this.options.observe(batch);
    }
    return effects;
  }

  private carryOut(effects: Effect[]): void {
    for (let effect of effects) {
      if (this.options.tamper) effect = this.options.tamper(effect);
      this.effects.push(effect);
      if (this.options.observe) this.batch.push(effect);
      switch (effect.type) {
        case 'send': {
          const client = this.clients.get(effect.to);
          if (client?.open) client.receive(effect.message);
          break;
        }
        case 'disconnect': {
          const client = this.clients.get(effect.member);
          if (client?.open) {
            client.closed = effect.why;
            this.disconnected(client, false);
          }
          break;
        }
        case 'reconnection':
          if (effect.open) {
            const client = this.clients.get(effect.member);
            if (client) this.windows.set(effect.member, client);
          } else {
            const client = this.windows.get(effect.member);
            this.windows.delete(effect.member);
            // Colyseus then lets the old connection go: the room hears it leave, if it is still the member's.
            if (client && this.clients.get(effect.member) === client) this.leftFor(client);
          }
          break;
        case 'timer':
          if (effect.ms === null) this.timers.delete(effect.timer);
          else this.timers.set(effect.timer, { at: this.now + effect.ms, every: effect.repeat ? effect.ms : null, order: this.timersSet++ });
          break;
        case 'close':
          this.closed = true;
          for (const client of [...this.clients.values()]) {
            if (!client.open) continue;
            client.closed = 'closed';
            this.disconnected(client, false);
          }
          this.run(this.core.dispose());
          this.timers.clear();
          break;
        case 'fault':
          this.faults.push({ where: effect.where, error: effect.error });
          break;
      }
    }
  }

  /** A connection closed: on purpose (the member leaves), or not (a drop, which the core may let reconnect). */
  disconnected(client: MemoryClient, consented: boolean): Effect[] {
    if (this.clients.get(client.member) !== client) return [];
    if (consented) return this.leftFor(client);
    const effects = this.run(this.core.dropped(client.member));
    // No window opened: the connection is gone for good, as Colyseus tells the room next.
    if (!this.windows.has(client.member)) effects.push(...this.leftFor(client));
    return effects;
  }

  private leftFor(client: MemoryClient): Effect[] {
    if (this.clients.get(client.member) !== client) return [];
    const effects = this.run(this.core.left(client.member));
    if (this.clients.get(client.member) === client) this.clients.delete(client.member);
    return effects;
  }

  private session(): string {
    this.sessions += 1;
    return `s${this.sessions}`;
  }

  private admit(joined: Joined): MemoryClient {
    if (!joined.ok) throw new Error(`join refused (${joined.refusal}): ${joined.message}`);
    const old = this.clients.get(joined.member);
    if (old?.open) throw new Error(`${joined.member} joined again while connected`);
    const client = new MemoryClient(this, joined.member);
    this.clients.set(joined.member, client);
    this.run(joined.effects);
    return client;
  }
}
