/**
 * What a protocol is: one table, written once in `shared/protocols/<name>/`, that the engine, the
 * bots, the swarm, the server and the client all ask. The engine owns the network, the clock,
 * crashes and partitions; a protocol owns what its nodes remember, what their messages mean, which
 * moves are legal, how its bots play, and the words and pictures that show it.
 *
 * Every handler is written with method syntax: a protocol typed by its own state
 * (`Protocol<PaxosDurable, …>`) is then also a `Protocol`, which the engine runs without knowing
 * those types. The engine may hand a protocol's handlers the world's untyped node states because a
 * world made for a protocol holds that protocol's states: only its `initDurable` and `initVolatile`
 * made them.
 */
import { CLUSTER_MIN_NODES, MAX_NODES, MIN_NODES } from './limits';
import { rejection } from './rejections';
import type { Rng } from './rng';
import type {
  Action,
  CommitPoint,
  EngineEvent,
  GlobalState,
  InboxEntry,
  LearnedLog,
  Message,
  NodeId,
  Payload,
  Rejection,
  RoundConfig,
  Settings,
  Slot,
  Timer,
  World,
} from './types';
import { check, tagged, type Schema } from '../wire/schema';

/** A node as its protocol sees it: its own state, typed. */
export interface NodeOf<D, V, P extends Payload = Payload> {
  id: NodeId;
  crashed: boolean;
  durable: D;
  volatile: V;
  inbox: InboxEntry<P>[];
  /** Its running timers, the soonest first. */
  timers: Timer[];
}

/** A world as its protocol sees it: every node holds that protocol's state, and the god view's books its own block. */
export type WorldOf<D, V, P extends Payload = Payload, G = unknown> = Omit<World, 'nodes' | 'global'> & {
  nodes: NodeOf<D, V, P>[];
  global: GlobalState<G>;
};

/** What the rules of a node may read: its own state, the clock and the round's settings. Nothing else. */
export interface Local<D = object, V = object, P extends Payload = Payload> {
  now: number;
  config: RoundConfig;
  node: NodeOf<D, V, P>;
}

/** A vote (or an acceptance) for the god view's ballot boxes: `castVote`'s argument. */
export interface CastVote {
  /** The slot the vote is for; 0 in a single-decree protocol. */
  slot: Slot;
  /** The ballot box within the slot: a majority must form under one key (Paxos: one ballot). */
  key: string;
  value: string;
  voter: NodeId;
  verb: 'voted' | 'accepted';
  /** Whether the voter's own tally showed the majority, given the voters so far. */
  voterKnew(voters: readonly NodeId[]): boolean;
}

/**
 * What a handler may do during one step (the engine's `StepContext`): change its nodes' state, set
 * and cancel their timers, send messages, tell of events, and keep the god view's books.
 */
export interface ProtocolContext<D = object, V = object, P extends Payload = Payload, G = unknown> {
  readonly world: WorldOf<D, V, P, G>;
  readonly now: number;
  readonly config: RoundConfig;
  node(id: NodeId): NodeOf<D, V, P>;
  durable(id: NodeId): D;
  volatile(id: NodeId): V;
  setDurable(id: NodeId, durable: D): void;
  setVolatile(id: NodeId, volatile: V): void;
  setInbox(id: NodeId, inbox: InboxEntry<P>[]): void;
  removeFromInbox(id: NodeId, messageId: number): void;
  /**
   * Starts (or starts again) the node's timer of this kind, a key of the protocol's timer table: the
   * node receives its timeout `ticks` ticks from now (at least 1), unless it is cancelled, set again,
   * or the node crashes first. A crashed node keeps no timers: setting one on it does nothing.
   */
  setTimer(id: NodeId, name: string, ticks: number): void;
  /** Stops the node's timer of this kind, if it runs. */
  cancelTimer(id: NodeId, name: string): void;
  /** The node's running timer of this kind, if any. */
  timer(id: NodeId, name: string): Timer | undefined;
  /** A whole number from min to max, drawn from the world's seeded random source (a randomized timeout, say). */
  random(min: number, max: number): number;
  send(from: NodeId, to: NodeId, payload: P): Message<P>;
  /** Sends the payload to every other node (and to itself when `self` is set). */
  broadcast(from: NodeId, payload: P, self?: boolean): void;
  emit(event: EngineEvent): void;
  /** Records a vote (or acceptance) in the god view's ballot boxes; the one that makes a majority in its slot is that slot's commit point. */
  castVote(vote: CastVote): void;
  /** The god view's record that a decree is chosen in a slot from this step on. */
  recordChosen(point: CommitPoint, text: string): void;
  /** The god view's record of whether the round is stuck: no decree can be chosen any more. */
  setStuck(stuck: boolean): void;
  /** The protocol's own block of the god view's books. */
  protocolGlobal(): G;
  setProtocolGlobal(global: G): void;
}

