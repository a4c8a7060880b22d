/** A Raft server's moves, one entry per kind: when each is legal, the rule it may break, and what it does. */
import { countWords, majorityOf, nodeName } from '../../engine/names';
import type { ActionTable } from '../../engine/protocol';
import { rejection, ruleBroken } from '../../engine/rejections';
import type { InboxEntry, Rejection } from '../../engine/types';
import { int, literal, object } from '../../wire/schema';
import { DECREE, answerSchema, isRejection, pending } from '../common';
import {
  MAX_INDEX,
  NOOP,
  advanceCommit,
  armElection,
  committable,
  entryWords,
  lastIndex,
  lastTerm,
  matches,
  merged,
  recordCommitByCount,
  replicas,
  sendEntries,
  setLog,
  storeVote,
  termAt,
  type Entry,
  type RaftAction,
  type RaftContext,
  type RaftDurable,
  type RaftGlobal,
  type RaftLocal,
  type RaftPayload,
  type RaftVolatile,
  upToDate,
  durableWith,
  volatileWith,
} from './state';

type Waiting = InboxEntry<RaftPayload>;

/** Why a vote for this RequestVote is not Raft's to grant, or null. */
function voteRefusal(d: RaftDurable, m: Waiting): Rejection | null {
  if (m.payload.kind !== 'requestVote') return null;
  const p = m.payload;
  const candidate = nodeName(m.from);
  if (d.votedFor !== null && d.votedFor !== m.from) {
    return ruleBroken(
      'already-voted',
      `You already voted for ${nodeName(d.votedFor)} in term ${d.term}. A server grants one vote per term, so that no two candidates can both win a majority in it.`,
    );
  }
  if (!upToDate(d.log, p.lastLogTerm, p.lastLogIndex)) {
    return ruleBroken(
      'log-not-up-to-date',
      `${candidate}'s log is not as up to date as yours: its last entry is ${p.lastLogIndex === 0 ? 'none' : `${entryWords(p.lastLogIndex)} of term ${p.lastLogTerm}`}, yours is ${entryWords(lastIndex(d.log))} of term ${lastTerm(d.log)}. Raft votes only for a candidate whose log holds every committed entry, and yours may hold one that ${candidate}'s lacks.`,
    );
  }
  return null;
}

/** Why these entries fail the consistency check here, or null. */
function mismatch(d: RaftDurable, m: Waiting): Rejection | null {
  if (m.payload.kind !== 'appendEntries') return null;
  const { prevLogIndex, prevLogTerm } = m.payload;
  if (matches(d.log, prevLogIndex, prevLogTerm)) return null;
  const have = prevLogIndex > lastIndex(d.log) ? `your log ends at ${entryWords(lastIndex(d.log))}` : `your ${entryWords(prevLogIndex)} is of term ${termAt(d.log, prevLogIndex)}`;
  return ruleBroken(
    'log-mismatch',
    `These entries follow ${entryWords(prevLogIndex)} of term ${prevLogTerm} in the leader's log, but ${have}. Raft's consistency check refuses them; the leader then backs off and sends from an earlier entry, until the logs meet.`,
  );
}

function waiting(local: RaftLocal, msg: number, kinds: RaftPayload['kind'][]): Waiting | Rejection {
  return pending(local, msg, kinds);
}

/** Grants a vote: votedFor on disk first, then the answer; the election timer starts again. */
function grantVote(ctx: RaftContext, id: number, m: Waiting): void {
  const d = ctx.durable(id);
  ctx.setDurable(id, durableWith(d, { votedFor: m.from }));
  ctx.removeFromInbox(id, m.id);
  armElection(ctx, id);
  const v = ctx.volatile(id);
  if (v.electionDue) ctx.setVolatile(id, volatileWith(v, { electionDue: false }));
  ctx.send(id, m.from, { kind: 'voteReply', term: d.term, granted: true });
}

