/**
 * What a Raft server remembers (the split of the paper's Figure 2: currentTerm, votedFor and the log
 * on disk; the role, commitIndex, lastApplied, nextIndex and matchIndex in memory), its messages, and
 * the steps its moves, deliveries and timers share. Log indexes are counted from 1, as in the paper;
 * entry i sits in slot i - 1 of the engine's books.
 */
import { majorityOf, nodeName } from '../../engine/names';
import type { Local, NodeOf, ProtocolContext } from '../../engine/protocol';
import type { NodeId, RoundConfig } from '../../engine/types';
import { withItem } from '../common';

export interface Entry {
  term: number;
  value: string;
}

export interface RaftDurable {
  /** currentTerm: the latest term this server has seen. */
  term: number;
  /** votedFor: the candidate it voted for in `term`, or null. */
  votedFor: NodeId | null;
  log: Entry[];
}

export type Role = 'follower' | 'candidate' | 'leader';

export interface RaftVolatile {
  role: Role;
  /** The leader it knows in its current term, or null. */
  leader: NodeId | null;
  /** The highest index it knows to be committed (0: none). */
  commitIndex: number;
  /** The highest index it applied to its state machine. */
  lastApplied: number;
  /** A candidate's votes in its current term, itself first. */
  votes: NodeId[];
  /** A leader's next index to send to each server, by node id. */
  nextIndex: number[];
  /** A leader's highest index known to be replicated on each server (its own last index for itself). */
  matchIndex: number[];
  /** A leader's last index sent to each server since its last heartbeat or refusal: what it need not send again yet. */
  sentUpTo: number[];
  /** Clients' requests this server holds until it sees them committed. */
  requests: string[];
  /** Its election timer fired with no leader heard from: it may stand for election. */
  electionDue: boolean;
}

export type RaftAction =
  | { kind: 'startElection' }
  | { kind: 'grant'; msg: number }
  | { kind: 'accept'; msg: number }
  | { kind: 'refuse'; msg: number }
  | { kind: 'answerAll' }
  | { kind: 'append'; value: string }
  | { kind: 'replicate'; to: number }
  | { kind: 'replicateAll' }
  | { kind: 'commit'; index: number };

export type RaftPayload =
  | { kind: 'requestVote'; term: number; lastLogIndex: number; lastLogTerm: number }
  | { kind: 'voteReply'; term: number; granted: boolean }
  | { kind: 'appendEntries'; term: number; prevLogIndex: number; prevLogTerm: number; entries: Entry[]; leaderCommit: number }
  /** `match`: the last index the follower now holds as the leader does (success); `prev`: the prevLogIndex it refused. */
  | { kind: 'appendReply'; term: number; success: boolean; match: number; prev: number }
  /** A client's request, redirected to the leader its sender knows. */
  | { kind: 'request'; value: string };

/** The god view's block: what Raft's safety properties are checked against. */
export interface RaftGlobal {
  /** Every election won, in order. */
  leaders: { term: number; node: NodeId }[];
  /** The first entry recorded committed at each slot, and the term of the leader it was committed under. */
  committed: ({ term: number; value: string; inTerm: number } | null)[];
  /** The first entry applied at each slot, and by whom. */
  applied: ({ term: number; value: string; node: NodeId } | null)[];
  /** A server that applied another entry at a slot than one applied before: State Machine Safety broken. */
  appliedConflicts: { slot: number; node: NodeId; value: string; term: number }[];
  /** A leader whose log lost or changed an entry: Leader Append-Only broken. */
  rewrites: { node: NodeId; term: number; index: number }[];
}

/**
 * The durable state with these parts changed, made field by field: a spread (`{ ...d, log }`) meets
 * as many shapes of change as there are kinds of move, and past a few V8 no longer makes it fast.
 */
export function durableWith(d: RaftDurable, c: Partial<RaftDurable>): RaftDurable {
  return {
    term: c.term === undefined ? d.term : c.term,
    votedFor: c.votedFor === undefined ? d.votedFor : c.votedFor,
    log: c.log === undefined ? d.log : c.log,
  };
}

/** The volatile state with these parts changed, field by field (see `durableWith`). */
export function volatileWith(v: RaftVolatile, c: Partial<RaftVolatile>): RaftVolatile {
  return {
    role: c.role === undefined ? v.role : c.role,
    leader: c.leader === undefined ? v.leader : c.leader,
    commitIndex: c.commitIndex === undefined ? v.commitIndex : c.commitIndex,
    lastApplied: c.lastApplied === undefined ? v.lastApplied : c.lastApplied,
    votes: c.votes === undefined ? v.votes : c.votes,
    nextIndex: c.nextIndex === undefined ? v.nextIndex : c.nextIndex,
    matchIndex: c.matchIndex === undefined ? v.matchIndex : c.matchIndex,
    sentUpTo: c.sentUpTo === undefined ? v.sentUpTo : c.sentUpTo,
    requests: c.requests === undefined ? v.requests : c.requests,
    electionDue: c.electionDue === undefined ? v.electionDue : c.electionDue,
  };
}