export interface RoundStatus {
  /** The round reached its goal: a decree chosen and known (or a 2PC outcome decided and applied). */
  decided: boolean;
  /** What was decided, if anything. */
  outcome: string | null;
}

/**
 * One kind of move: everything about it in one place. Moves that answer an inbox message carry its
 * id as `msg`; the others stand alone.
 */
export interface ActionRule<D, V, A extends Action, P extends Payload, G = unknown> {
  /** The move's shape: a client's move is untrusted until it passes. */
  schema: Schema<A>;
  /** The moves of this kind that answer this inbox message now (legal ones only). */
  answers?(local: Local<D, V, P>, entry: InboxEntry<P>): A[];
  /** The moves of this kind that stand alone, legal now. */
  moves?(local: Local<D, V, P>): A[];
  /**
   * Moves of this kind that answer this inbox message while breaking a rule, offered in sandbox
   * mode to show what the rules prevent; `check` must refuse each with a rule (`ruleBroken`).
   */
  ruleBreakingAnswers?(local: Local<D, V, P>, entry: InboxEntry<P>): A[];
  /** The same for moves that stand alone. */
  ruleBreakingMoves?(local: Local<D, V, P>): A[];
  /**
   * Why the move is refused now, or null when it is allowed: `rejection` for what cannot be done,
   * `ruleBroken` for what a rule forbids (sandbox mode applies those, as a violation).
   */
  check(local: Local<D, V, P>, action: A): Rejection | null;
  /** Carries the move out: called after `check` allowed it, or in sandbox mode after a rule was broken. */
  apply(ctx: ProtocolContext<D, V, P, G>, id: NodeId, action: A): void;
  /** The move in words, for the event log: "voted YES". `node` is the actor as it was before the move. */
  describe(action: A, node: NodeOf<D, V, P>): string;
  /** The move on its button: "Vote YES". */
  label(action: A): string;
}

/** One entry per kind of move, checked by the compiler: a kind without an entry does not build. */
export type ActionTable<D, V, A extends Action, P extends Payload, G = unknown> = {
  [K in A['kind']]: ActionRule<D, V, Extract<A, { kind: K }>, P, G>;
};

/** One kind of message, as the engine needs it. */
export interface MessageRule<P extends Payload> {
  /** A short label for the message in flight, such as "PREPARE 3.A". */
  label(payload: P): string;
  /** Whether a message of this kind in flight could still change what a node has counted (a vote, an acceptance, an outcome). */
  countsTowardOutcome: boolean;
}

export type MessageTable<P extends Payload> = {
  [K in P['kind']]: MessageRule<Extract<P, { kind: K }>>;
};

/** A client's request that opens a round: a decree handed to a node. */
export interface OpeningRequest {
  node: NodeId;
  decree: string;
}

/** A bot's temper: how quickly and how boldly it plays (shared/bots has the four tempers). */
export interface Temper {
  /** Chance per tick of acting at all: the think delay. */
  think: number;
  /** Chance per tick of (re)starting a proposal, or giving up, once allowed: the randomized backoff. */
  retry: number;
  /** Chance of voting NO when asked to vote YES or NO. */
  no: number;
}

