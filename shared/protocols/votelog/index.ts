/**
 * A log decided by majority vote, slot by slot: replicating a data structure reduced to agreeing on
 * one variable, again and again. Clients hand updates to nodes; in each slot every node casts one
 * locked vote, by majority vote's own rules and tally, and an update is chosen in a slot when
 * floor(N/2)+1 vote for it there. A node votes no further than the first slot it has not learned, so
 * slots are decided one after another (a late vote in a slot already learned changes nothing); an
 * update that lost a slot is a candidate again in the next. A node applies a slot only once it has
 * learned every slot before it, so every node's log reads the same, in the same order. A slot can split for good, as a single vote can: the log then stops there.
 */
import { nodeName } from '../../engine/names';
import { defineProtocol } from '../../engine/protocol';
import type { LearnedLog } from '../../engine/types';
import { chosenIn, spreadRequests } from '../common';
import { votelogActions } from './actions';
import { votelogPolicy } from './bots';
import { votelogPresentation } from './present';
import {
  addRequest,
  applied,
  countVote,
  hearCandidate,
  slotWords,
  type VotelogAction,
  type VotelogDurable,
  type VotelogPayload,
  type VotelogVolatile,
} from './state';

export type { VotelogAction, VotelogDurable, VotelogPayload, VotelogVolatile } from './state';
export { applied, openSlot, waiting, ballotOf } from './state';

export const votelog = defineProtocol<VotelogDurable, VotelogVolatile, VotelogAction, VotelogPayload>({
  name: 'votelog',
  title: 'Majority vote, slot by slot',
  moveNoun: 'a slot-by-slot majority-vote',

  roleOf: () => 'voter',

  initDurable: () => ({ votes: [], learned: [] }),

  initVolatile: () => ({ requests: [], ballots: [] }),

  onPropose(ctx, id, decree) {
    addRequest(ctx, id, decree);
  },

  onRecover(ctx, id) {
    // Its votes and what it learned are on disk; every vote it heard from others is gone.
    const d = ctx.durable(id);
    d.votes.forEach((vote, slot) => {
      if (vote != null && d.learned[slot] == null) countVote(ctx, id, id, slot, vote);
    });
  },

  onDeliver(ctx, id, message) {
    const p = message.payload;
    switch (p.kind) {
      case 'candidate': {
        hearCandidate(ctx, id, p.slot, p.decree);
        // Answered once the node votes in that slot (late, if it learned the slot first), or ignores it.
        return ctx.durable(id).votes[p.slot] == null;
      }
      case 'vote':
        countVote(ctx, id, message.from, p.slot, p.decree);
        return false;
      default:
        return false;
    }
  },

  actions: votelogActions,

  ruleTitles: {
    'vote-locked': 'a vote is locked once cast',
  },

  messages: {
    candidate: { label: (p) => `CANDIDATE ${p.decree} (${slotWords(p.slot)})`, countsTowardOutcome: false },
    vote: { label: (p) => `VOTE ${p.decree} (${slotWords(p.slot)})`, countsTowardOutcome: true },
  },

  // The log, once every update a client asked for is chosen in a slot of an unbroken run from slot 1.
  outcome(world) {
    const log: string[] = [];
    for (let slot = 0; ; slot++) {
      const decree = chosenIn(world.global.chosen, slot);
      if (decree === null) break;
      log.push(decree);
    }
    return world.proposed.length > 0 && world.proposed.every((d) => log.includes(d)) ? log.join(', ') : null;
  },
  mustKnowOutcome: () => true,
  // A node knows the log once it has applied all of it.
  knowsOutcome: (node, outcome) => applied(node.durable.learned).join(', ') === outcome,
  learned: (node): LearnedLog => node.durable.learned,

  invariants(world) {
    // An update is applied once: no update is chosen in two slots.
    const slotOf = new Map<string, number>();
    const broken: { code: string; message: string }[] = [];
    for (const c of world.global.chosen) {
      const first = slotOf.get(c.decree);
      if (first === undefined) slotOf.set(c.decree, c.slot);
      else if (first !== c.slot) {
        broken.push({ code: 'chosen-twice', message: `${c.decree} is chosen in ${slotWords(first)} and again in ${slotWords(c.slot)} (${nodeName(c.node)}'s vote): every node would apply it twice.` });
      }
    }
    return broken;
  },
  // A split slot is final: locked votes cannot change, so some logs never grow past it.
  decidesOnceHealed: false,

  clients: { oneRequest: false, openingRequests: spreadRequests },

  bots: { policy: votelogPolicy, eagerShare: 0 },

  present: votelogPresentation,
});
