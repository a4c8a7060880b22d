/**
 * Single-decree Paxos, as in "Paxos Made Simple". Every node is proposer, acceptor and learner.
 * Phase 1: prepare(b) is answered by promise(b, highest acceptance) or a refusal naming the higher promise.
 * Phase 2: accept(b, v), where v must be the value of the highest-ballot acceptance among a majority of
 * promises. A value is chosen when a majority accepted the same ballot.
 */
import type { StepContext } from '../engine/context';
import { majorityOf, nodeName, tallyWords } from '../engine/names';
import type { Local, Protocol } from '../engine/protocol';
import { rejection, ruleBroken } from '../engine/rejections';
import type { Action, Message, NodeId, NodeState, Payload, World } from '../engine/types';
import { check, int, literal, object, tagged, type Schema } from '../wire/schema';
import { DECREE, answerSchema, isRejection, pending, withItem } from './common';

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
}

export type PaxosAction =
  | { kind: 'prepare'; ballot: number }
  | { kind: 'promise'; msg: number }
  | { kind: 'refuse'; msg: number }
  | { kind: 'accept'; msg: number }
  | { kind: 'ignore'; msg: number }
  | { kind: 'propose'; value: string };

export function compareBallots(a: Ballot, b: Ballot): number {
  return a.n - b.n || a.node - b.node;
}

export function ballotText(b: Ballot): string {
  return `${b.n}.${nodeName(b.node)}`;
}

function ballotKey(b: Ballot): string {
  return `paxos:${b.n}.${b.node}`;
}

const durableOf = (node: NodeState) => node.durable as PaxosDurable;
const volatileOf = (node: NodeState) => node.volatile as PaxosVolatile;

/** The value a proposer must propose: the one accepted under the highest ballot among its promises. */
export function forcedValue(proposal: Proposal): Acceptance | null {
  let best: Acceptance | null = null;
  for (const p of proposal.promises) {
    if (p.accepted && (!best || compareBallots(p.accepted.ballot, best.ballot) > 0)) best = p.accepted;
  }
  return best;
}

const actionSchema: Schema<PaxosAction> = tagged<PaxosAction>('kind', {
  prepare: object({ kind: literal('prepare'), ballot: int(1, 1_000_000) }),
  promise: answerSchema('promise'),
  refuse: answerSchema('refuse'),
  accept: answerSchema('accept'),
  ignore: answerSchema('ignore'),
  propose: object({ kind: literal('propose'), value: DECREE }),
});

function learn(ctx: StepContext, id: NodeId, value: string, how: string, fromTally: boolean): void {
  const d = ctx.durable<PaxosDurable>(id);
  if (d.learned !== null) return;
  ctx.setDurable<PaxosDurable>(id, { ...d, learned: value });
  ctx.emit({ type: 'learned', visibleTo: [id], node: id, decree: value, text: `${nodeName(id)} learned that ${value} is chosen (${how}).` });
  // Only a node that saw the majority itself announces it; an announcement is taken as final, not repeated.
  if (ctx.config.settings.gossip && fromTally) ctx.broadcast(id, { kind: 'chosen', value });
}

/** Counts an acceptance in the learner tally of node `id`; learns once a ballot has a majority. */
function tallyAcceptance(ctx: StepContext, id: NodeId, from: NodeId, ballot: Ballot, value: string): void {
  const v = ctx.volatile<PaxosVolatile>(id);
  const index = v.acceptances.findIndex((a) => compareBallots(a.ballot, ballot) === 0 && a.value === value);
  const old = v.acceptances[index];
  const entry = { ballot, value, from: withItem(old?.from ?? [], from) };
  const acceptances = v.acceptances.slice();
  if (index >= 0) acceptances[index] = entry;
  else acceptances.push(entry);
  ctx.setVolatile<PaxosVolatile>(id, { ...v, acceptances });
  if (entry.from.length >= majorityOf(ctx.config.nodes)) {
    learn(ctx, id, value, `its tally of ballot ${ballotText(ballot)} shows ${tallyWords(entry.from.length, ctx.config.nodes, 'acceptances')}`, true);
  }
}