/** What a bot reads of its node's view (`NodeView`), with the node's own state typed. */
export interface BotView<D, V, A extends Action, P extends Payload> {
  node: NodeId;
  now: number;
  nodes: number;
  settings: Settings;
  self: { id: NodeId; role: string; crashed: boolean; durable: D; volatile: V; timers: readonly Timer[]; learned: LearnedLog };
  inbox: (InboxEntry<P> & { label: string })[];
  /** The legal moves, worked out by the engine: a bot chooses among them, as a person's buttons do. */
  legal: A[];
}

/** What a person may be shown of one node: its state, its role, its timers, what it learned in each slot. */
export interface NodeFacts<D = object, V = object> {
  role: string;
  crashed: boolean;
  durable: D;
  volatile: V;
  timers: readonly Timer[];
  learned: LearnedLog;
}

/** Colours of the Okabe-Ito palette, told apart by the common forms of colour blindness; the client knows their values. */
export type PaletteColour = 'orange' | 'skyBlue' | 'green' | 'yellow' | 'blue' | 'vermillion' | 'purple' | 'grey';
export type Shape = 'circle' | 'square' | 'diamond' | 'triangle' | 'hexagon';

/**
 * How one kind of message looks on the canvas and in its legend. Kinds that open a phase are
 * circles, answers are squares, outcomes are diamonds, so kinds stay apart without colour too.
 */
export interface MessageLook {
  colour: PaletteColour;
  shape: Shape;
  /** The legend's word for the kind, drawn next to the dot when the full label does not fit. */
  short: string;
}

/**
 * One group's finished round, as a class's reveal compares it with the other groups' rounds: the
 * god view's bookkeeping and every node as the round left it, which nodes students played, and the
 * moves the round accepted.
 */
export interface GroupFacts<D = object, V = object, G = unknown> {
  /** The group's number in its class: "group 5". */
  group: number;
  config: RoundConfig;
  global: GlobalState<G>;
  /** The round's last tick. */
  end: number;
  /** What the round decided (the protocol's `outcome`), or null. */
  outcome: string | null;
  /** The engine proved that nothing can be decided any more. */
  stuck: boolean;
  /** The round's commit points, in the order they happened. */
  commitPoints: readonly CommitPoint[];
  /** Every node as the round left it. */
  nodes: readonly (NodeFacts<D, V> & { id: NodeId; name: string })[];
  /** The nodes a student played at some time in the round; bots played the rest. */
  students: readonly NodeId[];
  /** Every move the round accepted, in order: `step` is its index in the log. */
  moves: readonly { step: number; tick: number; node: NodeId; action: Action }[];
}

/** The reveal's words: what a finished round decided, where it was decided, and who knew. */
export interface RevealWords<D, V, G = unknown> {
  /** The headline: "Decided: X." */
  outcome(outcome: string | null, stuck: boolean): string;
  /** The verb of a commit point: "chosen", or "committed". */
  decidedVerb: string;
  /** How the deciding event is told: "node D's vote was cast". */
  decidingEvent(who: string): string;
  /** Who made the decision possible: " The majority: B, C and D." (with its leading space), or "". */
  voters(point: CommitPoint, nodes: number | undefined): string;
  /** Why there is no commit point to show. */
  noCommitPoint(outcome: string | null): string;
  /** More of the round's story, such as who was left in doubt and for how long. */
  details(config: RoundConfig, global: GlobalState<G>, end: number): string[];
  /** When the round's fate was sealed, known or not; null while nothing is. */
  decisionTick(global: GlobalState<G>): number | null;
  /** Which nodes came to know the outcome: "Nodes that learned the outcome: A and B." */
  learnedLine(nodes: readonly (NodeFacts<D, V> & { id: NodeId; name: string })[], global: GlobalState<G>): string;
  /** The scoreboard's words for an outcome not yet known to every node. */
  pendingOutcome(outcome: string): string;
  /**
   * What one group's round came to, for the groups compared, after "Group 2" or "Groups 1 and 3":
   * "decided X", "split for good: …". Groups whose words are the same are named together.
   */
  groupOutcome(facts: GroupFacts<D, V, G>): string;
  /** What else sets one group's round apart, in whole sentences: "In group 5, the coordinator's crash left four students blocked in doubt for 40 ticks." */
  groupDetails(facts: GroupFacts<D, V, G>): string[];
}

