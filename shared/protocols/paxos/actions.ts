/** A Paxos node's moves, one entry per kind: what it looks like, when it is legal, the rule it may break, and what it does. */
import { majorityOf, nodeName } from '../../engine/names';
import type { ActionTable } from '../../engine/protocol';
import { rejection, ruleBroken } from '../../engine/rejections';
import type { NodeId, Rejection } from '../../engine/types';
import { int, literal, object } from '../../wire/schema';
import { DECREE, answerSchema, isRejection, pending } from '../common';
import {
  MAX_BALLOT,
  acceptLocally,
  armRetry,
  ballotText,
  belowPromise,
  compareBallots,
  forcedValue,
  higherPromise,
  type PaxosAction,
  type PaxosDurable,
  type PaxosLocal,
  type PaxosPayload,
  type PaxosVolatile,
  type Proposal,
} from './state';

/** What clients asked this node to get chosen: the values it may put forward itself. */
const knownValues = (local: PaxosLocal): string[] => local.node.volatile.requests;

/** A promise or an acceptance, unless the node promised a higher ballot. */
function answerBallot(local: PaxosLocal, msg: number, kind: 'promise' | 'accept'): Rejection | null {
  const entry = pending(local, msg, [kind === 'promise' ? 'prepare' : 'accept']);
  if (isRejection(entry)) return entry;
  if (entry.payload.kind !== 'prepare' && entry.payload.kind !== 'accept') return null;
  const ballot = entry.payload.ballot;
  const d = local.node.durable;
  if (d.promised && compareBallots(ballot, d.promised) < 0) {
    const verb = kind === 'promise' ? 'Promising' : 'Accepting';
    return ruleBroken(
      'promised-higher',
      `You promised ballot ${ballotText(d.promised)} to node ${nodeName(d.promised.node)}. ${verb} the lower ballot ${ballotText(ballot)} now could let a second majority form, so Paxos forbids it.`,
    );
  }
  return null;
}

