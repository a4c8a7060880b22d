import type { RngState } from './rng';

/** Nodes are numbered 0..N-1 and shown to players as A, B, C ... */
export type NodeId = number;
/** The name of a protocol in the registry (`shared/protocols/index.ts`), such as "paxos". */
export type ProtocolName = string;

export { MIN_NODES, MAX_NODES } from './limits';

/** Multi-Paxos's election policies (`Settings.election`). */
export const ELECTION_POLICIES = ['naive', 'ranked'] as const;
export type ElectionPolicy = (typeof ELECTION_POLICIES)[number];

export interface Settings {
  /** Network latency of one hop, drawn uniformly from [latencyMin, latencyMax] ticks. */
  latencyMin: number;
  latencyMax: number;
  /** Illegal actions are accepted and recorded as violations, to show what the rules prevent. */
  sandbox: boolean;
  /** Majority vote: a node that sees a majority tells the others, who take it as final. */
  gossip: boolean;
  /** The round's timeout, in ticks: a 2PC node's timer runs this long; a Paxos retry timer one, two or six of them. */
  timeoutTicks: number;
  /**
   * No timeouts (an asynchronous network, as in the FLP result): no node's timer is ever set or fires,
   * so nothing tells a node to give up or try again, and a node can only wait. Absent means off.
   */
  noTimeouts?: boolean;
  /**
   * Multi-Paxos: how a node that suspects the leader runs for leader. `naive`: at once, for itself;
   * `ranked`: in the order of the nodes' names, after those before it had their turn. Absent means ranked.
   */
  election?: ElectionPolicy;
  /**
   * Raft: the range its randomized election timeouts are drawn from, in ticks. Absent means one to
   * two round timeouts (`timeoutTicks` to twice it).
   */
  electionTimeout?: { min: number; max: number };
  /** The decrees in play, offered to clients and bots. */
  decrees: string[];
}

export interface RoundConfig {
  protocol: ProtocolName;
  nodes: number;
  seed: number;
  settings: Settings;
}

/** A message payload: a kind plus protocol-specific fields, all plain JSON. */
export interface Payload {
  kind: string;
  [field: string]: unknown;
}

export interface Message<P extends Payload = Payload> {
  id: number;
  from: NodeId;
  to: NodeId;
  payload: P;
  sentAt: number;
  deliverAt: number;
}

/** A delivered message that waits for its recipient's answer. */
export interface InboxEntry<P extends Payload = Payload> extends Message<P> {
  deliveredAt: number;
}

/**
 * A node's running timer. The protocol sets and cancels it (its kinds are the protocol's timer
 * table); the clock fires it: the `tick` that brings the world to `firesAt` hands the node a timeout.
 */
export interface Timer {
  /** Its kind: a key of the protocol's timer table. */
  name: string;
  /** The tick it was set, or last set again. */
  setAt: number;
  /** The tick at which it fires. */
  firesAt: number;
}

export interface NodeState {
  id: NodeId;
  crashed: boolean;
  /** Survives a crash (a real node would keep it on disk). Protocol-specific shape. */
  durable: object;
  /** Lost on a crash. Protocol-specific shape. */
  volatile: object;
  /** Delivered messages still waiting for this node's answer; volatile. */
  inbox: InboxEntry[];
  /** Its running timers, the soonest first (ties in the order of the protocol's timer table); volatile: a crash stops them all. */
  timers: Timer[];
}

/** A node's move. `kind` names it; the protocol defines the rest. */
export interface Action {
  kind: string;
  [field: string]: unknown;
}

export type Command =
  | { type: 'act'; node: NodeId; action: Action }
  | { type: 'tick' }
  | { type: 'deliver'; id: number }
  | { type: 'drop'; id: number }
  | { type: 'delay'; id: number; ticks: number }
  | { type: 'duplicate'; id: number }
  | { type: 'crash'; node: NodeId }
  | { type: 'recover'; node: NodeId }
  | { type: 'partition'; groups: NodeId[][] }
  | { type: 'heal' }
  | { type: 'propose'; node: NodeId; decree: string };

export type CommandType = Command['type'];

/**
 * A position in a replicated log: each slot gets its own value, chosen once. A single-decree protocol
 * decides slot 0 only.
 */
export type Slot = number;

/** What a node has learned, slot by slot: `learned[s]` is the value it knows is chosen in slot s, or null. */
export type LearnedLog = readonly (string | null)[];

/** The moment a decree became chosen in one slot, in the global view. */
export interface CommitPoint {
  slot: Slot;
  decree: string;
  /** Index of the command (0-based) whose effect made the majority. */
  step: number;
  tick: number;
  /** The node whose vote or acceptance crossed the majority threshold. */
  node: NodeId;
  /** Whether that node's own knowledge at that moment already showed the majority. */
  nodeKnew: boolean;
  /** The votes that formed the majority, in the order they were cast. */
  voters: NodeId[];
}

/** A rule broken, either by an action in sandbox mode or (a bug) by the engine itself. */
export interface Violation {
  step: number;
  tick: number;
  code: string;
  message: string;
  node?: NodeId;
}

/** One ballot box of the god view: who cast a vote (or acceptance) for which value under one key, in one slot. */
export interface BallotBox {
  slot: Slot;
  key: string;
  value: string;
  voters: NodeId[];
}

/**
 * Bookkeeping only the god view sees; it is derived from what happened, never read by the rules. The
 * engine keeps what every protocol has (ballot boxes and commit points, each in its slot; rules
 * broken; a split; crashes); `protocol` is the protocol's own block, of its own type (2PC: the votes
 * cast, each node's outcome and when, who was in doubt since when), or null when it keeps none.
 */
export interface GlobalState<G = unknown> {
  boxes: BallotBox[];
  /** Every commit point in the order they happened; one per slot, unless a rule was broken. */
  chosen: CommitPoint[];
  violations: Violation[];
  /** No candidate can reach a majority any more (majority vote's split vote). */
  stuck: boolean;
  /** Every crash: the node, the tick it went down and the tick it came back (null while it is down). */
  downtime: Downtime[];
  protocol: G;
}

export interface Downtime {
  node: NodeId;
  from: number;
  to: number | null;
}

export interface World {
  config: RoundConfig;
  tick: number;
  /** How many commands have been applied. */
  step: number;
  rng: RngState;
  nextMessageId: number;
  /**
   * No timer fires before this tick; null when none runs. It is the soonest running timer's tick or
   * earlier (a timer cancelled, or stopped by a crash, leaves it early): a tick before it looks at no
   * node's timers.
   */
  nextTimerAt: number | null;
  nodes: NodeState[];
  inFlight: Message[];
  /** Group number per node, or null when the network is whole. */
  partition: number[] | null;
  /** Every decree a client has proposed, in order. */
  proposed: string[];
  global: GlobalState;
}

export type Visibility = 'all' | 'god' | NodeId[];

/** Something that happened in a step, with who may know of it. */
export interface EngineEvent {
  type: string;
  visibleTo: Visibility;
  text: string;
  node?: NodeId;
  message?: Message;
  [field: string]: unknown;
}

export interface Rejection {
  code: string;
  /** One or two sentences for a student: what was refused and why the rule exists. */
  message: string;
  /** A rule of the protocol (sandbox mode may override it), as opposed to a malformed or impossible command. */
  rule: boolean;
}

export type StepResult =
  | { ok: true; world: World; events: EngineEvent[] }
  | { ok: false; rejection: Rejection };
