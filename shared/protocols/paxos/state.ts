/** What a Paxos node remembers, the moves it makes, the messages it sends, and the steps they share. */
import { majorityOf, nodeName, tallyWords } from '../../engine/names';
import type { Local, NodeOf, ProtocolContext } from '../../engine/protocol';
import type { NodeId, RoundConfig } from '../../engine/types';
import { withItem } from '../common';

/** Ballots are (number, node) pairs: two proposers can never use the same ballot. */
export interface Ballot {
  n: number;
  node: NodeId;
}

export interface Acceptance {
  ballot: Ballot;
  value: string;
}

export interface PaxosDurable {
  promised: Ballot | null;
  accepted: Acceptance | null;
  /** Highest ballot number this node has used as a proposer; a new one must be higher. */
  maxUsed: number;

  learned: string | null;
}

export interface Proposal {
  ballot: Ballot;
  phase: 'preparing' | 'accepting';
  startedAt: number;
  promises: { from: NodeId; accepted: Acceptance | null }[];
  refusals: NodeId[];
  value: string | null;
}

export interface PaxosVolatile {
  /** Decrees clients asked this node to get chosen. */
  requests: string[];
  proposal: Proposal | null;
  /** Highest ballot number seen in any prepare, accept or refusal. */
  highestSeen: number;
  /** Learner's tally: who accepted what, per ballot. */
  acceptances: { ballot: Ballot; value: string; from: NodeId[] }[];
  /** Its patience ran out (its retry timer fired, or a client waits and it runs no ballot): time to start a ballot. */
  ballotDue: boolean;
}

export type PaxosAction =
  | { kind: 'promise'; msg: number }
  | { kind: 'refuse'; msg: number }
  | { kind: 'accept'; msg: number }
  | { kind: 'ignore'; msg: number }
  | { kind: 'propose'; value: string }
  | { kind: 'prepare'; ballot: number };

export type PaxosPayload =
  | { kind: 'prepare'; ballot: Ballot }
  | { kind: 'promise'; ballot: Ballot; accepted: Acceptance | null }
  | { kind: 'refuse'; ballot: Ballot; promised: Ballot }
  /** `alsoAccepted`: the proposer accepted the value itself, and learners count that. */
  | { kind: 'accept'; ballot: Ballot; value: string; alsoAccepted: boolean }
  | { kind: 'accepted'; ballot: Ballot; value: string }
  | { kind: 'chosen'; value: string };

export type PaxosLocal = Local<PaxosDurable, PaxosVolatile, PaxosPayload>;
export type PaxosContext = ProtocolContext<PaxosDurable, PaxosVolatile, PaxosPayload>;
export type PaxosNode = NodeOf<PaxosDurable, PaxosVolatile, PaxosPayload>;

/** The highest ballot number a proposer may use. */
export const MAX_BALLOT = 1_000_000;

/** A Paxos node's one kind of timer: when it fires, the node may start a (higher) ballot. */
export const RETRY = 'retry';

/**
 * The tick at which a node that has learned nothing should start a ballot, if nothing changes
 * meanwhile: its patience. A node that a client is waiting on starts one at once, and tries again once
 * its ballot had a timeout to win, or, once a refusal shows its ballot beaten, as soon as every answer
 * could be back (a round trip at the slowest latency). A node without a request waits longer, so as
 * not to duel with the real proposers: two timeouts if it saw a value accepted (its proposer may have
 * crashed before anyone learned it), six if it saw nothing. Counted from the start of its ballot, or
 * of the round. Null: no patience runs out (a round without timeouts).
 */
function ballotDeadline(config: RoundConfig, d: PaxosDurable, v: PaxosVolatile): number | null {
  const timeout = config.settings.timeoutTicks;
  const leads = v.requests.length > 0;
  // Without timeouts a node's patience never runs out: it starts its first ballot for a request at
  // once, and after that only a move of its own starts another.
  if (config.settings.noTimeouts === true) return leads && v.proposal === null ? 0 : null;
  const patience = leads ? timeout : sawAcceptance(d, v) ? timeout * 2 : timeout * 6;
  const since = v.proposal ? v.proposal.startedAt : leads ? -timeout : 0;
  const beaten = leads && v.proposal !== null && v.proposal.refusals.length > 0;
  return beaten ? Math.min(since + patience, since + config.settings.latencyMax * 2) : since + patience;
}

/** Whether the node has seen a value accepted, its own acceptance or another's: it then has less patience. */
function sawAcceptance(d: PaxosDurable, v: PaxosVolatile): boolean {
  return d.accepted !== null || v.acceptances.length > 0;
}

/**
 * Sets the node's retry timer to its patience again, after anything that changes it (a request, a
 * ballot, a refusal, an acceptance seen, a recovery); a node that learned the outcome needs none.
 * When the patience has already run out, the ballot is due at once.
 */
