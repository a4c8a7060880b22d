/**
 * Multi-Paxos: Paxos with a leader. The log is a row of slots, each one instance of single-decree
 * Paxos, with ballots shared across slots: a node becomes leader by winning phase 1 for its ballot on
 * a majority, then runs only phase 2 for each new decree. Clients hand decrees to any node, which
 * sends them on to the leader it believes in (or holds them until it knows one); the leader gives each
 * the next free slot, and never puts one request (known by its decree) in two slots. A new leader's
 * promises carry every slot each acceptor accepted: it proposes again the value of the highest ballot
 * in each, and fills the holes below its highest slot with no-ops. A value is chosen in a slot when a
 * majority accepted it under one ballot; the leader, having counted that majority itself, tells the
 * others, and every node applies the chosen slots in order. The leader sends heartbeats; a follower
 * whose leader timer runs out suspects it, and runs for leader as the round's election policy says.
 */
import { majorityOf, nodeName } from '../../engine/names';
import { defineProtocol } from '../../engine/protocol';
import type { CommitPoint, LearnedLog } from '../../engine/types';
import { spreadRequests } from '../common';
import { multipaxosActions } from './actions';
import { multipaxosPolicy } from './bots';
import { appliedWhole, multipaxosPresentation } from './present';
import {
  BACKOFF,
  HEARTBEAT,
  LEADER_TIMER,
  NOOP,
  armLeaderTimer,
  backoffOver,
  ballotText,
  belowPromise,
  compareBallots,
  countAcceptance,
  enqueue,
  follow,
  learn,
  sendHeartbeat,
  slotWords,
  stepDown,
  suspect,
  takeOver,
  takeRequest,
  valueWords,
  volatileWith,
  type MpAction,
  type MpDurable,
  type MpGlobal,
  type MpPayload,
  type MpVolatile,
} from './state';

export { NOOP, appliedLog, electionOf, recoverLog, slotWords, DEFAULT_ELECTION } from './state';
export type { MpAction, MpDurable, MpGlobal, MpPayload, MpVolatile } from './state';

/** The decree first chosen in each slot, slot by slot, up to the first slot with none. */
function chosenPrefix(chosen: readonly CommitPoint[]): string[] {
  const bySlot: (string | undefined)[] = [];
  for (const c of chosen) if (bySlot[c.slot] === undefined) bySlot[c.slot] = c.decree;
  const log: string[] = [];
  for (const value of bySlot) {
    if (value === undefined) break;
    log.push(value);
  }
  return log;
}