/** One slot of a node's log, as its strip draws it. */
export interface LogCell {
  slot: Slot;
  /**
   * empty: nothing there yet; accepted: a value accepted (or appended) that the node does not know
   * to be chosen; chosen: known chosen (committed), not yet applied; applied: chosen and applied, in order.
   */
  state: 'empty' | 'accepted' | 'chosen' | 'applied';
  /** The value in the slot, if any. */
  value: string | null;
  /** A short mark beside the value: the ballot it was accepted under ("4.B"), or a term ("t4"). */
  mark?: string;
  /** A number that colours the cell (a ballot's number, a term): cells with the same tone share a colour. */
  tone?: number;
}

/** How a protocol that keeps a log shows it: each node's log as a strip of slots, and the leader it believes in. */
export interface LogPresentation<D, V> {
  /** The node's log, slot 0 first, up to its last slot that holds anything (holes included, as `empty`). */
  cells(facts: NodeFacts<D, V>): LogCell[];
  /** The leader this node believes in, or null when it knows none. */
  leader(facts: NodeFacts<D, V>): NodeId | null;
}

/** Everything a person is shown of a protocol, as pure functions of what they may see. */
export interface Presentation<D, V, P extends Payload, G = unknown> {
  /** A node's state in a few short lines, durable first (it survives a crash), then volatile. */
  stateLines(facts: NodeFacts<D, V>, nodes: number): string[];
  /** Two or three short lines for the canvas, under a node; the panels carry the full state. */
  summaryLines(facts: NodeFacts<D, V>): string[];
  /** Whether nodes differ in role, so that each node's role is worth a line on the canvas. */
  showRoles: boolean;
  /** One line that tells a new player what their node is for. */
  roleHint(role: string, settings: Settings): string;
  /** What the round's timeout is for in this protocol, for the setup form ("a Paxos proposer before it tries again"); none when it has no use for it. */
  timeoutUse?: string;
  /** How each kind of message looks. */
  messages: { [K in P['kind']]: MessageLook };
  /**
   * How a slot is named, for a protocol that decides a log of them ("slot 3"): the commit points,
   * the reveal and the invariants then say which slot they speak of. None for a single decree.
   */
  slotName?(slot: Slot): string;
  /** For a protocol that keeps a log: the strips the canvas, the panels and the god view draw. */
  log?: LogPresentation<D, V>;
  reveal: RevealWords<D, V, G>;
}

/**
 * One kind of timer: its words, and what the node does when it fires. The node receives the timeout
 * as it receives a message (etcd's tick and MsgHup): `onTimeout` may act at once, or change the
 * node's state so that a move opens for its player or its bot.
 */
export interface TimerRule<D, V, P extends Payload, G = unknown> {
  /** Its name for a player: "retry timer", as in "Your retry timer fires in 4 ticks". */
  title: string;
  /**
   * What its firing means for the node, said to the node's player from the node's state: "you may give up
   * and abort" where the timeout opens a move, "it is time to start a higher ballot" where it only says when.
   */
  then(node: { durable: D; volatile: V }): string;
  /** The event log's words once it fired, from the node's state before: "it may now give up and abort". */
  fired(node: { durable: D; volatile: V }): string;
  /** The timeout reaches the (live) node. */
  onTimeout(ctx: ProtocolContext<D, V, P, G>, id: NodeId): void;
}

/** One entry per kind of timer, by the name that `setTimer` uses. */
export type TimerTable<D, V, P extends Payload, G = unknown> = Record<string, TimerRule<D, V, P, G>>;

