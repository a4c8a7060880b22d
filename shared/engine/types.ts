import type { RngState } from './rng';

/** Nodes are numbered 0..N-1 and shown to players as A, B, C ... */
export type NodeId = number;
/** The name of a protocol in the registry (`shared/protocols/index.ts`), such as "paxos". */
export type ProtocolName = string;

export { MIN_NODES, MAX_NODES } from './limits';

export interface Settings {
  /** Network latency of one hop, drawn uniformly from [latencyMin, latencyMax] ticks. */
  latencyMin: number;
  latencyMax: number;
  /** Illegal actions are accepted and recorded as violations, to show what the rules prevent. */
  sandbox: boolean;
  /** Majority vote: a node that sees a majority tells the others, who take it as final. */
  gossip: boolean;
  /** Ticks after which a waiting node may give up (2PC vote timeout, Paxos retry). */
  timeoutTicks: number;
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

export interface NodeState {
  id: NodeId;
  crashed: boolean;
  /** Survives a crash (a real node would keep it on disk). Protocol-specific shape. */
  durable: object;
  /** Lost on a crash. Protocol-specific shape. */
  volatile: object;
  /** Delivered messages still waiting for this node's answer; volatile. */
  inbox: InboxEntry[];
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

/** The moment a decree became chosen in the global view. */
export interface CommitPoint {
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

/** One ballot box of the god view: who cast a vote (or acceptance) for which value under one key. */
export interface BallotBox {
  key: string;
  value: string;
  voters: NodeId[];
}

/** Bookkeeping only the god view sees; it is derived from what happened, never read by the rules. */
export interface GlobalState {
  boxes: BallotBox[];
  chosen: CommitPoint[];
  violations: Violation[];
  /** No candidate can reach a majority any more (majority vote's split vote). */
  stuck: boolean;
  /** 2PC: every vote ever cast, by node. */
  votesCast: Record<string, 'yes' | 'no'>;
  /** 2PC: outcome each node has applied. */
  outcomes: Record<string, 'commit' | 'abort'>;
  /** 2PC: the tick each node applied its outcome (the coordinator: logged its decision). */
  outcomeAt: Record<string, number>;
  /** 2PC: the tick each participant voted YES with no outcome yet: it is in doubt from then until its outcome. */
  inDoubtSince: Record<string, number>;
  /** Every crash: the node, the tick it went down and the tick it came back (null while it is down). */
  downtime: Downtime[];
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
