/**
 * What a Multi-Paxos node remembers, the moves it makes, the messages it sends, and the steps they
 * share. Each slot of the log is one instance of single-decree Paxos; ballots are shared across slots,
 * so a leader that won phase 1 for its ballot runs only phase 2 for each new decree.
 */
import { majorityOf, nodeName } from '../../engine/names';
import type { Local, NodeOf, ProtocolContext } from '../../engine/protocol';
import type { ElectionPolicy, NodeId, RoundConfig, Slot } from '../../engine/types';
import { withItem } from '../common';
import { ballotText, compareBallots, type Acceptance, type Ballot } from '../paxos/state';

export { ballotText, compareBallots, type Acceptance, type Ballot };

/** The value a leader puts in a hole below its highest slot: applying it changes nothing. */
export const NOOP = '(no-op)';
/** The most slots a log may have in a move (the engine counts slots from 0). */
export const MAX_SLOT = 999;
/** The highest ballot number a node may use. */
export const MAX_BALLOT = 1_000_000;

/** The election policy of a round that names none. */
export const DEFAULT_ELECTION: ElectionPolicy = 'ranked';

export interface MpDurable {
  /** The highest ballot this node promised; it never goes down. */
  promised: Ballot | null;
  /** What it accepted in each slot, and under which ballot (null: nothing). */
  accepted: (Acceptance | null)[];
  /** What it knows is chosen in each slot (null: not known yet). */
  chosen: (string | null)[];
  /** How many slots it has applied: its chosen slots from slot 1 up to the first it does not know. */
  applied: number;
  /** The highest ballot number it has used to run for leader; a new run needs a higher one. */
  maxUsed: number;
}

/** A run for leader: phase 1 of its ballot, and the promises that came back. */
export interface Campaign {
  ballot: Ballot;
  /** Each promise with every slot that acceptor had accepted. */
  promises: { from: NodeId; accepted: readonly (Acceptance | null)[] }[];
}

/** A slot the leader must propose again after taking over: the value a promise reported, or a no-op for a hole. */
export interface Recovered {
  slot: Slot;
  value: string;
  /** The ballot it was accepted under, as the promises reported it; null for a hole. */
  from: Ballot | null;
}

/** A slot the leader proposed under its ballot and has not yet seen chosen, with who accepted it. */
export interface OpenSlot {
  slot: Slot;
  value: string;
  acks: NodeId[];
  /** The ballot a promise reported the value under, when the leader proposed it again after taking over; null for a value of its own. */
  from: Ballot | null;
  /** The tick its ACCEPTs last went out. */
  sentAt: number;
}

/** What a leader keeps while it leads. */
export interface Lead {
  ballot: Ballot;
  /** The next free slot: every slot below it holds a value, as far as this leader knows. */
  next: Slot;
  /** The requests (by their decree) already in the log as this leader knows it: none goes in twice. */
  ids: string[];
  /** Slots to propose again, from phase 1, lowest first. */
  recover: Recovered[];
  /** Slots proposed and not yet seen chosen. */
  open: OpenSlot[];
  /** Requests waiting for a slot. */
  queue: string[];
}

export interface MpVolatile {
  /** The leader this node believes in (itself while it leads), and its ballot; null when it knows none. */
  leader: NodeId | null;
  leaderBallot: Ballot | null;
  /** Requests its clients handed it that it has not yet seen chosen: forwarded to each new leader it learns of. */
  requests: string[];
  /** The nodes it has given up on: suspected leaders, and nodes before it that did not take over in their turn. */
  suspected: NodeId[];
  /** It suspects the leader and its turn has come: it may run for leader. */
  electionDue: boolean;
  campaign: Campaign | null;
  lead: Lead | null;
  /** The highest ballot number it has seen, so that a new run picks one above it. */
  highestSeen: number;
}

/** The god view's own books: the highest ballot each node ever promised, to see that a promise never goes down. */
export interface MpGlobal {
  promised: (Ballot | null)[];
}