/** The god view's block with these parts changed, field by field (see `durableWith`). */
export function globalWith(g: RaftGlobal, c: Partial<RaftGlobal>): RaftGlobal {
  return {
    leaders: c.leaders === undefined ? g.leaders : c.leaders,
    committed: c.committed === undefined ? g.committed : c.committed,
    applied: c.applied === undefined ? g.applied : c.applied,
    appliedConflicts: c.appliedConflicts === undefined ? g.appliedConflicts : c.appliedConflicts,
    rewrites: c.rewrites === undefined ? g.rewrites : c.rewrites,
  };
}

export type RaftLocal = Local<RaftDurable, RaftVolatile, RaftPayload>;
export type RaftContext = ProtocolContext<RaftDurable, RaftVolatile, RaftPayload, RaftGlobal>;
export type RaftNode = NodeOf<RaftDurable, RaftVolatile, RaftPayload>;

export const ELECTION = 'election';
export const HEARTBEAT = 'heartbeat';

/** The entry a new leader may append to commit the entries of earlier terms when no client asks for anything (the paper's section 8). */
export const NOOP = 'no-op';

/** The highest log index a move may name. */
export const MAX_INDEX = 10_000;

/** "entry 3": log indexes as the paper counts them, from 1. */
export const entryWords = (index: number): string => `entry ${index}`;

/**
 * The election timeout's range: the round's own, or from half the round's timeout to all of it, but
 * at least one round trip and no more than five to ten at the slowest latency. The round's timeout is at least a
 * round trip, and two by default, so a candidate usually hears its votes before its timer fires
 * again; the spread keeps split votes rare; and a follower that waits many round trips more only
 * holds the round up (the paper keeps the election timeout within an order of magnitude or so of the
 * broadcast time).
 */
export function electionRange(config: RoundConfig): { min: number; max: number } {
  const own = config.settings.electionTimeout;
  if (own) return own;
  const { timeoutTicks, latencyMax } = config.settings;
  const min = Math.max(2 * latencyMax, Math.min(Math.ceil(timeoutTicks / 2), 10 * latencyMax));
  return { min, max: 2 * min };
}

/** How often a leader sends heartbeats: three times in the shortest election timeout, so one lost heartbeat does not start an election. */
export function heartbeatTicks(config: RoundConfig): number {
  return Math.max(1, Math.floor(electionRange(config).min / 3));
}

export const lastIndex = (log: readonly Entry[]): number => log.length;
export const lastTerm = (log: readonly Entry[]): number => log[log.length - 1]?.term ?? 0;
export const termAt = (log: readonly Entry[], index: number): number => (index === 0 ? 0 : (log[index - 1]?.term ?? -1));

/** Whether a candidate's log (its last entry's term and index) is at least as up to date as this one: the election restriction of section 5.4.1. */
export function upToDate(log: readonly Entry[], candidateLastTerm: number, candidateLastIndex: number): boolean {
  const term = lastTerm(log);
  return candidateLastTerm > term || (candidateLastTerm === term && candidateLastIndex >= lastIndex(log));
}

/** The consistency check: the log holds an entry at prevLogIndex whose term is prevLogTerm. */
export function matches(log: readonly Entry[], prevLogIndex: number, prevLogTerm: number): boolean {
  return prevLogIndex === 0 || termAt(log, prevLogIndex) === prevLogTerm;
}

/**
 * The log after taking `entries` after prevLogIndex: an existing entry that conflicts with a new one
 * (same index, another term) is deleted with all that follow it; entries already there stay, so an
 * older, shorter AppendEntries that arrives late never cuts the log.
 */
export function merged(log: readonly Entry[], prevLogIndex: number, entries: readonly Entry[]): Entry[] {
  let out: Entry[] | null = null;
  for (let i = 0; i < entries.length; i++) {
    const index = prevLogIndex + 1 + i;
    const current = (out ?? log)[index - 1];
    if (current && current.term === entries[i]!.term) continue;
    out ??= log.slice(0, index - 1);
    if (out.length > index - 1) out.length = index - 1;
    out.push(entries[i]!);
  }
  return out ?? (log as Entry[]);
}

