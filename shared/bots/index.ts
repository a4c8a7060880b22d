/**
 * Bots are pure policies: (view, rng) -> command or nothing. They see only what their node can know
 * and choose only among the legal actions the engine lists, exactly like a human's buttons.
 * Thinking takes time: each tick a bot acts with some chance, so its delays are drawn from the rng.
 */
import { majorityOf } from '../engine/names';
import type { Rng } from '../engine/rng';
import type { Action, Command } from '../engine/types';
import type { NodeView } from '../engine/view';
import type { PaxosDurable, PaxosVolatile } from '../protocols/paxos';
import type { MajorityDurable, MajorityVolatile } from '../protocols/majorityVote';
import type { CoordinatorDurable, CoordinatorVolatile, ParticipantDurable, ParticipantVolatile } from '../protocols/twoPhaseCommit';

export type BotKind = 'faithful' | 'slow' | 'eager' | 'flaky';
export const BOT_KINDS: readonly BotKind[] = ['faithful', 'slow', 'eager', 'flaky'];

interface Temper {
  /** Chance per tick of acting at all: the think delay. */
  think: number;
  /** Chance per tick of (re)starting a proposal once allowed: the randomized backoff. */
  retry: number;
  /** Chance per tick of voting NO (2PC). */
  no: number;
}

const TEMPERS: Record<BotKind, Temper> = {
  faithful: { think: 0.5, retry: 0.15, no: 0.05 },
  slow: { think: 0.15, retry: 0.1, no: 0.05 },
  eager: { think: 0.9, retry: 0.3, no: 0.02 },
  flaky: { think: 0.5, retry: 0.15, no: 0.05 },
};

/** Flaky bots crash now and then, and come back. */
const FLAKY_CRASH = 0.004;
const FLAKY_RECOVER = 0.05;

const act = (view: NodeView, action: Action): Command => ({ type: 'act', node: view.node, action });

function find(legal: Action[], kind: string, extra: (a: Action) => boolean = () => true): Action | undefined {
  return legal.find((a) => a.kind === kind && extra(a));
}

function paxosPolicy(view: NodeView, rng: Rng, temper: Temper): Action | undefined {
  const legal = view.legal;
  const answer = legal.find((a) => a.kind === 'promise' || a.kind === 'accept' || a.kind === 'refuse');
  if (answer) return answer;
  const propose = find(legal, 'propose');
  if (propose) return propose;
  const d = view.self.durable as PaxosDurable;
  const v = view.self.volatile as PaxosVolatile;
  if (d.learned !== null) return undefined;
  const timeout = view.settings.timeoutTicks;
  const proposal = v.proposal;
  // A node with a request leads; one that saw something accepted but never learned the outcome runs a
  // ballot to find out; one that knows nothing waits long, so that it does not duel with real proposers.
  const wantsToLead = v.requests.length > 0;
  const sawAcceptance = d.accepted !== null || v.acceptances.length > 0;
  const patience = wantsToLead ? timeout : sawAcceptance ? timeout * 2 : timeout * 6;
  const since = proposal ? proposal.startedAt : wantsToLead ? -timeout : 0;
  const refused = proposal !== null && proposal.refusals.length > 0;
  // A ballot run only to learn, that found a majority with nothing accepted, has its answer: nothing
  // is chosen yet. Trying again would only preempt the real proposers.
  const answered = !wantsToLead && proposal !== null && proposal.promises.length >= majorityOf(view.nodes) && !proposal.promises.some((p) => p.accepted);
  if (answered) return undefined;
  const due = view.now - since >= patience || (wantsToLead && refused && view.now - since >= view.settings.latencyMax * 2);
  if (due && rng.chance(temper.retry)) return find(legal, 'prepare');
  return undefined;
}

function majorityPolicy(view: NodeView, rng: Rng): Action | undefined {
  const d = view.self.durable as MajorityDurable;
  const v = view.self.volatile as MajorityVolatile;
  if (d.vote !== null) return view.legal.find((a) => a.kind === 'ignore');
  // Vote for one's own request first, else for the first candidate heard of.
  const choice = v.requests[0] ?? v.candidates[0];
  if (choice === undefined) return undefined;
  if (v.requests.length === 0 && !rng.chance(0.7)) return undefined;
  return find(view.legal, 'vote', (a) => a.decree === choice);
}

function twoPhasePolicy(view: NodeView, rng: Rng, temper: Temper): Action | undefined {
  const legal = view.legal;
  const timeout = view.settings.timeoutTicks;
  const d = view.self.durable as CoordinatorDurable | ParticipantDurable;
  if (d.role === 'coordinator') {
    const v = view.self.volatile as CoordinatorVolatile;
    const start = find(legal, 'prepare');
    if (start) return start;
    const commit = find(legal, 'decide', (a) => a.outcome === 'commit');
    if (commit) return commit;
    if (d.decision === null && d.decree !== null) {
      // Gave up waiting, or came back from a crash without the votes: abort is the only safe choice.
      if (v.preparedAt === null || view.now - v.preparedAt >= timeout) return find(legal, 'decide', (a) => a.outcome === 'abort');
      return undefined;
    }
    if (d.decision !== null && rng.chance(1 / timeout)) return find(legal, 'resend');
    return undefined;
  }
  const v = view.self.volatile as ParticipantVolatile;
  const vote = legal.find((a) => a.kind === 'vote');
  if (vote) return find(legal, 'vote', (a) => a.vote === (rng.chance(temper.no) ? 'no' : 'yes'));
  const abort = find(legal, 'abort');
  if (abort && rng.chance(temper.retry)) return abort;
  const ask = find(legal, 'askPeers');
  if (ask && (v.askedAt === null ? view.now - v.waitingSince >= timeout : view.now - v.askedAt >= timeout) && rng.chance(temper.retry)) {
    return ask;
  }
  return undefined;
}

/** One tick's decision of a bot of the given kind, for its node. */
export function botDecide(kind: BotKind, view: NodeView, rng: Rng, allowCrash = true): Command | null {
  const temper = TEMPERS[kind];
  if (kind === 'flaky' && allowCrash) {
    if (view.self.crashed) return rng.chance(FLAKY_RECOVER) ? { type: 'recover', node: view.node } : null;
    if (rng.chance(FLAKY_CRASH)) return { type: 'crash', node: view.node };
  }
  if (view.self.crashed || !rng.chance(temper.think)) return null;
  let action: Action | undefined;
  if (view.protocol === 'paxos') action = paxosPolicy(view, rng, temper);
  else if (view.protocol === 'majority') action = majorityPolicy(view, rng);
  else action = twoPhasePolicy(view, rng, temper);
  return action ? act(view, action) : null;
}
