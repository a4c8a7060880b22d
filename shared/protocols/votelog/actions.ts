/** The moves of a log decided by majority vote, one entry per kind. */
import type { ActionTable } from '../../engine/protocol';
import { rejection } from '../../engine/rejections';
import type { Rejection } from '../../engine/types';
import { int, literal, object } from '../../wire/schema';
import { DECREE, answerSchema, isRejection, pending } from '../common';
import { castMajorityVote, voteRefusal } from '../majority/state';
import {
  MAX_SLOT,
  ballotOf,
  countVote,
  hearCandidate,
  openSlot,
  slotWords,
  updateStuck,
  withSlot,
  type VotelogAction,
  type VotelogDurable,
  type VotelogLocal,
  type VotelogPayload,
  type VotelogVolatile,
} from './state';

const SLOT = int(0, MAX_SLOT);

/**
 * A node votes only up to the first slot it has not learned: slots are decided one after another.
 * In a slot it learned without voting it may still vote, late, as in a single majority vote: a late
 * vote changes nothing.
 */
function slotRefusal(local: VotelogLocal, slot: number): Rejection | null {
  const open = openSlot(local.node.durable.learned);
  if (slot <= open) return null;
  return rejection('slot-ahead', `You have not learned what ${slotWords(open)} chose yet: the slots are decided one after another, so you vote in ${slotWords(open)} first.`);
}

export const votelogActions: ActionTable<VotelogDurable, VotelogVolatile, VotelogAction, VotelogPayload> = {
  vote: {
    schema: object({ kind: literal('vote'), slot: SLOT, decree: DECREE }),
    moves({ node: { durable: d, volatile: v } }) {
      const open = Math.min(openSlot(d.learned), MAX_SLOT);
      const moves: VotelogAction[] = [];
      for (let slot = 0; slot <= open; slot++) {
        if (d.votes[slot] == null) for (const decree of ballotOf(v, slot).candidates) moves.push({ kind: 'vote', slot, decree });
      }
      return moves as { kind: 'vote'; slot: number; decree: string }[];
    },
    // Vote again: change a locked vote, in any slot this node voted in, to another candidate there.
    ruleBreakingMoves({ node: { durable: d, volatile: v } }) {
      return d.votes.flatMap((vote, slot) =>
        vote == null
          ? []
          : ballotOf(v, slot)
              .candidates.filter((c) => c !== vote)
              .map((decree) => ({ kind: 'vote' as const, slot, decree })),
      );
    },
    check(local, action) {
      const { durable: d, volatile: v } = local.node;
      const where = ` in ${slotWords(action.slot)}`;
      // A locked vote is the rule, whether or not the slot is decided since.
      const locked = d.votes[action.slot];
      if (locked != null) return voteRefusal(locked, ballotOf(v, action.slot).candidates, action.decree, where);
      return slotRefusal(local, action.slot) ?? voteRefusal(null, ballotOf(v, action.slot).candidates, action.decree, where);
    },
    apply(ctx, id, action) {
      const d = ctx.durable(id);
      ctx.setDurable(id, { ...d, votes: withSlot(d.votes, action.slot, action.decree) });
      ctx.setInbox(
        id,
        ctx.node(id).inbox.filter((m) => !(m.payload.kind === 'candidate' && m.payload.slot === action.slot)),
      );
      countVote(ctx, id, id, action.slot, action.decree);
      castMajorityVote(ctx, action.slot, id, action.decree, () => (ballotOf(ctx.volatile(id), action.slot).tally[action.decree] ?? []).length);
      ctx.broadcast(id, { kind: 'vote', slot: action.slot, decree: action.decree });
      updateStuck(ctx);
    },
    describe: (action) => `voted for ${action.decree} in ${slotWords(action.slot)}`,
    label: (action) => `Vote for ${action.decree} in ${slotWords(action.slot)}`,
  },

  putForward: {
    schema: object({ kind: literal('putForward'), slot: SLOT, decree: DECREE }),
    moves({ node: { durable: d, volatile: v } }) {
      const slot = openSlot(d.learned);
      return slot > MAX_SLOT ? [] : v.requests.map((decree) => ({ kind: 'putForward', slot, decree }));
    },
    check(local, action) {
      // An update waiting for a slot goes up in the slot the node votes in now.
      const open = openSlot(local.node.durable.learned);
      if (action.slot < open) {
        return rejection('slot-decided', `You already learned what ${slotWords(action.slot)} chose: an update waiting for a slot goes up in ${slotWords(open)}, the first you have not learned.`);
      }
      const wrongSlot = slotRefusal(local, action.slot);
      if (wrongSlot) return wrongSlot;
      return local.node.volatile.requests.includes(action.decree)
        ? null
        : rejection('not-requested', `No client is waiting for ${action.decree} at your node; you can only put forward an update a client asked you for that is not in the log yet.`);
    },
    apply(ctx, id, action) {
      hearCandidate(ctx, id, action.slot, action.decree);
      ctx.broadcast(id, { kind: 'candidate', slot: action.slot, decree: action.decree });
    },
    describe: (action) => `put ${action.decree} forward as a candidate in ${slotWords(action.slot)}`,
    label: (action) => `Put ${action.decree} forward in ${slotWords(action.slot)}`,
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