/** Takes the entries (deleting a conflicting suffix), learns the leader's commit index, and answers. */
function acceptEntries(ctx: RaftContext, id: number, m: Waiting): void {
  if (m.payload.kind !== 'appendEntries') return;
  const p = m.payload;
  ctx.removeFromInbox(id, m.id);
  const d = ctx.durable(id);
  // The consistency check passed, or (sandbox) the server takes the entries where the leader's log has them anyway.
  const base = matches(d.log, p.prevLogIndex, p.prevLogTerm) ? d.log : d.log.slice(0, Math.min(p.prevLogIndex, lastIndex(d.log)));
  const log = base === d.log ? merged(d.log, p.prevLogIndex, p.entries) : [...base, ...p.entries];
  let cut = 0;
  while (cut < d.log.length && log[cut] && log[cut]!.term === d.log[cut]!.term && log[cut]!.value === d.log[cut]!.value) cut++;
  if (cut < d.log.length) {
    const lost = d.log.slice(cut).map((e) => `${e.value}@t${e.term}`).join(', ');
    ctx.emit({ type: 'truncated', visibleTo: [id], node: id, text: `${nodeName(id)} deleted its log from ${entryWords(cut + 1)} on (${lost}): it conflicts with the leader's.` });
  }
  setLog(ctx, id, log);
  const start = base === d.log ? p.prevLogIndex : base.length;
  // Entries it held already were counted when they came (an entry of this term comes from this term's leader only).
  for (let i = Math.max(0, cut - start); i < p.entries.length; i++) if (p.entries[i]!.term === p.term) storeVote(ctx, id, start + 1 + i);
  const last = start + p.entries.length;
  advanceCommit(ctx, id, Math.min(p.leaderCommit, last));
  ctx.send(id, m.from, { kind: 'appendReply', term: d.term, success: true, match: p.prevLogIndex + p.entries.length, prev: p.prevLogIndex });
}

/** Whether Raft refuses this waiting message: a vote it may not grant, or entries that fail the consistency check. */
function refusable(local: RaftLocal, m: Waiting): boolean {
  const d = local.node.durable;
  if (m.payload.kind === 'requestVote') return voteRefusal(d, m) !== null;
  if (m.payload.kind === 'appendEntries') return mismatch(d, m) !== null;
  return false;
}

/** What Raft does with one waiting message: grant or accept where it may, refuse otherwise. */
function raftAnswer(local: RaftLocal, m: Waiting): RaftAction {
  const d = local.node.durable;
  if (m.payload.kind === 'requestVote' && !voteRefusal(d, m)) return { kind: 'grant', msg: m.id };
  if (m.payload.kind === 'appendEntries' && !mismatch(d, m)) return { kind: 'accept', msg: m.id };
  return { kind: 'refuse', msg: m.id };
}

function notLeader(local: RaftLocal): Rejection | null {
  const v = local.node.volatile;
  if (v.role === 'leader') return null;
  const term = local.node.durable.term;
  const known = v.leader !== null ? ` ${nodeName(v.leader)} leads term ${term}, as far as you know.` : '';
  return rejection('not-leader', `Only the leader appends, sends and commits entries, and you are a ${v.role} in term ${term}.${known}`);
}

/** Whether a follower still lacks entries the leader holds, as far as the leader knows. */
const lacks = (d: RaftDurable, v: RaftVolatile, to: number): boolean => (v.nextIndex[to] ?? 1) <= lastIndex(d.log);

const INDEX = int(1, MAX_INDEX);
const NODE = int(0, 8);