/** The fewest and the most nodes a round of a protocol may have. */
export interface NodeRange {
  min: number;
  max: number;
}

/** What a protocol's author writes: its state, its moves, its messages, its bots and its words. */
export interface ProtocolSpec<D, V, A extends Action, P extends Payload, G = unknown> {
  /** The registry's key, and the folder's name under `shared/protocols/`. */
  name: string;
  title: string;
  /** How its moves are called in a refusal: "That is not a Paxos move". */
  moveNoun: string;
  /** How many nodes a round of it may have; by default CLUSTER_MIN_NODES to MAX_NODES. */
  nodeRange?: NodeRange;
  /**
   * Played only where a lesson sets it up (one machine alone, two generals): menus and the class
   * setup form do not offer it, and a solo round of it starts only from its lesson.
   */
  lessonOnly?: boolean;
  roleOf(config: RoundConfig, id: NodeId): string;
  initDurable(config: RoundConfig, id: NodeId): D;
  initVolatile(config: RoundConfig, id: NodeId): V;
  /** The protocol's own block of the god view's books at the start of a round; without one it is null. */
  initGlobal?(config: RoundConfig): G;

  /**
   * The round begins (the world at tick 0 is being made): a node sets the timers it starts with.
   * Nothing it does is told as an event: its timers show in its view.
   */
  onStart?(ctx: ProtocolContext<D, V, P, G>, id: NodeId): void;
  /** A client hands a decree to a live node. */
  onPropose(ctx: ProtocolContext<D, V, P, G>, id: NodeId, decree: string): void;
  /** A message reaches a live node. Return true to keep it in the inbox until the node answers it. */
  onDeliver(ctx: ProtocolContext<D, V, P, G>, id: NodeId, message: Message<P>): boolean;
  /** A crashed node comes back: its volatile state has just been reset and it runs no timers. */
  onRecover(ctx: ProtocolContext<D, V, P, G>, id: NodeId): void;
  /**
   * Its kinds of timers, one entry each (none when it has no use for a timer). At a `tick`, once the
   * messages due have arrived, the timers due fire: node by node in id order, each node's in the
   * order they fall due, ties in this table's order.
   */
  timers?: TimerTable<D, V, P, G>;

  /**
   * The moves, one entry per kind. The legal moves are listed in this order: first the answers to
   * each inbox message (oldest message first), then the moves that stand alone. Which moves are legal
   * follows from the node's own state, inbox and timers, never from the clock (they are worked out
   * once per state): a timeout opens a move through a timer, whose firing changes the node's state.
   */
  actions: ActionTable<D, V, A, P, G>;
  /** The rules sandbox mode lets a node break, in a few words each, by rejection code. */
  ruleTitles: Record<string, string>;
  messages: MessageTable<P>;

  /** What the round has decided, as the god view sees it: the chosen decree, or an outcome. */
  outcome(world: WorldOf<D, V, P, G>): string | null;
  /** Whether this seat must come to know the outcome before the round counts as decided. */
  mustKnowOutcome(config: RoundConfig, id: NodeId): boolean;
  /** Whether this node knows the outcome (and, where it applies one, has applied it). */
  knowsOutcome(node: NodeOf<D, V, P>, outcome: string): boolean;
  /** What this node believes chosen, slot by slot (a single decree: slot 0). */
  learned(node: NodeOf<D, V, P>): LearnedLog;
  /**
   * A value the protocol may choose with no client asking for it (a log's no-op, which fills a hole):
   * the validity invariant accepts it. None when every chosen value must come from a client.
   */
  noOp?: string;
  /** Protocol-specific invariants, checked after every step; returns broken ones as sentences keyed by code. */
  invariants(world: WorldOf<D, V, P, G>): { code: string; message: string }[];
  /** Whether rounds must decide once faults stop; a protocol that can split for good (majority vote) does not promise it. */
  decidesOnceHealed: boolean;