export function armRetry(ctx: PaxosContext, id: NodeId): void {
  const d = ctx.durable(id);
  const v = ctx.volatile(id);
  const deadline = d.learned === null ? ballotDeadline(ctx.config, d, v) : null;
  const due = deadline !== null && deadline <= ctx.now;
  if (deadline === null || due) ctx.cancelTimer(id, RETRY);
  else if (ctx.timer(id, RETRY)?.firesAt !== deadline) ctx.setTimer(id, RETRY, deadline - ctx.now);
  if (v.ballotDue !== due) ctx.setVolatile(id, { ...v, ballotDue: due });
}

export function compareBallots(a: Ballot, b: Ballot): number {
  return a.n - b.n || a.node - b.node;
}

export function ballotText(b: Ballot): string {
  return `${b.n}.${nodeName(b.node)}`;
}

export function ballotKey(b: Ballot): string {
  return `paxos:${b.n}.${b.node}`;
}

/** Whether a ballot is below what this node promised: answering it would break the promise. */
export function belowPromise(d: PaxosDurable, ballot: Ballot): boolean {
  return d.promised !== null && compareBallots(ballot, d.promised) < 0;
}

/** The value a proposer must propose: the one accepted under the highest ballot among its promises. */
export function forcedValue(proposal: Proposal): Acceptance | null {
  let best: Acceptance | null = null;
  for (const p of proposal.promises) {
    if (p.accepted && (!best || compareBallots(p.accepted.ballot, best.ballot) > 0)) best = p.accepted;
  }
  return best;
}

/**
 * The promise a node keeps after promising or accepting `ballot`: the higher of the two. Only a
 * sandbox move can answer a ballot below the promise, and breaking a promise once does not undo it.
 */
export function higherPromise(promised: Ballot | null, ballot: Ballot): Ballot {
  return promised && compareBallots(promised, ballot) > 0 ? promised : ballot;
}

export function learn(ctx: PaxosContext, id: NodeId, value: string, how: string, fromTally: boolean): void {
  const d = ctx.durable(id);
  if (d.learned !== null) return;
  ctx.setDurable(id, { ...d, learned: value });
  armRetry(ctx, id);
  ctx.emit({ type: 'learned', visibleTo: [id], node: id, decree: value, text: `${nodeName(id)} learned that ${value} is chosen (${how}).` });
  // Only a node that saw the majority itself announces it; an announcement is taken as final, not repeated.
  if (ctx.config.settings.gossip && fromTally) ctx.broadcast(id, { kind: 'chosen', value });
}

/** Counts an acceptance in the learner tally of node `id`; learns once a ballot has a majority. */
export function tallyAcceptance(ctx: PaxosContext, id: NodeId, from: NodeId, ballot: Ballot, value: string): void {
  const v = ctx.volatile(id);
  const saw = sawAcceptance(ctx.durable(id), v);
  const index = v.acceptances.findIndex((a) => compareBallots(a.ballot, ballot) === 0 && a.value === value);
  const old = v.acceptances[index];
  const entry = { ballot, value, from: withItem(old?.from ?? [], from) };
  const acceptances = v.acceptances.slice();
  if (index >= 0) acceptances[index] = entry;
  else acceptances.push(entry);
  ctx.setVolatile(id, { ...v, acceptances });
  if (entry.from.length >= majorityOf(ctx.config.nodes)) {
    learn(ctx, id, value, `its tally of ballot ${ballotText(ballot)} shows ${tallyWords(entry.from.length, ctx.config.nodes, 'acceptances')}`, true);
  }
  // The first value seen accepted makes a node without a request less patient: its proposer may be gone.
  if (!saw) armRetry(ctx, id);
}

/** The acceptor half of accepting: durable write, then the god view's ballot box and the learner tallies. */
export function acceptLocally(ctx: PaxosContext, id: NodeId, ballot: Ballot, value: string): void {
  const d = ctx.durable(id);
  const saw = sawAcceptance(d, ctx.volatile(id));
  ctx.setDurable(id, { ...d, promised: higherPromise(d.promised, ballot), accepted: { ballot, value } });
  tallyAcceptance(ctx, id, id, ballot, value);
  if (!saw) armRetry(ctx, id);
  ctx.castVote({
    slot: 0,
    key: ballotKey(ballot),
    value,
    voter: id,
    verb: 'accepted',
    // A method, not an arrow property: tsx (esbuild keepNames) names such an arrow with defineProperty each time it is made, on every vote.
    voterKnew() {
      const mine = ctx.volatile(id).acceptances.find((a) => compareBallots(a.ballot, ballot) === 0);
      return (mine?.from.length ?? 0) >= majorityOf(ctx.config.nodes);
    },
  });
}