export const raftActions: ActionTable<RaftDurable, RaftVolatile, RaftAction, RaftPayload, RaftGlobal> = {
  startElection: {
    schema: object({ kind: literal('startElection') }),
    moves({ config, node: { volatile: v } }) {
      return v.role !== 'leader' && (v.electionDue || config.settings.noTimeouts === true) ? [{ kind: 'startElection' }] : [];
    },
    check(local) {
      const v = local.node.volatile;
      if (v.role === 'leader') return rejection('already-leader', `You are the leader of term ${local.node.durable.term}: there is no election to start.`);
      if (!v.electionDue && local.config.settings.noTimeouts !== true) {
        return rejection(
          'timer-running',
          v.leader !== null
            ? `You hear from ${nodeName(v.leader)}, the leader of term ${local.node.durable.term}. A server stands for election only when its election timer fires without word from a leader.`
            : 'Your election timer has not fired yet. A server stands for election only when its timer fires without word from a leader; the timers are randomized, so that usually one server starts first and wins.',
        );
      }
      return null;
    },
    apply(ctx, id) {
      const d = ctx.durable(id);
      const term = d.term + 1;
      // The new term and the vote for itself are on disk before any RequestVote leaves.
      ctx.setDurable(id, durableWith(d, { term, votedFor: id }));
      const v = ctx.volatile(id);
      ctx.setVolatile(id, volatileWith(v, { role: 'candidate', leader: null, votes: [id], electionDue: false, nextIndex: [], matchIndex: [], sentUpTo: [] }));
      const stale = ctx.node(id).inbox.filter((m) => m.payload.kind === 'requestVote' || m.payload.kind === 'appendEntries');
      if (stale.length > 0) {
        ctx.setInbox(id, ctx.node(id).inbox.filter((m) => !stale.includes(m)));
        for (const m of stale) {
          if (m.payload.kind === 'requestVote') ctx.send(id, m.from, { kind: 'voteReply', term, granted: false });
          else if (m.payload.kind === 'appendEntries') ctx.send(id, m.from, { kind: 'appendReply', term, success: false, match: 0, prev: m.payload.prevLogIndex });
        }
      }
      armElection(ctx, id);
      ctx.broadcast(id, { kind: 'requestVote', term, lastLogIndex: lastIndex(d.log), lastLogTerm: lastTerm(d.log) });
    },
    describe: (_a, node) => `stood for election in term ${node.durable.term + 1}: voted for itself and sent RequestVote to every other server`,
    label: () => 'Start an election',
  },

  grant: {
    schema: answerSchema('grant'),
    answers: (local, m) => (m.payload.kind === 'requestVote' && !voteRefusal(local.node.durable, m) ? [{ kind: 'grant', msg: m.id }] : []),
    ruleBreakingAnswers: (local, m) => (m.payload.kind === 'requestVote' && voteRefusal(local.node.durable, m) ? [{ kind: 'grant', msg: m.id }] : []),
    check(local, action) {
      const m = waiting(local, action.msg, ['requestVote']);
      return isRejection(m) ? m : voteRefusal(local.node.durable, m);
    },
    apply(ctx, id, action) {
      grantVote(ctx, id, ctx.node(id).inbox.find((m) => m.id === action.msg)!);
    },
    describe: (action, node) => {
      const m = node.inbox.find((x) => x.id === action.msg);
      return `granted its vote in term ${node.durable.term}${m ? ` to ${nodeName(m.from)}` : ''}`;
    },
    label: () => 'Grant vote',
  },

  accept: {
    schema: answerSchema('accept'),
    answers: (local, m) => (m.payload.kind === 'appendEntries' && !mismatch(local.node.durable, m) ? [{ kind: 'accept', msg: m.id }] : []),
    // Take entries that fail the check, where the leader's log has them.
    ruleBreakingAnswers: (local, m) => (m.payload.kind === 'appendEntries' && mismatch(local.node.durable, m) ? [{ kind: 'accept', msg: m.id }] : []),
    check(local, action) {
      const m = waiting(local, action.msg, ['appendEntries']);
      return isRejection(m) ? m : mismatch(local.node.durable, m);
    },
    apply(ctx, id, action) {
      acceptEntries(ctx, id, ctx.node(id).inbox.find((m) => m.id === action.msg)!);
    },
    describe: (action, node) => {
      const m = node.inbox.find((x) => x.id === action.msg);
      if (!m || m.payload.kind !== 'appendEntries') return 'accepted AppendEntries';
      const n = m.payload.entries.length;
      return n === 0 ? `accepted a heartbeat from ${nodeName(m.from)}` : `accepted ${n === 1 ? 'an entry' : `${n} entries`} from ${nodeName(m.from)} after ${entryWords(m.payload.prevLogIndex)}`;
    },
    label: () => 'Accept',
  },

  refuse: {
    schema: answerSchema('refuse'),
    answers: (local, m) => (refusable(local, m) ? [{ kind: 'refuse', msg: m.id }] : []),
    // Refuse what Raft's rules say to grant or to accept.
    ruleBreakingAnswers: (local, m) => ((m.payload.kind === 'requestVote' || m.payload.kind === 'appendEntries') && !refusable(local, m) ? [{ kind: 'refuse', msg: m.id }] : []),
    check(local, action) {
      const m = waiting(local, action.msg, ['requestVote', 'appendEntries']);
      if (isRejection(m)) return m;
      if (refusable(local, m)) return null;
      const d = local.node.durable;
      const from = nodeName(m.from);
      if (m.payload.kind === 'requestVote') {
        return ruleBroken(
          'must-grant',
          `Raft grants this vote: you have ${d.votedFor === m.from ? `voted for ${from} already` : 'not voted'} in term ${d.term}, and ${from}'s log is at least as up to date as yours. A refusal is safe, as a lost answer is, but it can cost the election its majority.`,
        );
      }
      return ruleBroken(
        'must-accept',
        `These entries pass the consistency check: your log holds ${m.payload.kind === 'appendEntries' && m.payload.prevLogIndex > 0 ? `${entryWords(m.payload.prevLogIndex)} of term ${m.payload.prevLogTerm}` : 'everything before them'}, as the leader's does. Raft accepts them; a refusal makes the leader back off and send them again from an earlier entry.`,
      );
    },
    apply(ctx, id, action) {
      const m = ctx.node(id).inbox.find((x) => x.id === action.msg)!;
      ctx.removeFromInbox(id, m.id);
      const term = ctx.durable(id).term;
      if (m.payload.kind === 'requestVote') ctx.send(id, m.from, { kind: 'voteReply', term, granted: false });
      else if (m.payload.kind === 'appendEntries') ctx.send(id, m.from, { kind: 'appendReply', term, success: false, match: 0, prev: m.payload.prevLogIndex });
    },
    describe: (action, node) => {
      const m = node.inbox.find((x) => x.id === action.msg);
      return m?.payload.kind === 'requestVote' ? `refused its vote to ${nodeName(m.from)}` : `refused AppendEntries${m ? ` from ${nodeName(m.from)}` : ''}`;
    },
    label: () => 'Refuse',
  },

  answerAll: {
    schema: object({ kind: literal('answerAll') }),
    moves: (local) => (local.node.inbox.length >= 2 ? [{ kind: 'answerAll' }] : []),
    check: (local) => (local.node.inbox.length > 0 ? null : rejection('inbox-empty', 'No RequestVote or AppendEntries waits for your answer.')),
    apply(ctx, id) {
      // Oldest first, each answered as Raft answers it, against the log as the answers before it left it.
      for (const m of ctx.node(id).inbox.slice()) {
        const local = { now: ctx.now, config: ctx.config, node: ctx.node(id) };
        if (!local.node.inbox.some((x) => x.id === m.id)) continue;
        const answer = raftAnswer(local, m);
        if (answer.kind === 'grant') grantVote(ctx, id, m);
        else if (answer.kind === 'accept') acceptEntries(ctx, id, m);
        else raftActions.refuse.apply(ctx, id, { kind: 'refuse', msg: m.id });
      }
    },
    describe: (_a, node) => `answered ${node.inbox.length === 1 ? 'the message' : `${countWords(node.inbox.length, 'message')}`} waiting in its inbox as Raft does`,
    label: () => 'Answer every message as Raft does',
  },

  append: {
    schema: object({ kind: literal('append'), value: DECREE }),
    moves({ node: { durable: d, volatile: v } }) {
      if (v.role !== 'leader') return [];
      const moves: { kind: 'append'; value: string }[] = [];
      if (lastTerm(d.log) < d.term) moves.push({ kind: 'append', value: NOOP });
      for (const value of v.requests) if (!d.log.some((e) => e.value === value)) moves.push({ kind: 'append', value });
      return moves;
    },
    check(local, action) {
      const refused = notLeader(local);
      if (refused) return refused;
      const { durable: d, volatile: v } = local.node;
      if (action.value === NOOP) {
        return lastTerm(d.log) < d.term ? null : rejection('no-op-needless', `Your log already holds an entry of term ${d.term}: a no-op adds nothing its commit would not.`);
      }
      if (d.log.some((e) => e.value === action.value)) return rejection('already-in-log', `${action.value} is in your log already: it will be committed with it.`);
      if (!v.requests.includes(action.value)) return rejection('not-requested', `No client asked for ${action.value}: a leader appends what clients ask for.`);
      return null;
    },
    apply(ctx, id, action) {
      const d = ctx.durable(id);
      const log: Entry[] = [...d.log, { term: d.term, value: action.value }];
      setLog(ctx, id, log);
      const v = ctx.volatile(id);
      const matchIndex = v.matchIndex.slice();
      matchIndex[id] = log.length;
      ctx.setVolatile(id, volatileWith(v, { matchIndex }));
      storeVote(ctx, id, log.length);
    },
    describe: (action, node) => `appended ${action.value} to its log as ${entryWords(node.durable.log.length + 1)}, in term ${node.durable.term}`,
    label: (action) => (action.value === NOOP ? 'Append a no-op' : `Append ${action.value}`),
  },

  replicate: {
    schema: object({ kind: literal('replicate'), to: NODE }),
    moves({ config, node: { id, durable: d, volatile: v } }) {
      if (v.role !== 'leader') return [];
      const moves: { kind: 'replicate'; to: number }[] = [];
      for (let to = 0; to < config.nodes; to++) if (to !== id && lacks(d, v, to)) moves.push({ kind: 'replicate', to });
      return moves;
    },
    check(local, action) {
      const refused = notLeader(local);
      if (refused) return refused;
      if (action.to >= local.config.nodes || action.to === local.node.id) return rejection('unknown-node', 'Entries go to another server of this round.');
      return lacks(local.node.durable, local.node.volatile, action.to)
        ? null
        : rejection('up-to-date', `As far as you know, ${nodeName(action.to)} holds every entry you hold: your heartbeats keep it in touch.`);
    },
    apply(ctx, id, action) {
      sendEntries(ctx, id, action.to);
    },
    describe(action, node) {
      const v = node.volatile;
      const from = v.nextIndex[action.to] ?? 1;
      return `sent AppendEntries t${node.durable.term} [${Math.max(0, node.durable.log.length - from + 1)}] to ${nodeName(action.to)}, from ${entryWords(from)}`;
    },
    label: (action) => `Send entries to ${nodeName(action.to)}`,
  },

  replicateAll: {
    schema: object({ kind: literal('replicateAll') }),
    moves({ config, node: { id, durable: d, volatile: v } }) {
      if (v.role !== 'leader') return [];
      for (let to = 0; to < config.nodes; to++) if (to !== id && lacks(d, v, to) && (v.sentUpTo[to] ?? 0) < lastIndex(d.log)) return [{ kind: 'replicateAll' }];
      return [];
    },
    check(local) {
      const refused = notLeader(local);
      if (refused) return refused;
      const { id, durable: d, volatile: v } = local.node;
      for (let to = 0; to < local.config.nodes; to++) if (to !== id && lacks(d, v, to) && (v.sentUpTo[to] ?? 0) < lastIndex(d.log)) return null;
      return rejection('nothing-to-send', 'Every server that lacks entries has been sent them since your last heartbeat.');
    },
    apply(ctx, id) {
      const d = ctx.durable(id);
      for (let to = 0; to < ctx.config.nodes; to++) {
        const v = ctx.volatile(id);
        if (to !== id && lacks(d, v, to) && (v.sentUpTo[to] ?? 0) < lastIndex(d.log)) sendEntries(ctx, id, to);
      }
    },
    describe: () => 'sent every server that lacks entries the entries it lacks',
    label: () => 'Send entries to every server that lacks them',
  },

  commit: {
    schema: object({ kind: literal('commit'), index: INDEX }),
    moves(local) {
      const index = committable(local);
      return index > 0 ? [{ kind: 'commit', index }] : [];
    },
    // Commit by count an entry of an earlier term (the highest a majority holds, else the last), or one no majority holds.
    ruleBreakingMoves(local) {
      const { durable: d, volatile: v } = local.node;
      if (v.role !== 'leader') return [];
      const moves: { kind: 'commit'; index: number }[] = [];
      const need = majorityOf(local.config.nodes);
      let old = 0;
      for (let index = lastIndex(d.log); index > v.commitIndex; index--) {
        if (d.log[index - 1]!.term >= d.term) continue;
        if (old === 0) old = index;
        if (replicas(v, index) >= need) {
          old = index;
          break;
        }
      }
      if (old > 0) moves.push({ kind: 'commit', index: old });
      const last = lastIndex(d.log);
      if (last > v.commitIndex && d.log[last - 1]!.term === d.term && replicas(v, last) < need) moves.push({ kind: 'commit', index: last });
      return moves;
    },
    check(local, action) {
      const refused = notLeader(local);
      if (refused) return refused;
      const { durable: d, volatile: v } = local.node;
      if (action.index <= v.commitIndex) return rejection('already-committed', `Your commit index is ${v.commitIndex} already: it only moves forward.`);
      if (action.index > lastIndex(d.log)) return rejection('no-such-entry', `Your log ends at ${entryWords(lastIndex(d.log))}.`);
      const entry = d.log[action.index - 1]!;
      const count = replicas(v, action.index);
      const need = majorityOf(local.config.nodes);
      if (entry.term !== d.term) {
        return ruleBroken(
          'current-term-only',
          `Entry ${action.index} is of term ${entry.term}, and you lead term ${d.term}. Raft commits by counting copies only an entry of the leader's current term; ${count >= need ? 'a majority holds this one, but ' : ''}an entry of an earlier term can still be overwritten by a server elected with a later last term (the paper's Figure 8). Commit an entry of term ${d.term} that follows it, and this one is committed with it.`,
        );
      }
      if (count < need) {
        return ruleBroken(
          'no-majority',
          `Only ${count} of the ${need} servers needed are known to hold ${entryWords(action.index)}. An entry is committed once a majority holds it, so that every future leader will have it.`,
        );
      }
      return null;
    },
    apply(ctx, id, action) {
      const d = ctx.durable(id);
      const entry = d.log[action.index - 1]!;
      if (entry.term !== d.term || replicas(ctx.volatile(id), action.index) < majorityOf(ctx.config.nodes)) recordCommitByCount(ctx, id, action.index);
      advanceCommit(ctx, id, action.index);
    },
    describe: (action) => `advanced its commit index to ${action.index}`,
    label: (action) => `Commit up to ${entryWords(action.index)}`,
  },
};
