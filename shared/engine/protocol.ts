import type { StepContext } from './context';
import type { Action, Message, NodeId, NodeState, Payload, ProtocolName, Rejection, RoundConfig, World } from './types';

/** What the rules of a node may read: its own state, the clock and the round's settings. Nothing else. */
export interface Local {
  now: number;
  config: RoundConfig;
  node: NodeState;
}

export interface RoundStatus {
  /** The round reached its goal: a decree chosen and known (or a 2PC outcome decided and applied). */
  decided: boolean;
  /** What was decided, if anything. */
  outcome: string | null;
}

/**
 * A protocol is a table of handlers. The engine owns the network, the clock, crashes and partitions;
 * a protocol owns what its nodes remember, what their messages mean and which moves are legal.
 */
export interface Protocol {
  name: ProtocolName;
  title: string;
  roleOf(config: RoundConfig, id: NodeId): string;
  initDurable(config: RoundConfig, id: NodeId): object;
  initVolatile(config: RoundConfig, id: NodeId): object;
  /** A client hands a decree to a live node. */
  onPropose(ctx: StepContext, id: NodeId, decree: string): void;
  /** A message reaches a live node. Return true to keep it in the inbox until the node answers it. */
  onDeliver(ctx: StepContext, id: NodeId, message: Message): boolean;
  /** A crashed node comes back: its volatile state has just been reset. */
  onRecover(ctx: StepContext, id: NodeId): void;
  /** Every move the node may make now, each exactly as it would be submitted. */
  legalActions(local: Local): Action[];
  /**
   * Whether legalActions reads the clock (a timeout that opens a move). When it does not, a node's
   * legal moves follow from its state alone and are worked out once per state.
   */
  legalUsesClock: boolean;
  /**
   * Moves that would break one of the protocol's rules now, offered in sandbox mode to show what the
   * rules prevent. Like legalActions it reads only the node's own state, the clock and the settings;
   * the engine keeps the moves that `check` refuses with a rule (see `ruleBreakingMoves`).
   */
  ruleBreakingCandidates(local: Local): Action[];
  /** The rules sandbox mode lets a node break, in a few words each, by rejection code. */
  ruleTitles: Record<string, string>;
  /** Why the move is refused, or null when it is allowed. */
  check(local: Local, action: Action): Rejection | null;
  /** Carry the move out. Called only after check passed, or in sandbox mode after a rule was broken. */
  apply(ctx: StepContext, id: NodeId, action: Action): void;
  /** Validates an untrusted action shape; returns the action or a sentence saying what is wrong. */
  parseAction(raw: unknown): Action | string;
  status(world: World): RoundStatus;
  /** Whether a message in flight could still change what a node has counted (a vote, an acceptance, an outcome). */
  countsTowardOutcome(payload: Payload): boolean;
  /** The decree this node believes chosen, if any. */
  learned(node: NodeState): string | null;
  /** Protocol-specific invariants, checked after every step; returns broken ones as sentences keyed by code. */
  invariants(world: World): { code: string; message: string }[];
  /** A short label for a message in flight, such as "PREPARE 3.A". */
  label(payload: Payload): string;
  /** The action in words, for the event log: "voted YES". `node` is the actor as it was before the move. */
  describeAction(action: Action, node: NodeState): string;
}