export type MpAction =
  /** `what`: the move's words on its button ("4.B (you accepted 'Y' in slot 2)"); checked when given. */
  | { kind: 'promise'; msg: number; what?: string }
  | { kind: 'refuse'; msg: number; what?: string }
  | { kind: 'accept'; msg: number; what?: string }
  | { kind: 'ignore'; msg: number }
  | { kind: 'propose'; slot: number; value: string }
  | { kind: 'elect'; ballot: number };

export type MpPayload =
  | { kind: 'request'; decree: string }
  | { kind: 'prepare'; ballot: Ballot }
  | { kind: 'promise'; ballot: Ballot; accepted: readonly (Acceptance | null)[] }
  | { kind: 'refuse'; ballot: Ballot; promised: Ballot }
  | { kind: 'accept'; ballot: Ballot; slot: Slot; value: string }
  | { kind: 'accepted'; ballot: Ballot; slot: Slot; value: string }
  | { kind: 'chosen'; slot: Slot; value: string }
  /** `log`: every slot the leader knows chosen (null where it does not), so a follower that missed a CHOSEN catches up. */
  | { kind: 'heartbeat'; ballot: Ballot; log: readonly (string | null)[] };

export type MpLocal = Local<MpDurable, MpVolatile, MpPayload>;
export type MpContext = ProtocolContext<MpDurable, MpVolatile, MpPayload, MpGlobal>;
export type MpNode = NodeOf<MpDurable, MpVolatile, MpPayload>;

/*
 * A node's records changed in a few parts. Each is made field by field in one order, as the engine
 * makes its nodes (see `put` in engine/context.ts): spread (`{ ...v, lead }`), a record meets as
 * many shapes as there are places that change it, and V8 then copies it slowly at every step. The
 * keys keep the order the records start with, so a world's JSON is the same either way.
 */

/** The durable state with these parts changed. */
export function durableWith(d: MpDurable, c: Partial<MpDurable>): MpDurable {
  return {
    promised: c.promised === undefined ? d.promised : c.promised,
    accepted: c.accepted === undefined ? d.accepted : c.accepted,
    chosen: c.chosen === undefined ? d.chosen : c.chosen,
    applied: c.applied === undefined ? d.applied : c.applied,
    maxUsed: c.maxUsed === undefined ? d.maxUsed : c.maxUsed,
  };
}

/** The volatile state with these parts changed. */
export function volatileWith(v: MpVolatile, c: Partial<MpVolatile>): MpVolatile {
  return {
    leader: c.leader === undefined ? v.leader : c.leader,
    leaderBallot: c.leaderBallot === undefined ? v.leaderBallot : c.leaderBallot,
    requests: c.requests === undefined ? v.requests : c.requests,
    suspected: c.suspected === undefined ? v.suspected : c.suspected,
    electionDue: c.electionDue === undefined ? v.electionDue : c.electionDue,
    campaign: c.campaign === undefined ? v.campaign : c.campaign,
    lead: c.lead === undefined ? v.lead : c.lead,
    highestSeen: c.highestSeen === undefined ? v.highestSeen : c.highestSeen,
  };
}

/** A lead with these parts changed. */
export function leadWith(lead: Lead, c: Partial<Lead>): Lead {
  return {
    ballot: c.ballot === undefined ? lead.ballot : c.ballot,
    next: c.next === undefined ? lead.next : c.next,
    ids: c.ids === undefined ? lead.ids : c.ids,
    recover: c.recover === undefined ? lead.recover : c.recover,
    open: c.open === undefined ? lead.open : c.open,
    queue: c.queue === undefined ? lead.queue : c.queue,
  };
}

/** An open slot with other acknowledgements, or sent again at another tick. */
function openWith(o: OpenSlot, acks: NodeId[], sentAt: number): OpenSlot {
  return { slot: o.slot, value: o.value, acks, from: o.from, sentAt };
}

export const HEARTBEAT = 'heartbeat';
export const LEADER_TIMER = 'leader';
export const BACKOFF = 'backoff';

/** Slots are counted from 1 for people; the engine counts them from 0. */
export const slotWords = (slot: Slot): string => `slot ${slot + 1}`;

/** A value as people read it: a request in quotes, a no-op as such. */
export const valueWords = (value: string): string => (value === NOOP ? 'a no-op' : `'${value}'`);

