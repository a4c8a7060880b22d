/** How Raft is shown: a server's term, role, vote, log and commit index in words, its log as a strip, its messages' looks, and the reveal's words. */
import { listNames, nodeName, tallyWords } from '../../engine/names';
import type { GroupFacts, LogCell, NodeFacts, Presentation } from '../../engine/protocol';
import { chosenDecreeReveal, playersWords } from '../common';
import { entryWords, NOOP, type RaftDurable, type RaftGlobal, type RaftPayload, type RaftVolatile } from './state';

/** The values a server applied, in order, without the no-ops. */
export function appliedValues(d: RaftDurable, v: RaftVolatile): string[] {
  const out: string[] = [];
  for (let i = 0; i < v.lastApplied && i < d.log.length; i++) if (d.log[i]!.value !== NOOP) out.push(d.log[i]!.value);
  return out;
}

function logText(d: RaftDurable): string {
  return d.log.length === 0 ? 'log: empty' : `log: ${d.log.map((e) => `${e.value}@t${e.term}`).join(' ')}`;
}

/** What a group's round came to, server by server: those that did not apply the whole log. */
function unappliedSentences(facts: GroupFacts<RaftDurable, RaftVolatile>): string[] {
  if (facts.outcome === null) return [];
  const behind = facts.nodes.filter((n) => appliedValues(n.durable, n.volatile).join(', ') !== facts.outcome).map((n) => n.id);
  if (behind.length === 0) return [];
  return [`In group ${facts.group}, the log ${facts.outcome} was committed, but ${playersWords(behind, facts.students)} never applied all of it.`];
}

/** For the groups compared: how many terms had a leader. */
function leaderSentences(facts: GroupFacts<RaftDurable, RaftVolatile, RaftGlobal>): string[] {
  const leaders = facts.global.protocol?.leaders ?? [];
  if (leaders.length === 0) return [`In group ${facts.group}, no server was ever elected leader.`];
  const names = [...new Set(leaders.map((l) => l.node))];
  return [`In group ${facts.group}, ${leaders.length === 1 ? 'one election was won' : `${leaders.length} elections were won`}, by ${listNames(names)}.`];
}

const decreeReveal = chosenDecreeReveal((who) => `${who}'s copy of it, or of a later entry, made a majority`);

function cells({ durable: d, volatile: v }: NodeFacts<RaftDurable, RaftVolatile>): LogCell[] {
  return d.log.map((e, i) => ({
    slot: i,
    state: i < v.lastApplied ? 'applied' : i < v.commitIndex ? 'chosen' : 'accepted',
    value: e.value,
    mark: `t${e.term}`,
    tone: e.term,
  }));
}

export const raftPresentation: Presentation<RaftDurable, RaftVolatile, RaftPayload, RaftGlobal> = {
  stateLines({ durable: d, volatile: v, crashed }, nodes) {
    const lines = [`term ${d.term}`, d.votedFor !== null ? `voted for ${nodeName(d.votedFor)} in term ${d.term}` : `no vote in term ${d.term}`, logText(d)];
    if (crashed) return lines;
    lines.push(v.role === 'leader' ? `leader of term ${d.term}` : v.role === 'candidate' ? `candidate in term ${d.term}: votes from ${listNames(v.votes)} (${tallyWords(v.votes.length, nodes, 'votes')})` : `follower${v.leader !== null ? ` of ${nodeName(v.leader)}` : ', knows no leader this term'}`);
    lines.push(`commit index ${v.commitIndex}, applied ${v.lastApplied}`);
    if (v.role === 'leader') {
      const others = v.matchIndex.flatMap((m, id) => (id === v.leader ? [] : [`${nodeName(id)} ${m}/${v.nextIndex[id] ?? 1}`]));
      lines.push(`matchIndex/nextIndex: ${others.join(', ')}`);
    }
    if (v.requests.length > 0) lines.push(`holds requests: ${v.requests.join(', ')}`);
    if (v.electionDue) lines.push('election timer fired: may start an election');
    return lines;
  },

  summaryLines({ durable: d, volatile: v, crashed }) {
    const lines = [crashed ? `term ${d.term}` : `t${d.term} ${v.role}`];
    lines.push(`log ${d.log.length}${crashed ? '' : `, commit ${v.commitIndex}`}`);
    if (d.votedFor !== null) lines.push(`voted ${nodeName(d.votedFor)}`);
    return lines;
  },

  // Roles change with every election: a server's line says which it is now.
  showRoles: false,

  roleHint: (_role, settings) =>
    'A follower grants one vote per term, to a candidate whose log is at least as up to date, and accepts entries that pass the consistency check. When its election timer fires, it may stand for election. A leader appends requests, sends entries, and commits an entry of its own term once a majority holds it.' +
    (settings.noTimeouts ? ' This round has no timeouts: no timer fires, so you start an election only by hand.' : ''),

  timeoutUse: 'a Raft follower without word from a leader before it may stand for election (drawn at random from half of it to all of it, at least one round trip and at most five to ten, unless the round sets its own range)',

  messages: {
    requestVote: { colour: 'blue', shape: 'circle', short: 'RequestVote' },
    voteReply: { colour: 'skyBlue', shape: 'square', short: 'Vote' },
    appendEntries: { colour: 'orange', shape: 'circle', short: 'AppendEntries' },
    appendReply: { colour: 'yellow', shape: 'square', short: 'Reply' },
    request: { colour: 'purple', shape: 'hexagon', short: 'Request' },
  },

  slotName: (slot) => entryWords(slot + 1),

  log: {
    cells,
    leader: ({ volatile: v, crashed }) => (crashed ? null : v.leader),
  },

  reveal: {
    ...(decreeReveal as Presentation<RaftDurable, RaftVolatile, RaftPayload, RaftGlobal>['reveal']),
    decidedVerb: 'committed',
    outcome(outcome) {
      return outcome ? `Committed, in this order: ${outcome}.` : 'Not every request was committed.';
    },
    noCommitPoint: () => 'No entry was stored on a majority by the leader of its term, so nothing was committed.',
    decisionTick: (global) => (global.chosen.length > 0 ? Math.max(...global.chosen.map((c) => c.tick)) : null),
    pendingOutcome: (outcome) => `committed ${outcome}, not yet applied by all`,
    groupOutcome: (facts) => (facts.outcome !== null ? `committed the log ${facts.outcome}` : 'did not commit every request'),
    groupDetails: (facts) => [...leaderSentences(facts), ...unappliedSentences(facts)],
  },
};