/** The acceptor half of accepting: durable write, then the god view's ballot box and the learner tallies. */
function acceptLocally(ctx: StepContext, id: NodeId, ballot: Ballot, value: string): void {
  const d = ctx.durable<PaxosDurable>(id);
  ctx.setDurable<PaxosDurable>(id, { ...d, promised: higherPromise(d.promised, ballot), accepted: { ballot, value } });
  tallyAcceptance(ctx, id, id, ballot, value);
  ctx.castVote(ballotKey(ballot), value, id, 'accepted', () => {
    const mine = ctx.volatile<PaxosVolatile>(id).acceptances.find((a) => compareBallots(a.ballot, ballot) === 0);
    return (mine?.from.length ?? 0) >= majorityOf(ctx.config.nodes);
  });
}

/**
 * The promise a node keeps after promising or accepting `ballot`: the higher of the two. Only a
 * sandbox move can answer a ballot below the promise, and breaking a promise once does not undo it.
 */
function higherPromise(promised: Ballot | null, ballot: Ballot): Ballot {
  return promised && compareBallots(promised, ballot) > 0 ? promised : ballot;
}

function knownValues(local: Local): string[] {
  return volatileOf(local.node).requests;
}

export const paxos: Protocol = {
  name: 'paxos',
  title: 'Paxos',

  roleOf: () => 'proposer, acceptor and learner',

  initDurable: (): PaxosDurable => ({ promised: null, accepted: null, maxUsed: 0, learned: null }),

  initVolatile: (): PaxosVolatile => ({ requests: [], proposal: null, highestSeen: 0, acceptances: [] }),

  onPropose(ctx, id, decree) {
    const v = ctx.volatile<PaxosVolatile>(id);
    ctx.setVolatile<PaxosVolatile>(id, { ...v, requests: withItem(v.requests, decree) });
  },

  onRecover(ctx, id) {
    const d = ctx.durable<PaxosDurable>(id);
    // What it promised and accepted is on disk; it remembers the ballots it used, too.
    const v = ctx.volatile<PaxosVolatile>(id);
    ctx.setVolatile<PaxosVolatile>(id, { ...v, highestSeen: Math.max(d.maxUsed, d.promised?.n ?? 0) });
  },

  onDeliver(ctx, id, message: Message) {
    const p = message.payload;
    const v = ctx.volatile<PaxosVolatile>(id);
    switch (p.kind) {
      case 'prepare':
      case 'accept': {
        const ballot = p.ballot as Ballot;
        if (ballot.n > v.highestSeen) ctx.setVolatile<PaxosVolatile>(id, { ...v, highestSeen: ballot.n });
        if (p.kind === 'accept' && p.alsoAccepted === true) tallyAcceptance(ctx, id, message.from, ballot, p.value as string);
        return true;
      }
      case 'promise': {
        const proposal = v.proposal;
        const ballot = p.ballot as Ballot;
        if (!proposal || proposal.phase !== 'preparing' || compareBallots(proposal.ballot, ballot) !== 0) return false;
        if (proposal.promises.some((x) => x.from === message.from)) return false;
        const promises = [...proposal.promises, { from: message.from, accepted: p.accepted as Acceptance | null }];
        ctx.setVolatile<PaxosVolatile>(id, { ...v, proposal: { ...proposal, promises } });
        if (promises.length === majorityOf(ctx.config.nodes)) {
          ctx.emit({
            type: 'quorum',
            visibleTo: [id],
            node: id,
            text: `${nodeName(id)} now holds promises from a majority for ballot ${ballotText(ballot)} and may send ACCEPT.`,
          });
        }
        return false;
      }
      case 'refuse': {
        const promised = p.promised as Ballot;
        const proposal = v.proposal;
        const mine = proposal && compareBallots(proposal.ballot, p.ballot as Ballot) === 0;
        ctx.setVolatile<PaxosVolatile>(id, {
          ...v,
          highestSeen: Math.max(v.highestSeen, promised.n),
          proposal: mine ? { ...proposal, refusals: withItem(proposal.refusals, message.from) } : proposal,
        });
        return false;
      }
      case 'accepted':
        tallyAcceptance(ctx, id, message.from, p.ballot as Ballot, p.value as string);
        return false;
      case 'chosen':
        learn(ctx, id, p.value as string, `${nodeName(message.from)} announced it`, false);
        return false;
      default:
        return false;
    }
  },

  legalUsesClock: false,

  legalActions(local) {
    const d = durableOf(local.node);
    const v = volatileOf(local.node);
    const actions: Action[] = [];
    for (const m of local.node.inbox) {
      const ballot = m.payload.ballot as Ballot;
      const allowed = !d.promised || compareBallots(ballot, d.promised) >= 0;
      if (m.payload.kind === 'prepare') actions.push({ kind: allowed ? 'promise' : 'refuse', msg: m.id });
      if (m.payload.kind === 'accept') actions.push({ kind: allowed ? 'accept' : 'refuse', msg: m.id });
      actions.push({ kind: 'ignore', msg: m.id });
    }
    const proposal = v.proposal;
    if (proposal && proposal.phase === 'preparing' && proposal.promises.length >= majorityOf(local.config.nodes)) {
      const forced = forcedValue(proposal);
      const values = forced ? [forced.value] : knownValues(local);
      for (const value of values) actions.push({ kind: 'propose', value });
    }
    actions.push({ kind: 'prepare', ballot: Math.max(d.maxUsed, v.highestSeen, d.promised?.n ?? 0) + 1 });
    return actions;
  },

  ruleBreakingCandidates(local) {
    const d = durableOf(local.node);
    const v = volatileOf(local.node);
    const actions: Action[] = [];
    for (const m of local.node.inbox) {
      const ballot = m.payload.ballot as Ballot;
      // Answer a ballot below the promise as if it were the highest.
      if (d.promised && compareBallots(ballot, d.promised) < 0) actions.push({ kind: m.payload.kind === 'prepare' ? 'promise' : 'accept', msg: m.id });
      // Or refuse one that the promise allows.
      else actions.push({ kind: 'refuse', msg: m.id });
    }
    // Send ACCEPT too early, with another value than the one a promise reported, a second value under
    // the same ballot, or a value no client asked for.
    if (v.proposal) {
      const values = [...new Set([...v.requests, ...local.config.settings.decrees])];
      for (const value of values) actions.push({ kind: 'propose', value });
    }
    // Use a ballot again.
    if (d.maxUsed > 0) actions.push({ kind: 'prepare', ballot: d.maxUsed });
    return actions;
  },

  ruleTitles: {
    'promised-higher': 'never answer a ballot below your promise',
    'ballot-not-new': 'every ballot is new',
    'no-majority-of-promises': 'send ACCEPT only after a majority of promises',
    'must-adopt-value': 'propose the value a promise reported',
    'already-proposed': 'one value per ballot',
    'not-proposed': 'propose only what a client asked for',
    'nothing-to-refuse': 'refuse only ballots below your promise',
  },

  check(local, raw) {
    const parsed = check(actionSchema, raw);
    if (!parsed.ok) return rejection('bad-action', `That is not a Paxos move: ${parsed.error}.`);
    const action = parsed.value;
    const d = durableOf(local.node);
    const v = volatileOf(local.node);
    switch (action.kind) {
      case 'prepare':
        if (action.ballot <= d.maxUsed) {
          return ruleBroken(
            'ballot-not-new',
            `You already used ballot ${d.maxUsed}. Each new attempt needs a higher ballot, so that no two proposals ever share one.`,
          );
        }
        return null;
      case 'promise':
      case 'accept': {
        const entry = pending(local, action.msg, [action.kind === 'promise' ? 'prepare' : 'accept']);
        if (isRejection(entry)) return entry;
        const ballot = entry.payload.ballot as Ballot;
        if (d.promised && compareBallots(ballot, d.promised) < 0) {
          const verb = action.kind === 'promise' ? 'Promising' : 'Accepting';
          return ruleBroken(
            'promised-higher',
            `You promised ballot ${ballotText(d.promised)} to node ${nodeName(d.promised.node)}. ${verb} the lower ballot ${ballotText(ballot)} now could let a second majority form, so Paxos forbids it.`,
          );
        }
        return null;
      }
      case 'refuse': {
        const entry = pending(local, action.msg, ['prepare', 'accept']);
        if (isRejection(entry)) return entry;
        const ballot = entry.payload.ballot as Ballot;
        if (!d.promised || compareBallots(ballot, d.promised) >= 0) {
          return ruleBroken(
            'nothing-to-refuse',
            `A refusal names a higher ballot you promised, and you have promised nothing above ${ballotText(ballot)}. You may answer it, or ignore it.`,
          );
        }
        return null;
      }
      case 'ignore': {
        const entry = pending(local, action.msg, ['prepare', 'accept']);
        return isRejection(entry) ? entry : null;
      }
      case 'propose': {
        const proposal = v.proposal;
        if (!proposal) return rejection('no-ballot', 'You have not started a ballot. Send PREPARE first and collect promises.');
        if (proposal.phase === 'accepting') {
          return ruleBroken(
            'already-proposed',
            `You already proposed ${proposal.value} under ballot ${ballotText(proposal.ballot)}. One ballot carries one value; start a new ballot to try again.`,
          );
        }
        const needed = majorityOf(local.config.nodes);
        if (proposal.promises.length < needed) {
          return ruleBroken(
            'no-majority-of-promises',
            `Only ${proposal.promises.length} of the ${needed} promises you need have arrived for ballot ${ballotText(proposal.ballot)}. Without a majority, a value might already be chosen that you have not heard of.`,
          );
        }
        const forced = forcedValue(proposal);
        if (forced && forced.value !== action.value) {
          return ruleBroken(
            'must-adopt-value',
            `A promise reported that ${forced.value} was accepted under ballot ${ballotText(forced.ballot)}. It may already be chosen, so you must propose ${forced.value}, not ${action.value}.`,
          );
        }
        if (!forced && !knownValues(local).includes(action.value)) {
          return ruleBroken(
            'not-proposed',
            `No client asked you for ${action.value}. A proposer may only put forward a value a client proposed.`,
          );
        }
        return null;
      }
    }
  },

  apply(ctx, id, raw) {
    const action = raw as PaxosAction;
    switch (action.kind) {
      case 'prepare': {
        const ballot = { n: action.ballot, node: id };
        const d = ctx.durable<PaxosDurable>(id);
        // The ballot is written down before it is used, so a crash can never lead to reusing it.
        ctx.setDurable<PaxosDurable>(id, { ...d, maxUsed: Math.max(d.maxUsed, action.ballot) });
        const promises: Proposal['promises'] = [];
        if (!d.promised || compareBallots(ballot, d.promised) >= 0) {
          // A proposer is its own first acceptor: it promises itself without a message.
          ctx.setDurable<PaxosDurable>(id, { ...ctx.durable<PaxosDurable>(id), promised: ballot });
          promises.push({ from: id, accepted: d.accepted });
        }
        const v = ctx.volatile<PaxosVolatile>(id);
        ctx.setVolatile<PaxosVolatile>(id, {
          ...v,
          highestSeen: Math.max(v.highestSeen, action.ballot),
          proposal: { ballot, phase: 'preparing', startedAt: ctx.now, promises, refusals: [], value: null },
        });
        ctx.broadcast(id, { kind: 'prepare', ballot });
        return;
      }
      case 'promise': {
        const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
        const ballot = entry.payload.ballot as Ballot;
        const d = ctx.durable<PaxosDurable>(id);
        ctx.setDurable<PaxosDurable>(id, { ...d, promised: higherPromise(d.promised, ballot) });
        ctx.removeFromInbox(id, entry.id);
        ctx.send(id, entry.from, { kind: 'promise', ballot, accepted: d.accepted });
        return;
      }
      case 'refuse': {
        const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
        const d = ctx.durable<PaxosDurable>(id);
        ctx.removeFromInbox(id, entry.id);
        ctx.send(id, entry.from, { kind: 'refuse', ballot: entry.payload.ballot, promised: d.promised ?? entry.payload.ballot });
        return;
      }
      case 'accept': {
        const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
        const ballot = entry.payload.ballot as Ballot;
        const value = entry.payload.value as string;
        ctx.removeFromInbox(id, entry.id);
        acceptLocally(ctx, id, ballot, value);
        ctx.broadcast(id, { kind: 'accepted', ballot, value });
        return;
      }
      case 'ignore':
        ctx.removeFromInbox(id, action.msg);
        return;
      case 'propose': {
        const v = ctx.volatile<PaxosVolatile>(id);
        const proposal = v.proposal!;
        const ballot = proposal.ballot;
        ctx.setVolatile<PaxosVolatile>(id, { ...v, proposal: { ...proposal, phase: 'accepting', value: action.value } });
        const d = ctx.durable<PaxosDurable>(id);
        const others: NodeId[] = [];
        for (let to = 0; to < ctx.config.nodes; to++) if (to !== id) others.push(to);
        // A proposer is its own acceptor too. When it can accept, its ACCEPT says so, and learners count it.
        const selfAccepts = !d.promised || compareBallots(ballot, d.promised) >= 0;
        if (selfAccepts) acceptLocally(ctx, id, ballot, action.value);
        for (const to of others) ctx.send(id, to, { kind: 'accept', ballot, value: action.value, alsoAccepted: selfAccepts });
        return;
      }
    }
  },

  parseAction(raw) {
    const parsed = check(actionSchema, raw);
    return parsed.ok ? parsed.value : parsed.error;
  },

  status(world: World) {
    const chosen = world.global.chosen[0]?.decree ?? null;
    const live = world.nodes.filter((n) => !n.crashed);
    const decided = chosen !== null && live.every((n) => durableOf(n).learned === chosen);
    return { decided, outcome: chosen };
  },

  countsTowardOutcome: (payload) => ['promise', 'accept', 'accepted', 'chosen'].includes(payload.kind),
  learned: (node) => durableOf(node).learned,

  invariants(world) {
    const broken: { code: string; message: string }[] = [];
    for (const node of world.nodes) {
      const d = durableOf(node);
      if (d.accepted && d.promised && compareBallots(d.accepted.ballot, d.promised) > 0) {
        broken.push({ code: 'accepted-above-promise', message: `${nodeName(node.id)} accepted a ballot above its promise.` });
      }
    }
    return broken;
  },

  label(payload: Payload) {
    const b = payload.ballot as Ballot | undefined;
    switch (payload.kind) {
      case 'prepare':
        return `PREPARE ${ballotText(b!)}`;
      case 'promise': {
        const acc = payload.accepted as Acceptance | null;
        return acc ? `PROMISE ${ballotText(b!)} (had ${acc.value}@${ballotText(acc.ballot)})` : `PROMISE ${ballotText(b!)}`;
      }
      case 'refuse':
        return `REFUSE ${ballotText(b!)} (promised ${ballotText(payload.promised as Ballot)})`;
      case 'accept':
        return `ACCEPT ${ballotText(b!)} ${String(payload.value)}`;
      case 'accepted':
        return `ACCEPTED ${ballotText(b!)} ${String(payload.value)}`;
      case 'chosen':
        return `CHOSEN ${String(payload.value)}`;
      default:
        return payload.kind.toUpperCase();
    }
  },

  describeAction(raw) {
    const action = raw as PaxosAction;
    switch (action.kind) {
      case 'prepare':
        return `started ballot ${action.ballot} and sent PREPARE`;
      case 'promise':
        return 'promised';
      case 'refuse':
        return 'refused';
      case 'accept':
        return 'accepted';
      case 'ignore':
        return 'ignored a message';
      case 'propose':
        return `sent ACCEPT for ${action.value}`;
    }
  },
};