export function electionOf(config: RoundConfig): ElectionPolicy {
  return config.settings.election ?? DEFAULT_ELECTION;
}

/** How often a leader sends a heartbeat: a third of the timeout, so that two may be lost before a follower suspects it. */
export function heartbeatTicks(config: RoundConfig): number {
  return Math.max(1, Math.floor(config.settings.timeoutTicks / 3));
}

export function belowPromise(d: MpDurable, ballot: Ballot): boolean {
  return d.promised !== null && compareBallots(ballot, d.promised) < 0;
}

function higher(a: Ballot | null, b: Ballot): Ballot {
  return a && compareBallots(a, b) > 0 ? a : b;
}

function withSlot<T>(log: readonly T[], slot: Slot, value: T, fill: T): T[] {
  const next = log.slice();
  while (next.length < slot) next.push(fill);
  next[slot] = value;
  return next;
}

/** The first slot from `from` that this node does not know chosen. */
function firstGap(chosen: readonly (string | null)[], from: number): number {
  let slot = from;
  while (chosen[slot] != null) slot += 1;
  return slot;
}

/** What a node has applied, in order. */
export function appliedLog(d: MpDurable): string[] {
  return d.chosen.slice(0, d.applied) as string[];
}

/** The node promises a ballot (never lower than it promised): on disk, and in the god view's books. */
export function raisePromise(ctx: MpContext, id: NodeId, ballot: Ballot): void {
  const d = ctx.durable(id);
  const promised = higher(d.promised, ballot);
  if (promised === d.promised) return;
  ctx.setDurable(id, durableWith(d, { promised }));
  const g = ctx.protocolGlobal();
  const record = g.promised[id] ?? null;
  if (record === null || compareBallots(promised, record) > 0) {
    const list = g.promised.slice();
    list[id] = promised;
    ctx.setProtocolGlobal({ promised: list });
  }
  // A node that promised a higher ballot than its own campaign or lead has given them up.
  const v = ctx.volatile(id);
  const mine = v.lead?.ballot ?? v.campaign?.ballot ?? null;
  if (mine && compareBallots(mine, promised) < 0) stepDown(ctx, id);
}

/** The leader timer: a follower waits one timeout for a heartbeat before it suspects the leader. */
export function armLeaderTimer(ctx: MpContext, id: NodeId): void {
  ctx.setTimer(id, LEADER_TIMER, ctx.config.settings.timeoutTicks);
}

/** The node no longer leads or runs for leader: it follows again, and waits for a heartbeat. */
export function stepDown(ctx: MpContext, id: NodeId): void {
  const v = ctx.volatile(id);
  if (v.lead === null && v.campaign === null) return;
  const leading = v.lead !== null;
  ctx.setVolatile(id, volatileWith(v, { lead: null, campaign: null, leader: leading ? null : v.leader, leaderBallot: leading ? null : v.leaderBallot }));
  if (leading) {
    ctx.cancelTimer(id, HEARTBEAT);
    ctx.emit({ type: 'stepped-down', visibleTo: [id], node: id, text: `${nodeName(id)} no longer leads: a higher ballot is about.` });
  }
  armLeaderTimer(ctx, id);
}

/** A client's request reaches a node that knows a leader: it is sent on to it, or queued if this node leads. */
function offer(ctx: MpContext, id: NodeId, decree: string): void {
  const v = ctx.volatile(id);
  if (v.lead) {
    enqueue(ctx, id, decree);
    return;
  }
  if (v.leader !== null && v.leader !== id) ctx.send(id, v.leader, { kind: 'request', decree });
}

/** The leader takes a request into its queue, unless it is in the log already (a client's retry) or queued. */
export function enqueue(ctx: MpContext, id: NodeId, decree: string): void {
  const v = ctx.volatile(id);
  const lead = v.lead;
  if (!lead || lead.ids.includes(decree) || lead.queue.includes(decree) || ctx.durable(id).chosen.includes(decree)) return;
  ctx.setVolatile(id, volatileWith(v, { lead: leadWith(lead, { queue: [...lead.queue, decree] }) }));
}

