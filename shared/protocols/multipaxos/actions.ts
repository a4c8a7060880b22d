/** A Multi-Paxos node's moves, one entry per kind: what it looks like, when it is legal, the rule it may break, and what it does. */
import { nodeName } from '../../engine/names';
import type { ActionTable } from '../../engine/protocol';
import { rejection, ruleBroken } from '../../engine/rejections';
import type { InboxEntry, NodeId, Rejection } from '../../engine/types';
import { int, literal, object, str, type Schema } from '../../wire/schema';
import { DECREE, MESSAGE_ID, answerSchema, isRejection, pending } from '../common';
import {
  BACKOFF,
  MAX_BALLOT,
  MAX_SLOT,
  NOOP,
  acceptLocally,
  acceptedWords,
  armLeaderTimer,
  ballotText,
  belowPromise,
  compareBallots,
  countAcceptance,
  durableWith,
  follow,
  mayRun,
  nextBallot,
  raisePromise,
  slotWords,
  valueWords,
  volatileWith,
  leadWith,
  type MpAction,
  type MpContext,
  type MpDurable,
  type MpGlobal,
  type MpLocal,
  type MpPayload,
  type MpVolatile,
} from './state';

/** The words of a move on its button, which the move carries and is checked against. */
const WHAT = str(1, 120);

type Entry = InboxEntry<MpPayload>;

/** Schema of an answer that may carry its button's words: `{kind, msg, what?}`. */
function answerWithWords<K extends string>(kind: K): Schema<{ kind: K; msg: number; what?: string }> {
  const shape = { kind: literal(kind), msg: MESSAGE_ID, what: WHAT };
  return object<typeof shape, 'what'>(shape, ['what']) as Schema<{ kind: K; msg: number; what?: string }>;
}

/** "4.B (you accepted 'Y' in slot 2)": what a promise answers and what it will report. */
function promiseWhat(d: MpDurable, entry: Entry): string {
  if (entry.payload.kind !== 'prepare') return '';
  const had = acceptedWords(d.accepted);
  return `${ballotText(entry.payload.ballot)}${had ? ` (${had})` : ''}`;
}

/** "'X' in slot 3 under ballot 4.B". */
function acceptWhat(entry: Entry): string {
  const p = entry.payload;
  return p.kind === 'accept' ? `${valueWords(p.value)} in ${slotWords(p.slot)} under ballot ${ballotText(p.ballot)}` : '';
}

/** "ballot 3.A (you promised 4.B)". */
function refuseWhat(d: MpDurable, entry: Entry): string {
  const p = entry.payload;
  if (p.kind !== 'prepare' && p.kind !== 'accept') return '';
  return `${p.kind === 'prepare' ? 'PREPARE' : 'ACCEPT'} ${ballotText(p.ballot)} (you promised ${d.promised ? ballotText(d.promised) : 'nothing'})`;
}

/** A move whose button words no longer fit the node (it changed since): refused, so nobody acts on a stale button. */
function staleWords(given: string | undefined, now: string): Rejection | null {
  if (given === undefined || given === now) return null;
  return rejection('stale-move', `That button said "${given}", but your node now reads "${now}": look again before you answer.`);
}

/** A promise or an acceptance, unless the node promised a higher ballot. */
function belowPromiseRefusal(local: MpLocal, entry: Entry, verb: 'Promising' | 'Accepting'): Rejection | null {
  const p = entry.payload;
  if (p.kind !== 'prepare' && p.kind !== 'accept') return null;
  const d = local.node.durable;
  if (!belowPromise(d, p.ballot)) return null;
  return ruleBroken(
    'promised-higher',
    `You promised ballot ${ballotText(d.promised!)} to ${nodeName(d.promised!.node)}. ${verb} the lower ballot ${ballotText(p.ballot)} now could let an old leader get a value chosen in a slot that the new leader fills with another, so Paxos forbids it.`,
  );
}