export function initVolatile(): RaftVolatile {
  return { role: 'follower', leader: null, commitIndex: 0, lastApplied: 0, votes: [], nextIndex: [], matchIndex: [], sentUpTo: [], requests: [], electionDue: false };
}

export function initGlobal(): RaftGlobal {
  return { leaders: [], committed: [], applied: [], appliedConflicts: [], rewrites: [] };
}

/** Starts the election timer again, at a random length within the round's range. */
export function armElection(ctx: RaftContext, id: NodeId): void {
  const { min, max } = electionRange(ctx.config);
  ctx.setTimer(id, ELECTION, ctx.random(min, max));
}

/** Writes the node's log, and keeps the god view's book of a leader that lost an entry. */
export function setLog(ctx: RaftContext, id: NodeId, log: Entry[]): void {
  const d = ctx.durable(id);
  if (log === d.log) return;
  if (ctx.volatile(id).role === 'leader') {
    const old = d.log;
    let first = 0;
    while (first < old.length && log[first] && log[first]!.term === old[first]!.term && log[first]!.value === old[first]!.value) first++;
    if (first < old.length) {
      const g = ctx.protocolGlobal();
      ctx.setProtocolGlobal(globalWith(g, { rewrites: [...g.rewrites, { node: id, term: d.term, index: first + 1 }] }));
    }
  }
  ctx.setDurable(id, durableWith(d, { log }));
}

/** Answers a waiting RequestVote or AppendEntries with a refusal, as Raft does with one of an earlier term. */
export function sendRefusal(ctx: RaftContext, id: NodeId, to: NodeId, p: RaftPayload): void {
  const term = ctx.durable(id).term;
  if (p.kind === 'requestVote') ctx.send(id, to, { kind: 'voteReply', term, granted: false });
  else if (p.kind === 'appendEntries') ctx.send(id, to, { kind: 'appendReply', term, success: false, match: 0, prev: p.prevLogIndex });
}

/**
 * A message shows a higher term: the server takes it as its current term, with no vote cast in it,
 * and becomes (or stays) a follower that knows no leader yet. Requests of earlier terms waiting in
 * its inbox are refused at once, as Raft refuses every request of an earlier term.
 */
export function adoptTerm(ctx: RaftContext, id: NodeId, term: number, from: NodeId): void {
  const d = ctx.durable(id);
  if (term <= d.term) return;
  const v = ctx.volatile(id);
  const was = v.role;
  ctx.setDurable(id, durableWith(d, { term, votedFor: null }));
  ctx.setVolatile(id, volatileWith(v, { role: 'follower', leader: null, votes: [], nextIndex: [], matchIndex: [], sentUpTo: [] }));
  if (was === 'leader') {
    ctx.cancelTimer(id, HEARTBEAT);
    armElection(ctx, id);
    ctx.emit({ type: 'stepped-down', visibleTo: [id], node: id, text: `${nodeName(id)} saw term ${term} from ${nodeName(from)}, higher than its own term ${d.term}: it is no longer leader, and steps down to follower.` });
  } else if (was === 'candidate') {
    ctx.emit({ type: 'stepped-down', visibleTo: [id], node: id, text: `${nodeName(id)} saw term ${term} from ${nodeName(from)}, higher than its own term ${d.term}: it gives up its election and becomes a follower.` });
  }
  const stale = ctx.node(id).inbox.filter((m) => (m.payload.kind === 'requestVote' || m.payload.kind === 'appendEntries') && m.payload.term < term);
  if (stale.length === 0) return;
  ctx.setInbox(id, ctx.node(id).inbox.filter((m) => !stale.includes(m)));
  for (const m of stale) sendRefusal(ctx, id, m.from, m.payload);
}

/** The server now knows the leader of its current term: it stops waiting for an election, and redirects the requests it holds. */
export function knowLeader(ctx: RaftContext, id: NodeId, leader: NodeId): void {
  const v = ctx.volatile(id);
  armElection(ctx, id);
  if (v.leader === leader && v.role === 'follower' && !v.electionDue) return;
  ctx.setVolatile(id, volatileWith(v, { role: 'follower', leader, votes: [], electionDue: false }));
  if (v.leader !== leader) for (const value of v.requests) ctx.send(id, leader, { kind: 'request', value });
}