/** A client hands this node a request: it keeps it until it sees it chosen, and hands it to the leader it knows. */
export function takeRequest(ctx: MpContext, id: NodeId, decree: string): void {
  if (ctx.durable(id).chosen.includes(decree)) return;
  const v = ctx.volatile(id);
  if (!v.requests.includes(decree)) ctx.setVolatile(id, volatileWith(v, { requests: [...v.requests, decree] }));
  offer(ctx, id, decree);
}

/** The node now believes in `leader` under `ballot`; a new leader gets every request it holds. */
export function follow(ctx: MpContext, id: NodeId, leader: NodeId, ballot: Ballot): void {
  const v = ctx.volatile(id);
  const changed = v.leader !== leader || v.leaderBallot === null || compareBallots(v.leaderBallot, ballot) !== 0;
  if (!changed) return;
  const suspected = v.suspected.includes(leader) ? v.suspected.filter((n) => n !== leader) : v.suspected;
  ctx.setVolatile(id, volatileWith(v, { leader, leaderBallot: ballot, suspected, electionDue: false }));
  ctx.cancelTimer(id, BACKOFF);
  // A belief needs a timer behind it: a follower that believes in a leader again (an old ACCEPT
  // answered after it suspected that leader) must come to suspect it again if it is gone.
  if (leader !== id && !ctx.timer(id, LEADER_TIMER)) armLeaderTimer(ctx, id);
  for (const decree of v.requests) offer(ctx, id, decree);
}

/** The node learns what is chosen in a slot, and applies every slot it now can, in order. */
export function learn(ctx: MpContext, id: NodeId, slot: Slot, value: string, how: string): void {
  const d = ctx.durable(id);
  if (d.chosen[slot] != null) return;
  const chosen = withSlot(d.chosen, slot, value, null);
  const applied = firstGap(chosen, d.applied);
  ctx.setDurable(id, durableWith(d, { chosen, applied }));
  const v = ctx.volatile(id);
  if (v.requests.includes(value)) ctx.setVolatile(id, volatileWith(v, { requests: v.requests.filter((r) => r !== value) }));
  const then = applied > d.applied ? `; it applies up to ${slotWords(applied - 1)}` : `; it waits for ${slotWords(d.applied)} before applying it`;
  ctx.emit({ type: 'learned', visibleTo: [id], node: id, slot, decree: value, text: `${nodeName(id)} learned that ${valueWords(value)} is chosen in ${slotWords(slot)} (${how})${then}.` });
}

/** The acceptor half of accepting: on disk, in the god view's ballot box of that slot, and counted by the leader if it is one. */
export function acceptLocally(ctx: MpContext, id: NodeId, ballot: Ballot, slot: Slot, value: string): void {
  raisePromise(ctx, id, ballot);
  const d = ctx.durable(id);
  ctx.setDurable(id, durableWith(d, { accepted: withSlot(d.accepted, slot, { ballot, value }, null) }));
  ctx.castVote({
    slot,
    key: `mp:${ballot.n}.${ballot.node}`,
    value,
    voter: id,
    verb: 'accepted',
    // Only the leader counts acceptances: the voter knew only if it is that leader and its count already shows the majority.
    voterKnew() {
      const lead = ctx.volatile(id).lead;
      const open = lead && compareBallots(lead.ballot, ballot) === 0 ? lead.open.find((o) => o.slot === slot) : undefined;
      return (open?.acks.length ?? 0) >= majorityOf(ctx.config.nodes);
    },
  });
}

