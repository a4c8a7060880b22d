/**
 * Single-decree Paxos, as in "Paxos Made Simple". Every node is proposer, acceptor and learner.
 * Phase 1: prepare(b) is answered by promise(b, highest acceptance) or a refusal naming the higher promise.
 * Phase 2: accept(b, v), where v must be the value of the highest-ballot acceptance among a majority of
 * promises. A value is chosen when a majority accepted the same ballot.
 */
import { majorityOf, nodeName } from '../../engine/names';
import { defineProtocol } from '../../engine/protocol';
import { learnedByEveryNode, spreadRequests, withItem } from '../common';
import { paxosActions } from './actions';
import { paxosPolicy } from './bots';
import { paxosPresentation } from './present';
import {
  armRetry,
  ballotText,
  compareBallots,
  learn,
  RETRY,
  tallyAcceptance,
  type Acceptance,
  type Ballot,
  type PaxosAction,
  type PaxosDurable,
  type PaxosPayload,
  type PaxosVolatile,
} from './state';

export { ballotText, compareBallots, forcedValue, RETRY } from './state';
export type { Acceptance, Ballot, PaxosAction, PaxosDurable, PaxosPayload, PaxosVolatile, Proposal } from './state';

export const paxos = defineProtocol<PaxosDurable, PaxosVolatile, PaxosAction, PaxosPayload>({
  name: 'paxos',
  title: 'Paxos',
  moveNoun: 'a Paxos',

  roleOf: () => 'proposer, acceptor and learner',

  initDurable: () => ({ promised: null, accepted: null, maxUsed: 0, learned: null }),

  initVolatile: () => ({ requests: [], proposal: null, highestSeen: 0, acceptances: [], ballotDue: false }),

  // Every node's patience runs from the round's start: if nothing is chosen by then, it runs a ballot.
  onStart: armRetry,

  onPropose(ctx, id, decree) {
    const v = ctx.volatile(id);
    ctx.setVolatile(id, { ...v, requests: withItem(v.requests, decree) });
    armRetry(ctx, id);
  },

  onRecover(ctx, id) {
    const d = ctx.durable(id);
    // What it promised and accepted is on disk; it remembers the ballots it used, too.
    const v = ctx.volatile(id);
    ctx.setVolatile(id, { ...v, highestSeen: Math.max(d.maxUsed, d.promised?.n ?? 0) });
    armRetry(ctx, id);
  },

  onDeliver(ctx, id, message) {
    const p = message.payload;
    const v = ctx.volatile(id);
    switch (p.kind) {
      case 'prepare':
      case 'accept': {
        if (p.ballot.n > v.highestSeen) ctx.setVolatile(id, { ...v, highestSeen: p.ballot.n });
        if (p.kind === 'accept' && p.alsoAccepted === true) tallyAcceptance(ctx, id, message.from, p.ballot, p.value);
        return true;
      }
      case 'promise': {
        const proposal = v.proposal;
        const ballot: Ballot = p.ballot;
        if (!proposal || proposal.phase !== 'preparing' || compareBallots(proposal.ballot, ballot) !== 0) return false;
        if (proposal.promises.some((x) => x.from === message.from)) return false;
        const accepted: Acceptance | null = p.accepted;
        const promises = [...proposal.promises, { from: message.from, accepted }];
        ctx.setVolatile(id, { ...v, proposal: { ...proposal, promises } });
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
        const proposal = v.proposal;
        const mine = proposal && compareBallots(proposal.ballot, p.ballot) === 0;
        ctx.setVolatile(id, {
          ...v,
          highestSeen: Math.max(v.highestSeen, p.promised.n),
          proposal: mine ? { ...proposal, refusals: withItem(proposal.refusals, message.from) } : proposal,
        });
        // A refusal shows its ballot beaten: a proposer with a request tries again sooner.
        if (mine) armRetry(ctx, id);
        return false;
      }
      case 'accepted':
        tallyAcceptance(ctx, id, message.from, p.ballot, p.value);
        return false;
      case 'chosen':
        learn(ctx, id, p.value, `${nodeName(message.from)} announced it`, false);
        return false;
      default:
        return false;
    }
  },

  actions: paxosActions,

  timers: {
    [RETRY]: {
      title: 'retry timer',
      then: ({ volatile: v }) =>
        // A ballot may start at any time: the timer says when it is worth it.
        v.proposal ? `it is time to give up on ballot ${ballotText(v.proposal.ballot)} and start a higher one` : 'it is time to start a ballot to find out what was chosen',
      fired: ({ volatile: v }) =>
        v.proposal ? `ballot ${ballotText(v.proposal.ballot)} has not won in time, so it may start a higher one` : 'it has learned nothing yet, so it may start a ballot to find out',
      onTimeout(ctx, id) {
        ctx.setVolatile(id, { ...ctx.volatile(id), ballotDue: true });
      },
    },
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

  messages: {
    prepare: { label: (p) => `PREPARE ${ballotText(p.ballot)}`, countsTowardOutcome: false },
    promise: {
      label: (p) => (p.accepted ? `PROMISE ${ballotText(p.ballot)} (had ${p.accepted.value}@${ballotText(p.accepted.ballot)})` : `PROMISE ${ballotText(p.ballot)}`),
      countsTowardOutcome: true,
    },
    refuse: { label: (p) => `REFUSE ${ballotText(p.ballot)} (promised ${ballotText(p.promised)})`, countsTowardOutcome: false },
    accept: { label: (p) => `ACCEPT ${ballotText(p.ballot)} ${p.value}`, countsTowardOutcome: true },
    accepted: { label: (p) => `ACCEPTED ${ballotText(p.ballot)} ${p.value}`, countsTowardOutcome: true },
    chosen: { label: (p) => `CHOSEN ${p.value}`, countsTowardOutcome: true },
  },

  ...learnedByEveryNode,

  invariants(world) {
    const broken: { code: string; message: string }[] = [];
    for (const node of world.nodes) {
      const d = node.durable;
      if (d.accepted && d.promised && compareBallots(d.accepted.ballot, d.promised) > 0) {
        broken.push({ code: 'accepted-above-promise', message: `${nodeName(node.id)} accepted a ballot above its promise.` });
      }
    }
    return broken;
  },

  decidesOnceHealed: true,

  clients: { oneRequest: false, openingRequests: spreadRequests },

  bots: { policy: paxosPolicy, eagerShare: 0.3 },

  present: paxosPresentation,
});