/** Holds a client's request until it is committed; a server that knows another leader redirects it there. */
export function holdRequest(ctx: RaftContext, id: NodeId, value: string, from: NodeId | null): void {
  const v = ctx.volatile(id);
  if (!v.requests.includes(value)) {
    // Already committed as far as this server knows: nothing to do.
    const log = ctx.durable(id).log;
    for (let i = 0; i < v.commitIndex; i++) if (log[i]?.value === value) return;
    ctx.setVolatile(id, volatileWith(v, { requests: withItem(v.requests, value) }));
  }
  if (v.role !== 'leader' && v.leader !== null && v.leader !== from) ctx.send(id, v.leader, { kind: 'request', value });
}

/** The candidate won a majority of votes: it becomes leader of its term, and sends its first heartbeats at once. */
export function becomeLeader(ctx: RaftContext, id: NodeId): void {
  const d = ctx.durable(id);
  const v = ctx.volatile(id);
  const n = ctx.config.nodes;
  const next = lastIndex(d.log) + 1;
  const matchIndex = new Array<number>(n).fill(0);
  matchIndex[id] = lastIndex(d.log);
  ctx.setVolatile(id, volatileWith(v, {
    role: 'leader',
    leader: id,
    electionDue: false,
    nextIndex: new Array<number>(n).fill(next),
    matchIndex,
    sentUpTo: new Array<number>(n).fill(0),
  }));
  const g = ctx.protocolGlobal();
  ctx.setProtocolGlobal(globalWith(g, { leaders: [...g.leaders, { term: d.term, node: id }] }));
  ctx.cancelTimer(id, ELECTION);
  ctx.emit({ type: 'elected', visibleTo: 'all', node: id, text: `${nodeName(id)} won ${v.votes.length} of ${n} votes and is leader of term ${d.term}.` });
  sendHeartbeats(ctx, id);
}

/** The AppendEntries a leader sends to one server: the entries from its nextIndex on (none for a heartbeat). */
export function appendEntriesFor(ctx: RaftContext, id: NodeId, to: NodeId, withEntries: boolean): RaftPayload {
  const d = ctx.durable(id);
  const v = ctx.volatile(id);
  const prevLogIndex = Math.max(0, Math.min((v.nextIndex[to] ?? 1) - 1, lastIndex(d.log)));
  return {
    kind: 'appendEntries',
    term: d.term,
    prevLogIndex,
    prevLogTerm: termAt(d.log, prevLogIndex),
    entries: withEntries ? d.log.slice(prevLogIndex) : [],
    leaderCommit: v.commitIndex,
  };
}

/** Sends entries to one server, and notes how far they reach. */
export function sendEntries(ctx: RaftContext, id: NodeId, to: NodeId): void {
  ctx.send(id, to, appendEntriesFor(ctx, id, to, true));
  const v = ctx.volatile(id);
  const sentUpTo = v.sentUpTo.slice();
  sentUpTo[to] = lastIndex(ctx.durable(id).log);
  ctx.setVolatile(id, volatileWith(v, { sentUpTo }));
}

/** A leader's heartbeat: an empty AppendEntries to every other server, and its timer set again. Entries not yet acknowledged may be sent again after it. */
export function sendHeartbeats(ctx: RaftContext, id: NodeId): void {
  for (let to = 0; to < ctx.config.nodes; to++) if (to !== id) ctx.send(id, to, appendEntriesFor(ctx, id, to, false));
  const v = ctx.volatile(id);
  ctx.setVolatile(id, volatileWith(v, { sentUpTo: v.matchIndex.slice() }));
  ctx.setTimer(id, HEARTBEAT, heartbeatTicks(ctx.config));
}

/** The number of servers (the leader among them) known to hold `index`. */
export function replicas(v: RaftVolatile, index: number): number {
  let count = 0;
  for (const m of v.matchIndex) if (m >= index) count++;
  return count;
}

/** The highest index a leader may commit by Raft's rule: an entry of its current term that a majority holds. */
export function committable(local: { config: RoundConfig; node: { durable: RaftDurable; volatile: RaftVolatile } }): number {
  const { durable: d, volatile: v } = local.node;
  if (v.role !== 'leader') return 0;
  const need = majorityOf(local.config.nodes);
  for (let index = lastIndex(d.log); index > v.commitIndex; index--) {
    if (d.log[index - 1]!.term !== d.term) break;
    if (replicas(v, index) >= need) return index;
  }
  return 0;
}

/**
 * The god view's record that a server holds an entry that the leader of the entry's own term sent
 * (or appended itself): once a majority holds it, it is committed, and every entry before it with it.
 */
export function storeVote(ctx: RaftContext, id: NodeId, index: number): void {
  const log = ctx.durable(id).log;
  const entry = log[index - 1]!;
  const before = ctx.world.global.chosen.length;
  ctx.castVote({
    slot: index - 1,
    key: `t${entry.term}`,
    value: entry.value,
    voter: id,
    verb: 'accepted',
    voterKnew() {
      return false;
    },
  });
  const chosen = ctx.world.global.chosen;
  if (chosen.length === before) return;
  const point = chosen[chosen.length - 1]!;
  recordCommitted(ctx, log, index, entry.term, point);
}