/** The leader counts an acceptance of a slot under its ballot; at a majority the value is chosen, and it tells the others. */
export function countAcceptance(ctx: MpContext, id: NodeId, from: NodeId, ballot: Ballot, slot: Slot, value: string): void {
  const v = ctx.volatile(id);
  const lead = v.lead;
  if (!lead || compareBallots(lead.ballot, ballot) !== 0) return;
  const index = lead.open.findIndex((o) => o.slot === slot && o.value === value);
  if (index < 0) return;
  const entry = lead.open[index]!;
  if (entry.acks.includes(from)) return;
  const acks = [...entry.acks, from];
  const open = lead.open.slice();
  if (acks.length >= majorityOf(ctx.config.nodes)) {
    open.splice(index, 1);
    ctx.setVolatile(id, volatileWith(v, { lead: leadWith(lead, { open }) }));
    learn(ctx, id, slot, value, `its count of ballot ${ballotText(ballot)} shows a majority`);
    // Only a leader that saw the majority itself tells the others.
    ctx.broadcast(id, { kind: 'chosen', slot, value });
    return;
  }
  open[index] = openWith(entry, acks, entry.sentAt);
  ctx.setVolatile(id, volatileWith(v, { lead: leadWith(lead, { open }) }));
}

/**
 * What a new leader must propose again, from its majority of promises: in every slot up to the highest
 * any promise reported, the value accepted under the highest ballot there, or a no-op in a hole. One
 * request may show up in two slots (two leaders, each unaware of the other's slot, put it in): it
 * could be chosen only in the one with the higher ballot, so that one keeps it and the other gets a
 * no-op, and the request is never chosen twice. Slots this node knows chosen keep what was chosen.
 */
export function recoverLog(d: MpDurable, promises: Campaign['promises']): { recover: Recovered[]; next: Slot; ids: string[] } {
  let length = d.chosen.length;
  for (const p of promises) length = Math.max(length, p.accepted.length);
  const best: (Acceptance | null)[] = new Array<Acceptance | null>(length).fill(null);
  for (const p of promises) {
    p.accepted.forEach((a, slot) => {
      if (a && d.chosen[slot] == null) {
        const held = best[slot];
        if (!held || compareBallots(a.ballot, held.ballot) > 0) best[slot] = a;
      }
    });
  }
  // Where each request stands: a chosen slot wins outright, otherwise the highest ballot.
  const home = new Map<string, { slot: Slot; ballot: Ballot | null }>();
  for (let slot = 0; slot < length; slot++) {
    const chosen = d.chosen[slot];
    if (chosen != null) {
      if (chosen !== NOOP) home.set(chosen, { slot, ballot: null });
      continue;
    }
    const a = best[slot];
    if (!a || a.value === NOOP) continue;
    const other = home.get(a.value);
    if (!other || (other.ballot !== null && compareBallots(a.ballot, other.ballot) > 0)) home.set(a.value, { slot, ballot: a.ballot });
  }
  const recover: Recovered[] = [];
  for (let slot = 0; slot < length; slot++) {
    if (d.chosen[slot] != null) continue;
    const a = best[slot];
    if (a && (a.value === NOOP || home.get(a.value)?.slot === slot)) recover.push({ slot, value: a.value, from: a.ballot });
    else recover.push({ slot, value: NOOP, from: null });
  }
  return { recover, next: length, ids: [...home.keys()] };
}

/** The node won phase 1: it leads, recovers the log from its promises, and tells everyone at once. */
export function takeOver(ctx: MpContext, id: NodeId, campaign: Campaign): void {
  const d = ctx.durable(id);
  const { recover, next, ids } = recoverLog(d, campaign.promises);
  const v = ctx.volatile(id);
  const queue = v.requests.filter((r) => !ids.includes(r));
  ctx.setVolatile(
    id,
    volatileWith(v, {
      campaign: null,
      lead: { ballot: campaign.ballot, next, ids, recover, open: [], queue },
      leader: id,
      leaderBallot: campaign.ballot,
      electionDue: false,
      suspected: [],
    }),
  );
  ctx.cancelTimer(id, LEADER_TIMER);
  ctx.cancelTimer(id, BACKOFF);
  const toDo = recover.length > 0 ? ` It must propose ${recover.length === 1 ? 'one slot' : `${recover.length} slots`} again before the log is whole.` : '';
  ctx.emit({
    type: 'quorum',
    visibleTo: [id],
    node: id,
    text: `${nodeName(id)} holds promises from a majority for ballot ${ballotText(campaign.ballot)}: it leads.${toDo}`,
  });
  sendHeartbeat(ctx, id);
}