  /** The clients' requests that open a round. */
  clients: {
    /** A round takes one request only (2PC runs one transaction); otherwise every decree in play may be asked for. */
    oneRequest: boolean;
    /** The node each of these decrees is handed to; `rng` is the round's bot random source. */
    openingRequests(decrees: readonly string[], config: RoundConfig, rng: Rng): OpeningRequest[];
  };

  bots: {
    /** A bot's move now, chosen from `view.legal`, or nothing (it waits). */
    policy(view: BotView<D, V, A, P>, rng: Rng, temper: Temper): A | undefined;
    /** The share of the swarm's bots that are eager proposers (those with a randomized backoff); 0 when none are. */
    eagerShare: number;
  };

  present: Presentation<D, V, P, G>;
}

/** A protocol as the engine runs it: the author's table, plus the lookups made from it. */
export interface Protocol<D = object, V = object, A extends Action = Action, P extends Payload = Payload, G = unknown> extends ProtocolSpec<D, V, A, P, G> {
  nodeRange: NodeRange;
  lessonOnly: boolean;
  /** Every move the node may make now, each exactly as it would be submitted. */
  legalActions(local: Local<D, V, P>): A[];
  /** Moves that would break a rule now (the engine keeps those `check` refuses with a rule). */
  ruleBreakingCandidates(local: Local<D, V, P>): A[];
  /** Why the move is refused, or null when it is allowed; an action of the wrong shape is refused as `bad-action`. */
  check(local: Local<D, V, P>, action: Action): Rejection | null;
  /** Carry the move out. Called only after check passed, or in sandbox mode after a rule was broken. */
  apply(ctx: ProtocolContext<D, V, P, G>, id: NodeId, action: Action): void;
  /** Validates an untrusted action shape; returns the action or a sentence saying what is wrong. */
  parseAction(raw: unknown): A | string;
  /** The action in words, for the event log. */
  describeAction(action: Action, node: NodeOf<D, V, P>): string;
  /** The text on the button for a legal or rule-breaking move. */
  actionLabel(action: Action): string;
  /** A short label for a message in flight. */
  label(payload: Payload): string;
  countsTowardOutcome(payload: Payload): boolean;
  status(world: World): RoundStatus;
  /** The timer of this kind, or undefined when the protocol has none by that name. */
  timerRule(name: string): TimerRule<D, V, P, G> | undefined;
  /** Where this kind of timer stands in the timer table (ties fire in this order); -1 when there is none. */
  timerOrder(name: string): number;
  /** The node's protocol global block at the start of a round. */
  startGlobal(config: RoundConfig): G | null;
}

/** One kind of move as the engine looks it up: every entry of one shape, so each lookup stays cheap. */
interface MoveEntry<D, V, A extends Action, P extends Payload, G> {
  check: ActionRule<D, V, A, P, G>['check'];
  apply: ActionRule<D, V, A, P, G>['apply'];
  describe: ActionRule<D, V, A, P, G>['describe'];
  label: ActionRule<D, V, A, P, G>['label'];
}