/** Notes committed entries up to `index` in the god view, those before it as committed through it. */
function recordCommitted(ctx: RaftContext, log: readonly Entry[], index: number, inTerm: number, point: { step: number; tick: number; node: NodeId; nodeKnew: boolean; voters: NodeId[] }): void {
  const g = ctx.protocolGlobal();
  // Back from `index` to the last entry already on the books: those before it were recorded with it.
  let from = index;
  while (from > 1) {
    const e = log[from - 2]!;
    const known = g.committed[from - 2];
    if (known && known.term === e.term && known.value === e.value) break;
    from--;
  }
  const committed = g.committed.slice();
  for (let i = from; i <= index; i++) {
    const e = log[i - 1]!;
    if (!committed[i - 1]) committed[i - 1] = { term: e.term, value: e.value, inTerm };
    if (i === index) continue;
    if (ctx.world.global.chosen.some((c) => c.slot === i - 1 && c.decree === e.value)) continue;
    ctx.recordChosen(
      { ...point, slot: i - 1, decree: e.value },
      `Commit point: ${e.value} (term ${e.term}) became committed in ${entryWords(i)} through ${entryWords(index)}, which is committed: a log that holds ${entryWords(index)} holds every entry before it.`,
    );
  }
  ctx.setProtocolGlobal(globalWith(ctx.protocolGlobal(), { committed }));
}

/** A leader's commit by count of an entry of an earlier term, in sandbox mode: the god view takes it as committed, as the leader does. */
export function recordCommitByCount(ctx: RaftContext, id: NodeId, index: number): void {
  const d = ctx.durable(id);
  const g = ctx.protocolGlobal();
  const committed = g.committed.slice();
  const voters = ctx.volatile(id).matchIndex.flatMap((m, node) => (m >= index ? [node] : []));
  for (let i = 1; i <= index; i++) {
    const e = d.log[i - 1]!;
    if (!committed[i - 1]) committed[i - 1] = { term: e.term, value: e.value, inTerm: d.term };
    if (ctx.world.global.chosen.some((c) => c.slot === i - 1 && c.decree === e.value)) continue;
    ctx.recordChosen(
      { slot: i - 1, decree: e.value, step: ctx.world.step, tick: ctx.now, node: id, nodeKnew: true, voters },
      `Commit point: ${nodeName(id)}, leader of term ${d.term}, counted ${voters.length} copies of ${entryWords(i)} (${e.value}, term ${e.term}) and committed it, against Raft's rule.`,
    );
  }
  ctx.setProtocolGlobal(globalWith(ctx.protocolGlobal(), { committed }));
}

/** The node's commitIndex rises to `index`; it applies every entry up to it, in order. */
export function advanceCommit(ctx: RaftContext, id: NodeId, index: number): void {
  const v = ctx.volatile(id);
  if (index <= v.commitIndex) return;
  const log = ctx.durable(id).log;
  const applied: Entry[] = [];
  for (let i = v.lastApplied + 1; i <= index; i++) applied.push(log[i - 1]!);
  const values = new Set(applied.map((e) => e.value));
  ctx.setVolatile(id, volatileWith(v, { commitIndex: index, lastApplied: index, requests: v.requests.filter((r) => !values.has(r)) }));
  const g = ctx.protocolGlobal();
  let appliedBook = g.applied;
  let conflicts = g.appliedConflicts;
  for (let i = v.lastApplied + 1; i <= index; i++) {
    const e = log[i - 1]!;
    const first = appliedBook[i - 1];
    if (!first) {
      if (appliedBook === g.applied) appliedBook = g.applied.slice();
      appliedBook[i - 1] = { term: e.term, value: e.value, node: id };
    } else if (first.term !== e.term || first.value !== e.value) {
      conflicts = [...conflicts, { slot: i - 1, node: id, value: e.value, term: e.term }];
    }
  }
  if (appliedBook !== g.applied || conflicts !== g.appliedConflicts) ctx.setProtocolGlobal(globalWith(g, { applied: appliedBook, appliedConflicts: conflicts }));
  const what = applied.map((e) => e.value).join(', then ');
  ctx.emit({
    type: 'learned',
    visibleTo: [id],
    node: id,
    slot: index - 1,
    text: `${nodeName(id)} knows the log is committed up to ${entryWords(index)}, and applies ${what}.`,
  });
}
