/** What a two-phase-commit node remembers, its moves and messages, and the steps they share. */
import { nodeName } from '../../engine/names';
import type { Local, NodeOf, ProtocolContext } from '../../engine/protocol';
import { rejection } from '../../engine/rejections';
import type { NodeId, Rejection, RoundConfig } from '../../engine/types';

export const COORDINATOR: NodeId = 0;

export type Vote = 'yes' | 'no';
export type Outcome = 'commit' | 'abort';

export interface CoordinatorDurable {
  role: 'coordinator';
  /** The transaction begun, written before PREPARE goes out. */
  decree: string | null;
  /** The decision log: written before the decision is sent, read again on recovery. */
  decision: Outcome | null;
}

export interface ParticipantDurable {
  role: 'participant';
  decree: string | null;
  vote: Vote | null;
  outcome: Outcome | null;
}

export interface CoordinatorVolatile {
  role: 'coordinator';
  requests: string[];
  votes: Record<string, Vote>;
  /** When it sent PREPARE since it came up: null after a crash, when the votes it had are gone. */
  preparedAt: number | null;
  /** Its timeout fired before it decided: a vote it has not heard may never come, so ABORT is the safe choice. */
  timedOut: boolean;
}

export interface ParticipantVolatile {
  role: 'participant';
  /**
   * Its timeout fired (it runs from the round's start or its recovery, and again from each time it
   * asked its peers): it may give up if it has not voted, or ask its peers if it is in doubt.
   */
  timedOut: boolean;
}

export type TpcDurable = CoordinatorDurable | ParticipantDurable;
export type TpcVolatile = CoordinatorVolatile | ParticipantVolatile;

export type TpcAction =
  | { kind: 'prepare'; decree: string }
  | { kind: 'decide'; outcome: Outcome }
  | { kind: 'resend' }
  /** Answers the PREPARE `msg`; a changed vote (a sandbox move) answers none and has no `msg`. */
  | { kind: 'vote'; msg?: number; vote: Vote }
  | { kind: 'abort' }
  | { kind: 'askPeers' };

export type TpcPayload =
  | { kind: 'prepare'; decree: string }
  | { kind: 'vote'; vote: Vote }
  | { kind: 'decision'; outcome: Outcome }
  /** Cooperative termination: a participant in doubt asks its peers what happened. */
  | { kind: 'ask' }
  | { kind: 'answer'; outcome: Outcome | null };

/** What the god view keeps of a 2PC round, beside the commit point: votes, outcomes, and doubt. */
export interface TpcGlobal {
  /** Every participant's first vote: the locked one. */
  votesCast: Record<string, Vote>;
  /** The outcome each node has applied. */
  outcomes: Record<string, Outcome>;
  /** The tick each node applied its outcome (the coordinator: logged its decision). */
  outcomeAt: Record<string, number>;
  /** The tick each participant voted YES with no outcome yet: it is in doubt from then until its outcome. */
  inDoubtSince: Record<string, number>;
}

export type TpcLocal = Local<TpcDurable, TpcVolatile, TpcPayload>;
export type TpcContext = ProtocolContext<TpcDurable, TpcVolatile, TpcPayload, TpcGlobal>;
export type TpcNode = NodeOf<TpcDurable, TpcVolatile, TpcPayload>;

/** The one kind of timer in 2PC: how long a node waits (for PREPARE, for votes, for the outcome) before it may act on its own. */
export const TIMEOUT = 'timeout';

export function participants(config: RoundConfig): NodeId[] {
  const ids: NodeId[] = [];
  for (let id = 1; id < config.nodes; id++) ids.push(id);
  return ids;
}

export function allYes(config: RoundConfig, votes: Record<string, Vote>): boolean {
  return participants(config).every((p) => votes[p] === 'yes');
}

/** Starts a node's timeout again: the round's timeout from now. */
export function startTimeout(ctx: TpcContext, id: NodeId): void {
  ctx.setTimer(id, TIMEOUT, ctx.config.settings.timeoutTicks);
}

/** The coordinator's moves are refused to a participant. */
export function notCoordinator(local: TpcLocal): Rejection | null {
  return local.node.durable.role === 'coordinator' ? null : rejection('not-coordinator', 'Only the coordinator, node A, can start a transaction or decide its outcome.');
}

/** A participant's moves are refused to the coordinator. */
export function notParticipant(local: TpcLocal): Rejection | null {
  return local.node.durable.role === 'participant'
    ? null
    : rejection('not-participant', 'The coordinator does not vote: it collects the participants\' votes and decides.');
}

/** A participant applies an outcome it was told, or decided for itself; it is durable and final. */
export function applyOutcome(ctx: TpcContext, id: NodeId, outcome: Outcome, how: string): void {
  const d = ctx.durable(id);
  if (d.role !== 'participant' || d.outcome !== null) return;
  ctx.setDurable(id, { ...d, outcome });
  // With the outcome known there is nothing left to wait for.
  ctx.cancelTimer(id, TIMEOUT);
  const global = ctx.protocolGlobal();
  ctx.setProtocolGlobal({ ...global, outcomes: { ...global.outcomes, [id]: outcome }, outcomeAt: { ...global.outcomeAt, [id]: ctx.now } });
  // A PREPARE still waiting has its answer: the outcome is known.
  const inbox = ctx.node(id).inbox;
  if (inbox.some((m) => m.payload.kind === 'prepare')) ctx.setInbox(id, inbox.filter((m) => m.payload.kind !== 'prepare'));
  const word = outcome === 'commit' ? 'committed' : 'aborted';
  ctx.emit({ type: 'learned', visibleTo: [id], node: id, outcome, text: `${nodeName(id)} ${word} (${how}).` });
}

export function castVote(ctx: TpcContext, id: NodeId, vote: Vote, decree: string | null): void {
  const d = ctx.durable(id);
  if (d.role !== 'participant') return;
  ctx.setDurable(id, { ...d, vote, decree: decree ?? d.decree });
  // Once voted, any PREPARE still waiting has been answered.
  const inbox = ctx.node(id).inbox;
  if (inbox.some((m) => m.payload.kind === 'prepare')) ctx.setInbox(id, inbox.filter((m) => m.payload.kind !== 'prepare'));
  // The god view keeps the first vote: the locked one. Changing it (a sandbox move) is a violation on record.
  const global = ctx.protocolGlobal();
  const first = global.votesCast[id] === undefined;
  const doubt = vote === 'yes' && d.outcome === null && global.inDoubtSince[id] === undefined;
  if (first || doubt) {
    ctx.setProtocolGlobal({
      ...global,
      votesCast: first ? { ...global.votesCast, [id]: vote } : global.votesCast,
      inDoubtSince: doubt ? { ...global.inDoubtSince, [id]: ctx.now } : global.inDoubtSince,
    });
  }
  ctx.send(id, COORDINATOR, { kind: 'vote', vote });
  if (vote === 'no') applyOutcome(ctx, id, 'abort', 'it voted NO, so the transaction cannot commit');
}

/** Sends a decision to every participant. */
export function sendDecision(ctx: TpcContext, id: NodeId, outcome: Outcome): void {
  for (const p of participants(ctx.config)) ctx.send(id, p, { kind: 'decision', outcome });
}
