/** A majority-vote node's moves, one entry per kind. */
import type { ActionTable } from '../../engine/protocol';
import { rejection } from '../../engine/rejections';
import { literal, object } from '../../wire/schema';
import { DECREE, answerSchema, isRejection, pending, withItem } from '../common';
import { castMajorityVote, countVote, updateStuck, voteRefusal, type MajorityAction, type MajorityDurable, type MajorityPayload, type MajorityVolatile } from './state';

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
    check: (local, action) => voteRefusal(local.node.durable.vote, local.node.volatile.candidates, action.decree),
    apply(ctx, id, action) {
      const d = ctx.durable(id);
      ctx.setDurable(id, { ...d, vote: action.decree });
      ctx.setInbox(
        id,
        ctx.node(id).inbox.filter((m) => m.payload.kind !== 'candidate'),
      );
      countVote(ctx, id, id, action.decree);
      castMajorityVote(ctx, 0, id, action.decree, () => (ctx.volatile(id).tally[action.decree] ?? []).length);
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