export const multipaxos = defineProtocol<MpDurable, MpVolatile, MpAction, MpPayload, MpGlobal>({
  name: 'multipaxos',
  title: 'Multi-Paxos',
  moveNoun: 'a Multi-Paxos',

  roleOf: () => 'acceptor, and leader once elected',

  initDurable: () => ({ promised: null, accepted: [], chosen: [], applied: 0, maxUsed: 0 }),

  initVolatile: () => ({ leader: null, leaderBallot: null, requests: [], suspected: [], electionDue: false, campaign: null, lead: null, highestSeen: 0 }),

  initGlobal: (config) => ({ promised: new Array<null>(config.nodes).fill(null) }),

  // No node knows a leader at the start: like a follower, each waits a whole timeout for a heartbeat
  // before it suspects there is none, and the election policy then says who runs when. Without
  // timeouts no timer runs, and a node that knows no leader may run whenever its player judges so.
  onStart: armLeaderTimer,

  onPropose(ctx, id, decree) {
    takeRequest(ctx, id, decree);
  },

  onRecover(ctx, id) {
    // What it promised, accepted and knows chosen is on disk, and the ballots it used; it knows no leader.
    const d = ctx.durable(id);
    ctx.setVolatile(id, volatileWith(ctx.volatile(id), { highestSeen: Math.max(d.maxUsed, d.promised?.n ?? 0) }));
    armLeaderTimer(ctx, id);
  },

  onDeliver(ctx, id, message) {
    const p = message.payload;
    const from = message.from;
    let v = ctx.volatile(id);
    // A node heard from is up: it is no longer given up on.
    if (v.suspected.length > 0 && v.suspected.includes(from)) {
      v = volatileWith(v, { suspected: v.suspected.filter((n) => n !== from) });
      ctx.setVolatile(id, v);
    }
    switch (p.kind) {
      case 'request': {
        if (v.lead) enqueue(ctx, id, p.decree);
        // Not the leader (any more): it holds the request and hands it to the next leader it learns of.
        else if (!v.requests.includes(p.decree) && !ctx.durable(id).chosen.includes(p.decree)) ctx.setVolatile(id, volatileWith(v, { requests: [...v.requests, p.decree] }));
        return false;
      }
      case 'prepare': {
        if (p.ballot.n > v.highestSeen) ctx.setVolatile(id, volatileWith(v, { highestSeen: p.ballot.n }));
        // The same PREPARE twice (the network duplicated it) waits once.
        return !ctx.node(id).inbox.some((m) => m.from === from && m.payload.kind === 'prepare' && compareBallots(m.payload.ballot, p.ballot) === 0);
      }
      case 'accept': {
        if (p.ballot.n > v.highestSeen) ctx.setVolatile(id, volatileWith(v, { highestSeen: p.ballot.n }));
        const mine = ctx.durable(id).accepted[p.slot];
        // Accepted already (the leader sent it again): the answer goes out again by itself.
        if (mine && mine.value === p.value && compareBallots(mine.ballot, p.ballot) === 0) {
          ctx.send(id, from, { kind: 'accepted', ballot: p.ballot, slot: p.slot, value: p.value });
          return false;
        }
        return !ctx.node(id).inbox.some(
          (m) => m.payload.kind === 'accept' && m.payload.slot === p.slot && m.payload.value === p.value && compareBallots(m.payload.ballot, p.ballot) === 0,
        );
      }
      case 'promise': {
        const campaign = v.campaign;
        if (!campaign || compareBallots(campaign.ballot, p.ballot) !== 0 || campaign.promises.some((x) => x.from === from)) return false;
        const next = { ballot: campaign.ballot, promises: [...campaign.promises, { from, accepted: p.accepted }] };
        ctx.setVolatile(id, volatileWith(v, { campaign: next }));
        if (next.promises.length >= majorityOf(ctx.config.nodes)) takeOver(ctx, id, next);
        return false;
      }
      case 'refuse': {
        if (p.promised.n > v.highestSeen) ctx.setVolatile(id, volatileWith(ctx.volatile(id), { highestSeen: p.promised.n }));
        const mine = v.lead?.ballot ?? v.campaign?.ballot;
        // Its ballot is beaten: a higher one was promised.
        if (mine && compareBallots(mine, p.ballot) === 0) stepDown(ctx, id);
        return false;
      }
      case 'accepted':
        countAcceptance(ctx, id, from, p.ballot, p.slot, p.value);
        return false;
      case 'chosen':
        learn(ctx, id, p.slot, p.value, `${nodeName(from)} announced it`);
        return false;
      case 'heartbeat': {
        // A heartbeat below this node's promise comes from a leader that has been replaced.
        if (belowPromise(ctx.durable(id), p.ballot)) return false;
        const mine = v.lead?.ballot ?? v.campaign?.ballot;
        if (mine && compareBallots(mine, p.ballot) < 0) stepDown(ctx, id);
        follow(ctx, id, from, p.ballot);
        armLeaderTimer(ctx, id);
        const d = ctx.durable(id);
        for (let slot = d.applied; slot < p.log.length; slot++) {
          const value = p.log[slot];
          if (value != null && ctx.durable(id).chosen[slot] == null) learn(ctx, id, slot, value, `${nodeName(from)}'s heartbeat carried it`);
        }
        return false;
      }
      default:
        return false;
    }
  },

  actions: multipaxosActions,

  timers: {
    [HEARTBEAT]: {
      title: 'heartbeat timer',
      then: () => 'you send a heartbeat to every node, and again every ACCEPT that has waited a whole timeout for its answers',
      fired: () => 'it sends a heartbeat',
      onTimeout: sendHeartbeat,
    },
    [LEADER_TIMER]: {
      title: 'leader timer',
      then: ({ volatile: v }) =>
        v.campaign
          ? `you give up on your ballot ${ballotText(v.campaign.ballot)}, which has not won`
          : v.leader !== null
            ? `you suspect ${nodeName(v.leader)}, whose heartbeats stopped`
            : 'you suspect that no leader is coming',
      fired: ({ volatile: v }) =>
        v.campaign
          ? `its ballot ${ballotText(v.campaign.ballot)} has not won in time`
          : v.leader !== null
            ? `no heartbeat came from ${nodeName(v.leader)} for a whole timeout, so it suspects it`
            : 'no heartbeat came for a whole timeout, so it suspects there is no leader',
      onTimeout: suspect,
    },
    [BACKOFF]: {
      title: 'turn timer',
      then: () => 'if no node before you in the order has taken over, you may run for leader',
      fired: () => 'no node before it in the order took over, so it may run for leader',
      onTimeout: backoffOver,
    },
  },

  ruleTitles: {
    'promised-higher': 'never answer a ballot below your promise',
    'nothing-to-refuse': 'refuse only ballots below your promise',
    'ballot-not-new': 'every ballot is new',
    'no-suspicion': 'run for leader only once you suspect the leader',
    'must-adopt-value': 'propose again the value a promise reported',
    'slot-taken': 'one value per slot under a ballot',
    'already-in-log': 'never put one request in two slots',
  },

  messages: {
    request: { label: (p) => `REQUEST '${p.decree}'`, countsTowardOutcome: true },
    prepare: { label: (p) => `PREPARE ${ballotText(p.ballot)}`, countsTowardOutcome: false },
    promise: {
      label: (p) => {
        const count = p.accepted.reduce((n, a) => (a ? n + 1 : n), 0);
        return count === 0 ? `PROMISE ${ballotText(p.ballot)}` : `PROMISE ${ballotText(p.ballot)} (${count} slot${count === 1 ? '' : 's'} accepted)`;
      },
      countsTowardOutcome: true,
    },
    refuse: { label: (p) => `REFUSE ${ballotText(p.ballot)} (promised ${ballotText(p.promised)})`, countsTowardOutcome: false },
    accept: { label: (p) => `ACCEPT ${ballotText(p.ballot)} ${slotWords(p.slot)} ${p.value === NOOP ? 'no-op' : `'${p.value}'`}`, countsTowardOutcome: true },
    accepted: { label: (p) => `ACCEPTED ${ballotText(p.ballot)} ${slotWords(p.slot)} ${p.value === NOOP ? 'no-op' : `'${p.value}'`}`, countsTowardOutcome: true },
    chosen: { label: (p) => `CHOSEN ${slotWords(p.slot)} ${p.value === NOOP ? 'no-op' : `'${p.value}'`}`, countsTowardOutcome: true },
    heartbeat: { label: (p) => `HEARTBEAT ${ballotText(p.ballot)}`, countsTowardOutcome: true },
  },

  // The log, once every request a client made is chosen in a slot of an unbroken run from slot 1
  // (no-ops after the last request left off: applying them changes nothing).
  outcome(world) {
    if (world.proposed.length === 0) return null;
    const log = chosenPrefix(world.global.chosen);
    if (!world.proposed.every((d) => log.includes(d))) return null;
    let end = log.length;
    while (end > 0 && log[end - 1] === NOOP) end -= 1;
    return log.slice(0, end).join(', ');
  },
  mustKnowOutcome: () => true,
  // A node knows the log once it has applied all of it.
  knowsOutcome: (node, outcome) => appliedWhole(node.durable, outcome),
  learned: (node): LearnedLog => node.durable.chosen,
  noOp: NOOP,

  invariants(world) {
    const broken: { code: string; message: string }[] = [];
    // A request is applied once: it is chosen in one slot at most.
    const slotOf = new Map<string, number>();
    for (const c of world.global.chosen) {
      if (c.decree === NOOP) continue;
      const first = slotOf.get(c.decree);
      if (first === undefined) slotOf.set(c.decree, c.slot);
      else if (first !== c.slot) {
        broken.push({ code: 'chosen-twice', message: `${valueWords(c.decree)} is chosen in ${slotWords(first)} and again in ${slotWords(c.slot)}: every node would apply it twice.` });
      }
    }
    // Every node applies the same log: what two nodes applied agrees up to the shorter of the two.
    let longest = world.nodes[0]!;
    for (const node of world.nodes) if (node.durable.applied > longest.durable.applied) longest = node;
    for (const node of world.nodes) {
      const d = node.durable;
      for (let slot = 0; slot < d.applied; slot++) {
        if (d.chosen[slot] == null) {
          broken.push({ code: 'applied-unknown', message: `${nodeName(node.id)} applied ${slotWords(slot)} without knowing what is chosen there.` });
          break;
        }
        if (d.chosen[slot] !== longest.durable.chosen[slot]) {
          broken.push({
            code: 'applied-differ',
            message: `${nodeName(node.id)} applied ${valueWords(d.chosen[slot]!)} in ${slotWords(slot)}, but ${nodeName(longest.id)} applied ${valueWords(longest.durable.chosen[slot] ?? '?')} there.`,
          });
          break;
        }
      }
      // A promise never goes down: the god view keeps the highest each node made.
      const record = world.global.protocol.promised[node.id] ?? null;
      if (record !== null && (d.promised === null || compareBallots(d.promised, record) < 0)) {
        broken.push({
          code: 'promise-lowered',
          message: `${nodeName(node.id)} had promised ballot ${ballotText(record)}, and now holds ${d.promised ? ballotText(d.promised) : 'no promise'}: a lower ballot could win it again.`,
        });
      }
    }
    return broken;
  },

  decidesOnceHealed: true,

  clients: { oneRequest: false, openingRequests: spreadRequests },

  bots: { policy: multipaxosPolicy, eagerShare: 0.3 },

  present: multipaxosPresentation,
});
