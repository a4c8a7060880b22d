/**
 * Raft, as in the extended Raft paper ("In Search of an Understandable Consensus Algorithm"), section 5.
 * Every server is a follower, a candidate or the leader of a term. A follower whose randomized
 * election timer fires may stand for election: it moves to the next term, votes for itself and sends
 * RequestVote; a server grants one vote per term, and only to a candidate whose log is at least as up
 * to date as its own (the last entry's term, then its index). A candidate with a majority of votes
 * leads its term: it appends clients' requests, sends them in AppendEntries, which a follower takes
 * only if its log holds the entry before them (prevLogIndex and prevLogTerm), deleting a conflicting
 * suffix; after a refusal the leader backs its nextIndex for that follower off by one. The leader
 * commits an entry of its current term once a majority holds it, and every entry before it with it;
 * an entry of an earlier term is never committed by counting copies (Figure 8). Heartbeats are empty
 * AppendEntries. On disk: currentTerm, votedFor and the log; in memory: the role, commitIndex,
 * lastApplied, nextIndex and matchIndex, and the timers.
 *
 * What a player decides: as follower, to grant or refuse a vote, and to accept or refuse entries, as
 * Figure 2's receiver rules say (sandbox mode lets a player do the opposite, and shows what follows); when to stand for
 * election once the election timer fired; as leader, what to append (a client's request, or a no-op
 * so that the entries of earlier terms can be committed), when to send entries and to whom, and when
 * to advance the commit index. What the engine does as Raft does, with nothing to decide: adopting a
 * higher term seen in any message (and stepping down), refusing a request of an earlier term, counting
 * votes and becoming leader on a majority, a leader's heartbeats on its timer, nextIndex and matchIndex
 * from the answers, applying committed entries in order, and redirecting clients' requests to the
 * leader a server knows (holding them until it knows one). "Answer every message as Raft does" answers
 * a whole inbox at once, and a heartbeat that brings nothing new (no entries, a log that matches, no
 * commit index the server lacks) is answered at once.
 */
import { majorityOf, nodeName } from '../../engine/names';
import { defineProtocol } from '../../engine/protocol';
import type { LearnedLog } from '../../engine/types';
import { chosenIn, spreadRequests } from '../common';
import { raftActions } from './actions';
import { raftPolicy } from './bots';
import { appliedValues, raftPresentation } from './present';
import {
  ELECTION,
  HEARTBEAT,
  NOOP,
  adoptTerm,
  armElection,
  becomeLeader,
  entryWords,
  holdRequest,
  initGlobal,
  initVolatile,
  knowLeader,
  matches,
  sendHeartbeats,
  sendRefusal,
  type Entry,
  type RaftAction,
  type RaftDurable,
  type RaftGlobal,
  type RaftPayload,
  type RaftVolatile,
  volatileWith,
} from './state';

export type { Entry, RaftAction, RaftDurable, RaftGlobal, RaftPayload, RaftVolatile } from './state';
export { electionRange, heartbeatTicks, NOOP } from './state';

/** What each server knows committed, by volatile state (its log is read with it). */
const learnedOf = new WeakMap<RaftVolatile, { log: readonly Entry[]; learned: LearnedLog }>();

/** Where two logs break Log Matching (an entry of the same index and term, with different logs up to it), by pair of logs. */
const mismatchOf = new WeakMap<readonly Entry[], WeakMap<readonly Entry[], number>>();

/** The highest index at which two logs hold an entry of the same term but differ somewhere up to it; 0 when they match. */
function logMismatch(a: readonly Entry[], b: readonly Entry[]): number {
  let known = mismatchOf.get(a);
  const hit = known?.get(b);
  if (hit !== undefined) return hit;
  let found = 0;
  for (let i = Math.min(a.length, b.length); i >= 1; i--) {
    if (a[i - 1]!.term !== b[i - 1]!.term) continue;
    for (let j = 1; j <= i; j++) {
      if (a[j - 1]!.term !== b[j - 1]!.term || a[j - 1]!.value !== b[j - 1]!.value) {
        found = i;
        break;
      }
    }
    break;
  }
  if (!known) mismatchOf.set(a, (known = new WeakMap()));
  known.set(b, found);
  return found;
}