/** An acceptor answered a candidate: the candidate gets a whole timeout to win before this node suspects it. */
function waitForCandidate(ctx: MpContext, id: NodeId): void {
  const v = ctx.volatile(id);
  if (v.lead || v.campaign) return;
  if (v.electionDue) ctx.setVolatile(id, volatileWith(v, { electionDue: false }));
  ctx.cancelTimer(id, BACKOFF);
  armLeaderTimer(ctx, id);
}

export const multipaxosActions: ActionTable<MpDurable, MpVolatile, MpAction, MpPayload, MpGlobal> = {
  promise: {
    schema: answerWithWords('promise'),
    answers: (local, m) =>
      m.payload.kind === 'prepare' && !belowPromise(local.node.durable, m.payload.ballot) ? [{ kind: 'promise', msg: m.id, what: promiseWhat(local.node.durable, m) }] : [],
    // Promise a ballot below the promise as if it were the highest.
    ruleBreakingAnswers: (local, m) =>
      m.payload.kind === 'prepare' && belowPromise(local.node.durable, m.payload.ballot) ? [{ kind: 'promise', msg: m.id, what: promiseWhat(local.node.durable, m) }] : [],
    check(local, action) {
      const entry = pending(local, action.msg, ['prepare']);
      if (isRejection(entry)) return entry;
      return staleWords(action.what, promiseWhat(local.node.durable, entry)) ?? belowPromiseRefusal(local, entry, 'Promising');
    },
    apply(ctx, id, action) {
      const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
      if (entry.payload.kind !== 'prepare') return;
      const ballot = entry.payload.ballot;
      const accepted = ctx.durable(id).accepted;
      ctx.removeFromInbox(id, entry.id);
      raisePromise(ctx, id, ballot);
      waitForCandidate(ctx, id);
      ctx.send(id, entry.from, { kind: 'promise', ballot, accepted });
    },
    describe(action, node) {
      const entry = node.inbox.find((m) => m.id === action.msg);
      return entry?.payload.kind === 'prepare' ? `promised ballot ${ballotText(entry.payload.ballot)}` : 'promised';
    },
    label: (action) => (action.what ? `Promise ballot ${action.what}` : 'Promise'),
  },

  refuse: {
    schema: answerWithWords('refuse'),
    answers: (local, m) =>
      (m.payload.kind === 'prepare' || m.payload.kind === 'accept') && belowPromise(local.node.durable, m.payload.ballot)
        ? [{ kind: 'refuse', msg: m.id, what: refuseWhat(local.node.durable, m) }]
        : [],
    // Refuse a ballot the promise allows.
    ruleBreakingAnswers: (local, m) =>
      (m.payload.kind === 'prepare' || m.payload.kind === 'accept') && !belowPromise(local.node.durable, m.payload.ballot)
        ? [{ kind: 'refuse', msg: m.id, what: refuseWhat(local.node.durable, m) }]
        : [],
    check(local, action) {
      const entry = pending(local, action.msg, ['prepare', 'accept']);
      if (isRejection(entry)) return entry;
      const stale = staleWords(action.what, refuseWhat(local.node.durable, entry));
      if (stale) return stale;
      const p = entry.payload;
      if ((p.kind === 'prepare' || p.kind === 'accept') && !belowPromise(local.node.durable, p.ballot)) {
        return ruleBroken(
          'nothing-to-refuse',
          `A refusal tells a node that you promised a higher ballot, and you have promised nothing above ${ballotText(p.ballot)}. You may answer it, or ignore it.`,
        );
      }
      return null;
    },
    apply(ctx, id, action) {
      const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
      const p = entry.payload;
      if (p.kind !== 'prepare' && p.kind !== 'accept') return;
      ctx.removeFromInbox(id, entry.id);
      ctx.send(id, entry.from, { kind: 'refuse', ballot: p.ballot, promised: ctx.durable(id).promised ?? p.ballot });
    },
    describe: () => 'refused',
    label: (action) => (action.what ? `Refuse ${action.what}` : 'Refuse'),
  },

  accept: {
    schema: answerWithWords('accept'),
    answers: (local, m) => (m.payload.kind === 'accept' && !belowPromise(local.node.durable, m.payload.ballot) ? [{ kind: 'accept', msg: m.id, what: acceptWhat(m) }] : []),
    ruleBreakingAnswers: (local, m) => (m.payload.kind === 'accept' && belowPromise(local.node.durable, m.payload.ballot) ? [{ kind: 'accept', msg: m.id, what: acceptWhat(m) }] : []),
    check(local, action) {
      const entry = pending(local, action.msg, ['accept']);
      if (isRejection(entry)) return entry;
      return staleWords(action.what, acceptWhat(entry)) ?? belowPromiseRefusal(local, entry, 'Accepting');
    },
    apply(ctx, id, action) {
      const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
      if (entry.payload.kind !== 'accept') return;
      const { ballot, slot, value } = entry.payload;
      ctx.removeFromInbox(id, entry.id);
      acceptLocally(ctx, id, ballot, slot, value);
      ctx.send(id, entry.from, { kind: 'accepted', ballot, slot, value });
      // Only a leader that won phase 1 sends ACCEPT: under the ballot this node promised, that is its leader.
      const promised = ctx.durable(id).promised;
      if (promised && compareBallots(promised, ballot) === 0) follow(ctx, id, entry.from, ballot);
    },
    describe(action, node) {
      const entry = node.inbox.find((m) => m.id === action.msg);
      return entry?.payload.kind === 'accept' ? `accepted ${acceptWhat(entry)}` : 'accepted';
    },
    label: (action) => (action.what ? `Accept ${action.what}` : 'Accept'),
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
    schema: object({ kind: literal('propose'), slot: int(0, MAX_SLOT), value: DECREE }),
    moves(local) {
      const lead = local.node.volatile.lead;
      if (!lead) return [];
      const moves: MpAction[] = lead.recover.map((r) => ({ kind: 'propose', slot: r.slot, value: r.value }));
      if (lead.next <= MAX_SLOT) for (const value of lead.queue) moves.push({ kind: 'propose', slot: lead.next, value });
      return moves as { kind: 'propose'; slot: number; value: string }[];
    },
    // Propose another value than a promise reported, a second value in a slot, or a request already in the log.
    ruleBreakingMoves(local) {
      const lead = local.node.volatile.lead;
      if (!lead) return [];
      const moves: { kind: 'propose'; slot: number; value: string }[] = [];
      const reported = lead.recover.find((r) => r.from !== null && r.value !== NOOP) ?? lead.open.find((o) => o.from !== null && o.value !== NOOP);
      if (reported) moves.push({ kind: 'propose', slot: reported.slot, value: NOOP });
      const own = lead.open.filter((o) => o.from === null).at(-1);
      const last = lead.next - 1;
      const taken = own?.slot ?? (last >= 0 && !lead.recover.some((r) => r.slot === last) && !lead.open.some((o) => o.slot === last) ? last : null);
      if (taken !== null) moves.push({ kind: 'propose', slot: taken, value: NOOP });
      const again = lead.ids.at(-1);
      if (again !== undefined && lead.next <= MAX_SLOT) moves.push({ kind: 'propose', slot: lead.next, value: again });
      return moves;
    },
    check(local, action) {
      const { durable: d, volatile: v } = local.node;
      const lead = v.lead;
      if (!lead) {
        return rejection(
          'not-leader',
          v.campaign
            ? `You have not won ballot ${ballotText(v.campaign.ballot)} yet. Only a leader, which holds promises from a majority, puts values in slots: without them a value might already be chosen there that you have not heard of.`
            : 'You are not the leader. Only a node that won phase 1 for its ballot on a majority puts values in slots; hand requests to the leader.',
        );
      }
      const { slot, value } = action;
      if (slot > lead.next) {
        return rejection('slot-ahead', `The next free slot is ${slotWords(lead.next)}. A leader gives each decree the next free slot, so that the log has no holes to fill.`);
      }
      const recovered = lead.recover.find((r) => r.slot === slot);
      if (recovered) {
        if (recovered.from === null) {
          if (value === NOOP) return null;
          return rejection(
            'hole-takes-noop',
            `No promise reported a value in ${slotWords(slot)}, a hole below your highest slot. You fill it with a no-op, which changes nothing when applied, so the log can be applied past it; a new request goes in the next free slot, ${slotWords(lead.next)}.`,
          );
        }
        if (value === recovered.value) return null;
        return ruleBroken(
          'must-adopt-value',
          `A promise reported ${valueWords(recovered.value)} accepted in ${slotWords(slot)} under ballot ${ballotText(recovered.from)}. It may already be chosen there, so you must propose ${valueWords(recovered.value)} again, not ${valueWords(value)}.`,
        );
      }
      const reproposed = lead.open.find((o) => o.slot === slot && o.from !== null);
      if (reproposed && value !== reproposed.value) {
        return ruleBroken(
          'must-adopt-value',
          `A promise reported ${valueWords(reproposed.value)} accepted in ${slotWords(slot)} under ballot ${ballotText(reproposed.from!)}, and you proposed it again. It may already be chosen there, so ${slotWords(slot)} keeps ${valueWords(reproposed.value)}, not ${valueWords(value)}.`,
        );
      }
      if (slot < lead.next) {
        const held = d.chosen[slot] ?? lead.open.find((o) => o.slot === slot)?.value ?? d.accepted[slot]?.value ?? null;
        return ruleBroken(
          'slot-taken',
          `${slotWords(slot)} already holds ${held !== null ? valueWords(held) : 'a value'} under your ballot ${ballotText(lead.ballot)}. One ballot puts one value in a slot: a second one could be chosen there beside the first.`,
        );
      }
      if (value === NOOP) return rejection('not-requested', `A no-op only fills a hole. ${slotWords(slot)} is the next free slot: it takes a request a client asked for.`);
      if (lead.ids.includes(value) || d.chosen.includes(value)) {
        return ruleBroken(
          'already-in-log',
          `${valueWords(value)} is already in the log. A leader never puts one request in two slots, even one a client asked for again: every node would apply it twice.`,
        );
      }
      if (!lead.queue.includes(value)) return rejection('not-requested', `No client asked for ${valueWords(value)}, or it never reached you. A leader puts in the log only what a client asked for.`);
      return null;
    },
    apply(ctx, id, action) {
      const { slot, value } = action;
      const v = ctx.volatile(id);
      const lead = v.lead!;
      const recovered = lead.recover.find((r) => r.slot === slot);
      const recover = recovered ? lead.recover.filter((r) => r.slot !== slot) : lead.recover;
      const fresh = slot === lead.next;
      const before = lead.open.find((o) => o.slot === slot);
      const open = lead.open.filter((o) => o.slot !== slot);
      open.push({ slot, value, acks: [], from: recovered?.from ?? before?.from ?? null, sentAt: ctx.now });
      ctx.setVolatile(
        id,
        volatileWith(v, {
          lead: leadWith(lead, {
            recover,
            open,
            next: fresh ? lead.next + 1 : lead.next,
            ids: fresh && value !== NOOP && !lead.ids.includes(value) ? [...lead.ids, value] : lead.ids,
            queue: lead.queue.includes(value) ? lead.queue.filter((q) => q !== value) : lead.queue,
          }),
        }),
      );
      const ballot = lead.ballot;
      // The leader is an acceptor too: it accepts its own proposal unless it promised a higher ballot.
      if (!belowPromise(ctx.durable(id), ballot)) {
        acceptLocally(ctx, id, ballot, slot, value);
        countAcceptance(ctx, id, id, ballot, slot, value);
      }
      ctx.broadcast(id, { kind: 'accept', ballot, slot, value });
    },
    describe(action, node) {
      const recovered = node.volatile.lead?.recover.find((r) => r.slot === action.slot);
      if (recovered?.from) return `proposed ${valueWords(action.value)} again in ${slotWords(action.slot)}, where a promise reported ${valueWords(recovered.value)} under ballot ${ballotText(recovered.from)}`;
      if (action.value === NOOP) return `filled ${slotWords(action.slot)} with a no-op`;
      return `put ${valueWords(action.value)} in ${slotWords(action.slot)}`;
    },
    label: (action) => (action.value === NOOP ? `Fill ${slotWords(action.slot)} with a no-op` : `Put ${valueWords(action.value)} in ${slotWords(action.slot)}`),
  },

  elect: {
    schema: object({ kind: literal('elect'), ballot: int(1, MAX_BALLOT) }),
    moves: (local) => (mayRun(local) ? [{ kind: 'elect', ballot: nextBallot(local) }] : []),
    // Run again under a ballot already used, or run while the leader's heartbeats still arrive.
    // Offered while the node has a reason to want a leader of its own: a client's request waits on it, or it is running.
    ruleBreakingMoves(local) {
      const v = local.node.volatile;
      if (v.lead || (v.requests.length === 0 && v.campaign === null)) return [];
      const moves: { kind: 'elect'; ballot: number }[] = [];
      const used = local.node.durable.maxUsed;
      if (used > 0) moves.push({ kind: 'elect', ballot: used });
      if (!mayRun(local)) moves.push({ kind: 'elect', ballot: nextBallot(local) });
      return moves;
    },
    check(local, action) {
      const { durable: d, volatile: v } = local.node;
      if (v.lead) return rejection('already-leading', `You lead under ballot ${ballotText(v.lead.ballot)}: a node runs for leader only when it suspects the leader it knows.`);
      if (action.ballot <= d.maxUsed) {
        return ruleBroken('ballot-not-new', `You already used ballot ${d.maxUsed}. Each run for leader needs a higher ballot, so that no two runs ever share one.`);
      }
      if (!mayRun(local)) {
        if (v.leader !== null) {
          return ruleBroken(
            'no-suspicion',
            `Your leader timer has not fired: ${nodeName(v.leader)}'s heartbeats still arrive, so it leads. Running now would depose a working leader and stall the log while the ballots change.`,
          );
        }
        return ruleBroken(
          'no-suspicion',
          v.campaign || !local.node.timers.some((t) => t.name === BACKOFF)
            ? 'Your leader timer has not fired: the node you promised last still has time to win. Running now would pre-empt it, and the two of you could keep pre-empting each other.'
            : 'Your turn has not come: a node before you in the order may still take over. Running now could pre-empt it, and the two of you could keep pre-empting each other.',
        );
      }
      return null;
    },
    apply(ctx, id, action) {
      const ballot = { n: action.ballot, node: id };
      const d = ctx.durable(id);
      // The ballot is written down before it is used, so a crash can never lead to using it again.
      ctx.setDurable(id, durableWith(d, { maxUsed: Math.max(d.maxUsed, action.ballot) }));
      const promises: { from: number; accepted: MpDurable['accepted'] }[] = [];
      // A candidate is its own first acceptor: it promises itself without a message.
      if (!belowPromise(d, ballot)) {
        raisePromise(ctx, id, ballot);
        promises.push({ from: id, accepted: d.accepted });
      }
      const v = ctx.volatile(id);
      ctx.setVolatile(
        id,
        volatileWith(v, {
          campaign: { ballot, promises },
          electionDue: false,
          leader: null,
          leaderBallot: null,
          highestSeen: Math.max(v.highestSeen, action.ballot),
        }),
      );
      ctx.cancelTimer(id, BACKOFF);
      // The run has a timeout to win; then the node suspects it, as it would a leader.
      armLeaderTimer(ctx, id);
      ctx.broadcast(id, { kind: 'prepare', ballot });
    },
    describe: (action, node) => `ran for leader with ballot ${action.ballot}.${nodeName(node.id)} and sent PREPARE`,
    label: (action) => `Run for leader: ballot ${action.ballot} (send PREPARE)`,
  },
};