/** The leader's heartbeat, with what it knows chosen; ACCEPTs not yet answered go out again. */
export function sendHeartbeat(ctx: MpContext, id: NodeId): void {
  const lead = ctx.volatile(id).lead;
  if (!lead) return;
  const d = ctx.durable(id);
  ctx.broadcast(id, { kind: 'heartbeat', ballot: lead.ballot, log: d.chosen });
  // An ACCEPT still unanswered after a whole timeout may have been lost: it goes out again to those that did not answer.
  const due = ctx.now - ctx.config.settings.timeoutTicks;
  if (lead.open.some((o) => o.sentAt <= due)) {
    const open = lead.open.map((o) => {
      if (o.sentAt > due) return o;
      for (let to = 0; to < ctx.config.nodes; to++) {
        if (to !== id && !o.acks.includes(to)) ctx.send(id, to, { kind: 'accept', ballot: lead.ballot, slot: o.slot, value: o.value });
      }
      return openWith(o, o.acks, ctx.now);
    });
    const v = ctx.volatile(id);
    ctx.setVolatile(id, volatileWith(v, { lead: leadWith(lead, { open }) }));
  }
  ctx.setTimer(id, HEARTBEAT, heartbeatTicks(ctx.config));
}

/** How many nodes come before this one in the order of names that it has not given up on. */
export function rankOf(v: MpVolatile, id: NodeId): number {
  let rank = 0;
  for (let other = 0; other < id; other++) if (!v.suspected.includes(other)) rank += 1;
  return rank;
}

/**
 * The leader timer fired: the node suspects the leader it believed in (or the candidate it promised
 * last) and gives up on it. Naive: it may run for leader at once. Ranked: it waits a timeout for each
 * node before it that it has not given up on, and runs only if none of them took over.
 */
export function suspect(ctx: MpContext, id: NodeId): void {
  const v = ctx.volatile(id);
  const promised = ctx.durable(id).promised;
  const gone = v.leader ?? (promised && promised.node !== id ? promised.node : null);
  const suspected = gone !== null && gone !== id ? withItem(v.suspected, gone) : v.suspected;
  const next = volatileWith(v, { suspected, leader: null, leaderBallot: null, campaign: null });
  const rank = electionOf(ctx.config) === 'ranked' ? rankOf(next, id) : 0;
  ctx.setVolatile(id, volatileWith(next, { electionDue: rank === 0 }));
  if (rank > 0) ctx.setTimer(id, BACKOFF, rank * ctx.config.settings.timeoutTicks);
}

/** The backoff ran out and no node before this one took over (a heartbeat would have stopped it): it gives up on them and may run. */
export function backoffOver(ctx: MpContext, id: NodeId): void {
  const v = ctx.volatile(id);
  let suspected = v.suspected;
  for (let other = 0; other < id; other++) suspected = withItem(suspected, other);
  ctx.setVolatile(id, volatileWith(v, { suspected, electionDue: true }));
}

/** Whether the node may run for leader now: its leader timer fired and its turn came; without timeouts, whenever it knows no leader. */
export function mayRun(local: MpLocal): boolean {
  const v = local.node.volatile;
  if (v.lead) return false;
  if (local.config.settings.noTimeouts === true) return v.leader === null && v.campaign === null;
  return v.electionDue;
}

/** The ballot number a node's next run takes: above everything it used, saw or promised. */
export function nextBallot(local: MpLocal): number {
  const d = local.node.durable;
  return Math.max(d.maxUsed, local.node.volatile.highestSeen, d.promised?.n ?? 0) + 1;
}

/** What a promise reports, in a few words: "you accepted 'Y' in slot 2". */
export function acceptedWords(accepted: readonly (Acceptance | null)[]): string | null {
  const held: string[] = [];
  let count = 0;
  let last = '';
  accepted.forEach((a, slot) => {
    if (!a) return;
    count += 1;
    last = `${valueWords(a.value)} in ${slotWords(slot)}`;
    if (held.length < 2) held.push(last);
  });
  if (count === 0) return null;
  if (count <= 2) return `you accepted ${held.join(' and ')}`;
  return `you accepted ${count} slots, up to ${last}`;
}