export const raft = defineProtocol<RaftDurable, RaftVolatile, RaftAction, RaftPayload, RaftGlobal>({
  name: 'raft',
  title: 'Raft',
  moveNoun: 'a Raft',

  roleOf: () => 'server',

  initDurable: () => ({ term: 0, votedFor: null, log: [] }),
  initVolatile,
  initGlobal,

  onStart: armElection,

  onPropose(ctx, id, decree) {
    holdRequest(ctx, id, decree, null);
  },

  onRecover(ctx, id) {
    // Its term, its vote and its log are on disk; it comes back a follower that knows no leader and nothing committed.
    armElection(ctx, id);
  },

  onDeliver(ctx, id, message) {
    const p = message.payload;
    const from = message.from;
    if (p.kind === 'request') {
      holdRequest(ctx, id, p.value, from);
      return false;
    }
    if (p.term > ctx.durable(id).term) adoptTerm(ctx, id, p.term, from);
    const term = ctx.durable(id).term;
    switch (p.kind) {
      case 'requestVote':
        if (p.term < term) {
          sendRefusal(ctx, id, from, p);
          return false;
        }
        return true;
      case 'appendEntries':
        // An earlier term's leader is refused; a second leader of this term exists only after a broken rule, and is refused too.
        if (p.term < term || ctx.volatile(id).role === 'leader') {
          sendRefusal(ctx, id, from, p);
          return false;
        }
        knowLeader(ctx, id, from);
        // A heartbeat that brings nothing new (no entries, a log that matches, no commit index the
        // server lacks) is answered at once, as Raft answers it: there is nothing to decide.
        if (p.entries.length === 0 && matches(ctx.durable(id).log, p.prevLogIndex, p.prevLogTerm) && Math.min(p.leaderCommit, p.prevLogIndex) <= ctx.volatile(id).commitIndex) {
          ctx.send(id, from, { kind: 'appendReply', term, success: true, match: p.prevLogIndex, prev: p.prevLogIndex });
          return false;
        }
        return true;
      case 'voteReply': {
        const v = ctx.volatile(id);
        if (v.role !== 'candidate' || p.term !== term || !p.granted || v.votes.includes(from)) return false;
        ctx.setVolatile(id, volatileWith(v, { votes: [...v.votes, from] }));
        if (v.votes.length + 1 >= majorityOf(ctx.config.nodes)) becomeLeader(ctx, id);
        return false;
      }
      case 'appendReply': {
        const v = ctx.volatile(id);
        if (v.role !== 'leader' || p.term !== term) return false;
        const nextIndex = v.nextIndex.slice();
        const matchIndex = v.matchIndex.slice();
        const sentUpTo = v.sentUpTo.slice();
        if (p.success && (v.matchIndex[from] ?? 0) >= p.match && (v.nextIndex[from] ?? 1) > p.match) return false;
        if (p.success) {
          matchIndex[from] = Math.max(matchIndex[from] ?? 0, p.match);
          nextIndex[from] = Math.max(nextIndex[from] ?? 1, p.match + 1);
        } else if (p.prev + 1 === nextIndex[from]) {
          // Refused where it was last probed: back off one entry, and send again from there.
          nextIndex[from] = Math.max(1, (matchIndex[from] ?? 0) + 1, p.prev);
          sentUpTo[from] = nextIndex[from]! - 1;
        } else return false;
        ctx.setVolatile(id, volatileWith(v, { nextIndex, matchIndex, sentUpTo }));
        return false;
      }
    }
  },

  timers: {
    [ELECTION]: {
      title: 'election timer',
      then: ({ volatile: v }) =>
        v.role === 'candidate'
          ? 'your election has run out of time, and you may stand again, in the next term'
          : "you may stand for election, unless a leader's AppendEntries or a vote you grant starts it again first",
      fired: ({ volatile: v }) =>
        v.role === 'candidate' ? 'its election ran out of time, and it may stand again, in the next term' : 'it heard from no leader in time, and may stand for election',
      onTimeout(ctx, id) {
        const v = ctx.volatile(id);
        if (v.role === 'leader' || v.electionDue) return;
        ctx.setVolatile(id, volatileWith(v, { electionDue: true }));
      },
    },
    [HEARTBEAT]: {
      title: 'heartbeat timer',
      then: () => 'you send every other server an empty AppendEntries (a heartbeat), so that none of them stands for election',
      fired: () => 'it sends every other server an empty AppendEntries',
      onTimeout(ctx, id) {
        if (ctx.volatile(id).role === 'leader') sendHeartbeats(ctx, id);
      },
    },
  },

  actions: raftActions,

  ruleTitles: {
    'already-voted': 'one vote per term',
    'log-not-up-to-date': "vote only for a log at least as up to date as one's own",
    'log-mismatch': 'take entries only where the log matches the leader\'s',
    'must-grant': "grant a vote that Raft's conditions allow",
    'must-accept': 'accept entries that pass the consistency check',
    'current-term-only': "commit by count only an entry of the leader's current term",
    'no-majority': 'commit only what a majority holds',
  },

  messages: {
    requestVote: { label: (p) => `RequestVote t${p.term}`, countsTowardOutcome: true },
    voteReply: { label: (p) => `Vote t${p.term} ${p.granted ? 'granted' : 'refused'}`, countsTowardOutcome: true },
    appendEntries: { label: (p) => `AppendEntries t${p.term} [${p.entries.length}]`, countsTowardOutcome: true },
    appendReply: { label: (p) => (p.success ? `AppendEntries reply t${p.term} ok to ${p.match}` : `AppendEntries reply t${p.term} refused`), countsTowardOutcome: true },
    request: { label: (p) => `Request ${p.value}`, countsTowardOutcome: true },
  },

  // The log, once every request a client made is committed in an unbroken run from entry 1 (no-ops left out).
  outcome(world) {
    const log: string[] = [];
    for (let slot = 0; ; slot++) {
      const value = chosenIn(world.global.chosen, slot);
      if (value === null) break;
      if (value !== NOOP) log.push(value);
    }
    return world.proposed.length > 0 && world.proposed.every((d) => log.includes(d)) ? log.join(', ') : null;
  },
  mustKnowOutcome: () => true,
  knowsOutcome: (node, outcome) => appliedValues(node.durable, node.volatile).join(', ') === outcome,
  learned(node): LearnedLog {
    const v = node.volatile;
    const log = node.durable.log;
    const known = learnedOf.get(v);
    if (known && known.log === log) return known.learned;
    const learned = log.slice(0, v.commitIndex).map((e) => e.value);
    learnedOf.set(v, { log, learned });
    return learned;
  },
  noOp: NOOP,

  invariants(world) {
    const broken: { code: string; message: string }[] = [];
    const g = world.global.protocol;
    const leaderOf = new Map<number, number>();
    for (const { term, node } of g.leaders) {
      const first = leaderOf.get(term);
      if (first === undefined) leaderOf.set(term, node);
      else if (first !== node) broken.push({ code: 'election-safety', message: `Election Safety: ${nodeName(first)} and ${nodeName(node)} were both elected leader of term ${term}.` });
    }
    for (const r of g.rewrites) {
      broken.push({ code: 'leader-append-only', message: `Leader Append-Only: ${nodeName(r.node)}, leader of term ${r.term}, lost or changed ${entryWords(r.index)} of its log.` });
    }
    const nodes = world.nodes;
    for (let a = 0; a < nodes.length; a++) {
      for (let b = a + 1; b < nodes.length; b++) {
        const at = logMismatch(nodes[a]!.durable.log, nodes[b]!.durable.log);
        if (at > 0) {
          broken.push({
            code: 'log-matching',
            message: `Log Matching: ${nodeName(a)} and ${nodeName(b)} both hold ${entryWords(at)} of term ${nodes[a]!.durable.log[at - 1]!.term}, but their logs differ up to it.`,
          });
        }
      }
    }
    for (const node of nodes) {
      if (node.crashed || node.volatile.role !== 'leader') continue;
      const d = node.durable;
      g.committed.forEach((c, slot) => {
        if (!c || c.inTerm >= d.term) return;
        const e = d.log[slot];
        if (e && e.term === c.term && e.value === c.value) return;
        broken.push({
          code: 'leader-completeness',
          message: `Leader Completeness: ${c.value} (term ${c.term}) was committed in ${entryWords(slot + 1)} in term ${c.inTerm}, but ${nodeName(node.id)}, leader of term ${d.term}, does not hold it.`,
        });
      });
    }
    for (const c of g.appliedConflicts) {
      const first = g.applied[c.slot]!;
      broken.push({
        code: 'state-machine-safety',
        message: `State Machine Safety: ${nodeName(c.node)} applied ${c.value} (term ${c.term}) as ${entryWords(c.slot + 1)}, where ${nodeName(first.node)} applied ${first.value} (term ${first.term}).`,
      });
    }
    return broken;
  },

  decidesOnceHealed: true,

  clients: { oneRequest: false, openingRequests: spreadRequests },

  bots: { policy: raftPolicy, eagerShare: 0 },

  present: raftPresentation,
});
