/** A majority-vote node's moves, one entry per kind. */
import { majorityOf } from '../../engine/names';
import type { ActionTable } from '../../engine/protocol';
import { rejection, ruleBroken } from '../../engine/rejections';
import { literal, object } from '../../wire/schema';
import { DECREE, answerSchema, isRejection, pending, withItem } from '../common';
import { VOTE_KEY, countVote, updateStuck, type MajorityAction, type MajorityDurable, type MajorityPayload, type MajorityVolatile } from './state';

export const majorityActions: ActionTable<MajorityDurable, MajorityVolatile, MajorityAction, MajorityPayload> = {
  vote: {
    schema: object({ kind: literal('vote'), decree: DECREE }),
    moves: (local) => (local.node.durable.vote === null ? local.node.volatile.candidates.map((decree) => ({ kind: 'vote', decree })) : []),
    // Vote again: change a locked vote to any other candidate this node has heard of.
    ruleBreakingMoves(local) {
      const vote = local.node.durable.vote;
      if (vote === null) return [];
      return local.node.volatile.candidates.filter((c) => c !== vote).map((decree) => ({ kind: 'vote', decree }));
    },
    check(local, action) {
      const d = local.node.durable;
      if (d.vote !== null) {
        return ruleBroken(
          'vote-locked',
          `You already voted for ${d.vote}, and votes are locked. If a vote could change, two different decrees could each gather a majority.`,
        );
      }
      if (!local.node.volatile.candidates.includes(action.decree)) {
        return rejection('unknown-candidate', `You have not heard of ${action.decree} as a candidate, so you cannot vote for it.`);
      }
      return null;
    },
    apply(ctx, id, action) {
      const d = ctx.durable(id);
      ctx.setDurable(id, { ...d, vote: action.decree });
      ctx.setInbox(
        id,
        ctx.node(id).inbox.filter((m) => m.payload.kind !== 'candidate'),
      );
      countVote(ctx, id, id, action.decree);
      ctx.castVote({
        slot: 0,
        key: VOTE_KEY,
        value: action.decree,
        voter: id,
        verb: 'voted',
        // A method, not an arrow property, which tsx would name with defineProperty on every vote.
        voterKnew() {
          return (ctx.volatile(id).tally[action.decree] ?? []).length >= majorityOf(ctx.config.nodes);
        },
      });
      ctx.broadcast(id, { kind: 'vote', decree: action.decree });
      updateStuck(ctx);
    },
    describe: (action) => `voted for ${action.decree}`,
    label: (action) => `Vote for ${action.decree}`,
  },

  putForward: {
    schema: object({ kind: literal('putForward'), decree: DECREE }),
    moves: (local) => local.node.volatile.requests.map((decree) => ({ kind: 'putForward', decree })),
    check: (local, action) =>
      local.node.volatile.requests.includes(action.decree)
        ? null
        : rejection('not-requested', `No client asked you for ${action.decree}; you can only put forward a decree a client proposed to you.`),
    apply(ctx, id, action) {
      const v = ctx.volatile(id);
      ctx.setVolatile(id, { ...v, candidates: withItem(v.candidates, action.decree) });
      ctx.broadcast(id, { kind: 'candidate', decree: action.decree });
    },
    describe: (action) => `put ${action.decree} forward as a candidate`,
    label: (action) => `Put ${action.decree} forward`,
  },

  ignore: {
    schema: answerSchema('ignore'),
    answers: (_local, m) => [{ kind: 'ignore', msg: m.id }],
    check(local, action) {
      const entry = pending(local, action.msg, ['candidate']);
      return isRejection(entry) ? entry : null;
    },
    apply: (ctx, id, action) => ctx.removeFromInbox(id, action.msg),
    describe: () => 'ignored a message',
    label: () => 'Ignore',
  },
};
