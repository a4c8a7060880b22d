/**
 * Majority vote: the essay's leaderless "majority-rules two-phase commit". Any node may put a decree
 * forward; each node casts one locked vote and broadcasts it; every node tallies on its own and learns
 * a decree is chosen when its own tally shows floor(N/2)+1 votes for it. Nobody casting the deciding
 * vote knows it is the deciding one. Split votes are possible and permanent: the round is then stuck.
 */
import { nodeName } from '../../engine/names';
import { defineProtocol } from '../../engine/protocol';
import { learnedByEveryNode, spreadRequests, withItem } from '../common';
import { majorityActions } from './actions';
import { majorityPolicy } from './bots';
import { majorityPresentation } from './present';
import { countVote, learn, type MajorityAction, type MajorityDurable, type MajorityPayload, type MajorityVolatile } from './state';

export type { MajorityAction, MajorityDurable, MajorityPayload, MajorityVolatile } from './state';

export const majorityVote = defineProtocol<MajorityDurable, MajorityVolatile, MajorityAction, MajorityPayload>({
  name: 'majority',
  title: 'Majority vote',
  moveNoun: 'a majority-vote',

  roleOf: () => 'voter',

  initDurable: () => ({ vote: null, learned: null }),

  initVolatile: () => ({ requests: [], candidates: [], tally: {} }),

  onPropose(ctx, id, decree) {
    const v = ctx.volatile(id);
    ctx.setVolatile(id, { ...v, requests: withItem(v.requests, decree), candidates: withItem(v.candidates, decree) });
  },

  onRecover(ctx, id) {
    // Its own vote is on disk, so it counts it again; everyone else's vote it heard is gone.
    const vote = ctx.durable(id).vote;
    if (vote !== null) countVote(ctx, id, id, vote);
  },

  onDeliver(ctx, id, message) {
    const p = message.payload;
    switch (p.kind) {
      case 'candidate': {
        const v = ctx.volatile(id);
        ctx.setVolatile(id, { ...v, candidates: withItem(v.candidates, p.decree) });
        // A node that has voted has nothing left to answer.
        return ctx.durable(id).vote === null;
      }
      case 'vote':
        countVote(ctx, id, message.from, p.decree);
        return false;
      case 'victory':
        learn(ctx, id, p.decree, `${nodeName(message.from)} announced it`, false);
        return false;
      default:
        return false;
    }
  },

  actions: majorityActions,

  ruleTitles: {
    'vote-locked': 'a vote is locked once cast',
  },

  messages: {
    candidate: { label: (p) => `CANDIDATE ${p.decree}`, countsTowardOutcome: false },
    vote: { label: (p) => `VOTE ${p.decree}`, countsTowardOutcome: true },
    victory: { label: (p) => `VICTORY ${p.decree}`, countsTowardOutcome: true },
  },

  ...learnedByEveryNode,
  invariants: () => [],
  // A split vote is final: locked votes cannot change, so some rounds never decide.
  decidesOnceHealed: false,

  clients: { oneRequest: false, openingRequests: spreadRequests },

  bots: { policy: majorityPolicy, eagerShare: 0 },

  present: majorityPresentation,
});