/** Builds the engine's protocol from its author's table. */
export function defineProtocol<D, V, A extends Action, P extends Payload, G = unknown>(spec: ProtocolSpec<D, V, A, P, G>): Protocol<D, V, A, P, G> {
  type Rule = ActionRule<D, V, A, P, G>;
  // The table is keyed by kind, each entry typed for its own kind; looked up by an action's kind, it fits.
  const rules = Object.entries(spec.actions as unknown as Record<string, Rule>);
  const moves = new Map<string, MoveEntry<D, V, A, P, G>>(
    rules.map(([kind, r]) => [kind, { check: r.check.bind(r), apply: r.apply.bind(r), describe: r.describe.bind(r), label: r.label.bind(r) }]),
  );
  const answering = rules.flatMap(([, r]) => (r.answers ? [r.answers.bind(r)] : []));
  const standing = rules.flatMap(([, r]) => (r.moves ? [r.moves.bind(r)] : []));
  const breakingAnswers = rules.flatMap(([, r]) => (r.ruleBreakingAnswers ? [r.ruleBreakingAnswers.bind(r)] : []));
  const breakingMoves = rules.flatMap(([, r]) => (r.ruleBreakingMoves ? [r.ruleBreakingMoves.bind(r)] : []));
  const schema = tagged<A>('kind', Object.fromEntries(rules.map(([kind, r]) => [kind, r.schema])));
  const messages = new Map(
    Object.entries(spec.messages as unknown as Record<string, MessageRule<P>>).map(([kind, m]) => [kind, { label: m.label.bind(m), counts: m.countsTowardOutcome }]),
  );
  const timers = new Map(Object.entries(spec.timers ?? {}));
  const timerOrder = new Map([...timers.keys()].map((name, i) => [name, i]));
  type Answers = (local: Local<D, V, P>, entry: InboxEntry<P>) => A[];
  type Moves = (local: Local<D, V, P>) => A[];
  /** The answers to each inbox message (oldest first), then the moves that stand alone, in the table's order. */
  const list = (local: Local<D, V, P>, answer: readonly Answers[], stand: readonly Moves[]): A[] => {
    const out: A[] = [];
    for (const entry of local.node.inbox) for (const answers of answer) for (const a of answers(local, entry)) out.push(a);
    for (const more of stand) for (const a of more(local)) out.push(a);
    return out;
  };
  const nodeRange = spec.nodeRange ?? { min: CLUSTER_MIN_NODES, max: MAX_NODES };
  if (!Number.isInteger(nodeRange.min) || !Number.isInteger(nodeRange.max) || nodeRange.min < MIN_NODES || nodeRange.max > MAX_NODES || nodeRange.min > nodeRange.max) {
    throw new Error(`protocol ${spec.name}: its nodes must lie within ${MIN_NODES} to ${MAX_NODES}`);
  }
  return {
    ...spec,
    nodeRange,
    lessonOnly: spec.lessonOnly ?? false,
    legalActions: (local) => list(local, answering, standing),
    ruleBreakingCandidates: (local) => list(local, breakingAnswers, breakingMoves),
    check(local, raw) {
      // Most moves are well formed: those are told so without a copy; the others get `parse`'s sentence.
      if (schema.accepts?.(raw)) return moves.get((raw as A).kind)!.check(local, raw as A);
      const parsed = check(schema, raw);
      if (!parsed.ok) return rejection('bad-action', `That is not ${spec.moveNoun} move: ${parsed.error}.`);
      return moves.get(parsed.value.kind)!.check(local, parsed.value);
    },
    // Only a move that passed `check` (its schema first) gets here, so it has its kind's shape.
    apply: (ctx, id, action) => moves.get(action.kind)!.apply(ctx, id, action as A),
    parseAction(raw) {
      const parsed = check(schema, raw);
      return parsed.ok ? parsed.value : parsed.error;
    },
    describeAction: (action, node) => moves.get(action.kind)?.describe(action as A, node) ?? action.kind,
    actionLabel: (action) => moves.get(action.kind)?.label(action as A) ?? action.kind,
    label: (payload) => messages.get(payload.kind)?.label(payload as P) ?? payload.kind.toUpperCase(),
    countsTowardOutcome: (payload) => messages.get(payload.kind)?.counts ?? false,
    status(anyWorld) {
      // The world's nodes hold this protocol's states: its own initDurable and initVolatile made them.
      const world = anyWorld as unknown as WorldOf<D, V, P, G>;
      const outcome = spec.outcome(world);
      if (outcome === null) return { decided: false, outcome };
      const decided = world.nodes.every((n) => n.crashed || !spec.mustKnowOutcome(world.config, n.id) || spec.knowsOutcome(n, outcome));
      return { decided, outcome };
    },
    timerRule: (name) => timers.get(name),
    timerOrder: (name) => timerOrder.get(name) ?? -1,
    startGlobal: (config) => (spec.initGlobal ? spec.initGlobal(config) : null),
  };
}