export const paxosActions: ActionTable<PaxosDurable, PaxosVolatile, PaxosAction, PaxosPayload> = {
  promise: {
    schema: answerSchema('promise'),
    answers: (local, m) => (m.payload.kind === 'prepare' && !belowPromise(local.node.durable, m.payload.ballot) ? [{ kind: 'promise', msg: m.id }] : []),
    // Answer a ballot below the promise as if it were the highest.
    ruleBreakingAnswers: (local, m) => (m.payload.kind === 'prepare' && belowPromise(local.node.durable, m.payload.ballot) ? [{ kind: 'promise', msg: m.id }] : []),
    check: (local, action) => answerBallot(local, action.msg, 'promise'),
    apply(ctx, id, action) {
      const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
      if (entry.payload.kind !== 'prepare') return;
      const ballot = entry.payload.ballot;
      const d = ctx.durable(id);
      ctx.setDurable(id, { ...d, promised: higherPromise(d.promised, ballot) });
      ctx.removeFromInbox(id, entry.id);
      ctx.send(id, entry.from, { kind: 'promise', ballot, accepted: d.accepted });
    },
    describe: () => 'promised',
    label: () => 'Promise',
  },

  refuse: {
    schema: answerSchema('refuse'),
    answers: (local, m) =>
      (m.payload.kind === 'prepare' || m.payload.kind === 'accept') && belowPromise(local.node.durable, m.payload.ballot) ? [{ kind: 'refuse', msg: m.id }] : [],
    // Or refuse one that the promise allows.
    ruleBreakingAnswers: (local, m) =>
      (m.payload.kind === 'prepare' || m.payload.kind === 'accept') && !belowPromise(local.node.durable, m.payload.ballot) ? [{ kind: 'refuse', msg: m.id }] : [],
    check(local, action) {
      const entry = pending(local, action.msg, ['prepare', 'accept']);
      if (isRejection(entry)) return entry;
      if (entry.payload.kind !== 'prepare' && entry.payload.kind !== 'accept') return null;
      const ballot = entry.payload.ballot;
      const d = local.node.durable;
      if (!d.promised || compareBallots(ballot, d.promised) >= 0) {
        return ruleBroken(
          'nothing-to-refuse',
          `A refusal names a higher ballot you promised, and you have promised nothing above ${ballotText(ballot)}. You may answer it, or ignore it.`,
        );
      }
      return null;
    },
    apply(ctx, id, action) {
      const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
      if (entry.payload.kind !== 'prepare' && entry.payload.kind !== 'accept') return;
      const d = ctx.durable(id);
      ctx.removeFromInbox(id, entry.id);
      ctx.send(id, entry.from, { kind: 'refuse', ballot: entry.payload.ballot, promised: d.promised ?? entry.payload.ballot });
    },
    describe: () => 'refused',
    label: () => 'Refuse',
  },

  accept: {
    schema: answerSchema('accept'),
    answers: (local, m) => (m.payload.kind === 'accept' && !belowPromise(local.node.durable, m.payload.ballot) ? [{ kind: 'accept', msg: m.id }] : []),
    ruleBreakingAnswers: (local, m) => (m.payload.kind === 'accept' && belowPromise(local.node.durable, m.payload.ballot) ? [{ kind: 'accept', msg: m.id }] : []),
    check: (local, action) => answerBallot(local, action.msg, 'accept'),
    apply(ctx, id, action) {
      const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
      if (entry.payload.kind !== 'accept') return;
      const { ballot, value } = entry.payload;
      ctx.removeFromInbox(id, entry.id);
      acceptLocally(ctx, id, ballot, value);
      ctx.broadcast(id, { kind: 'accepted', ballot, value });
    },
    describe: () => 'accepted',
    label: () => 'Accept',
  },

  ignore: {
    schema: answerSchema('ignore'),
    answers: (_local, m) => [{ kind: 'ignore', msg: m.id }],
    check(local, action) {
      const entry = pending(local, action.msg, ['prepare', 'accept']);
      return isRejection(entry) ? entry : null;
    },
    apply: (ctx, id, action) => ctx.removeFromInbox(id, action.msg),
    describe: () => 'ignored a message',
    label: () => 'Ignore',
  },

  propose: {
    schema: object({ kind: literal('propose'), value: DECREE }),
    moves(local) {
      const proposal = local.node.volatile.proposal;
      if (!proposal || proposal.phase !== 'preparing' || proposal.promises.length < majorityOf(local.config.nodes)) return [];
      const forced = forcedValue(proposal);
      return (forced ? [forced.value] : knownValues(local)).map((value) => ({ kind: 'propose', value }));
    },
    // Send ACCEPT too early, with another value than the one a promise reported, a second value under
    // the same ballot, or a value no client asked for.
    ruleBreakingMoves(local) {
      const v = local.node.volatile;
      if (!v.proposal) return [];
      return [...new Set([...v.requests, ...local.config.settings.decrees])].map((value) => ({ kind: 'propose', value }));
    },
    check(local, action) {
      const proposal = local.node.volatile.proposal;
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
        return ruleBroken('not-proposed', `No client asked you for ${action.value}. A proposer may only put forward a value a client proposed.`);
      }
      return null;
    },
    apply(ctx, id, action) {
      const v = ctx.volatile(id);
      const proposal = v.proposal!;
      const ballot = proposal.ballot;
      ctx.setVolatile(id, { ...v, proposal: { ...proposal, phase: 'accepting', value: action.value } });
      const d = ctx.durable(id);
      const others: NodeId[] = [];
      for (let to = 0; to < ctx.config.nodes; to++) if (to !== id) others.push(to);
      // A proposer is its own acceptor too. When it can accept, its ACCEPT says so, and learners count it.
      const selfAccepts = !d.promised || compareBallots(ballot, d.promised) >= 0;
      if (selfAccepts) acceptLocally(ctx, id, ballot, action.value);
      for (const to of others) ctx.send(id, to, { kind: 'accept', ballot, value: action.value, alsoAccepted: selfAccepts });
    },
    describe: (action) => `sent ACCEPT for ${action.value}`,
    label: (action) => `Send ACCEPT for ${action.value}`,
  },

  prepare: {
    schema: object({ kind: literal('prepare'), ballot: int(1, MAX_BALLOT) }),
    moves(local) {
      const d = local.node.durable;
      return [{ kind: 'prepare', ballot: Math.max(d.maxUsed, local.node.volatile.highestSeen, d.promised?.n ?? 0) + 1 }];
    },
    // Use a ballot again.
    ruleBreakingMoves: (local) => (local.node.durable.maxUsed > 0 ? [{ kind: 'prepare', ballot: local.node.durable.maxUsed }] : []),
    check(local, action) {
      const d = local.node.durable;
      if (action.ballot <= d.maxUsed) {
        return ruleBroken(
          'ballot-not-new',
          `You already used ballot ${d.maxUsed}. Each new attempt needs a higher ballot, so that no two proposals ever share one.`,
        );
      }
      return null;
    },
    apply(ctx, id, action) {
      const ballot = { n: action.ballot, node: id };
      const d = ctx.durable(id);
      // The ballot is written down before it is used, so a crash can never lead to reusing it.
      ctx.setDurable(id, { ...d, maxUsed: Math.max(d.maxUsed, action.ballot) });
      const promises: Proposal['promises'] = [];
      if (!d.promised || compareBallots(ballot, d.promised) >= 0) {
        // A proposer is its own first acceptor: it promises itself without a message.
        ctx.setDurable(id, { ...ctx.durable(id), promised: ballot });
        promises.push({ from: id, accepted: d.accepted });
      }
      const v = ctx.volatile(id);
      ctx.setVolatile(id, {
        ...v,
        highestSeen: Math.max(v.highestSeen, action.ballot),
        proposal: { ballot, phase: 'preparing', startedAt: ctx.now, promises, refusals: [], value: null },
      });
      // The new ballot has its own time to win.
      armRetry(ctx, id);
      ctx.broadcast(id, { kind: 'prepare', ballot });
    },
    describe: (action) => `started ballot ${action.ballot} and sent PREPARE`,
    label: (action) => `Start ballot ${action.ballot} (send PREPARE)`,
  },
};
