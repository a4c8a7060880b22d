/**
 * Lesson 15: Raft, Paxos with the leader built in. Five servers start with no leader. A term is
 * Raft's ballot number, and the election is its phase 1: a candidate moves to the next term, votes
 * for itself and asks for votes with RequestVote, and a server grants one vote per term. The script
 * makes the first election's links slow, so that every candidate of term 1 reaches one other server
 * only: the vote splits, and nobody leads term 1. Each candidate's election timer was drawn at random
 * when it stood, so one fires first, stands in term 2 before anyone else, and wins; then the leader
 * puts a client's request X in its log and commits it. The what-if re-runs the same round with every
 * election timeout the same length.
 */
import { nodeName } from '../engine/names';
import type { Command, EngineEvent, NodeId, World } from '../engine/types';
import type { RaftDurable, RaftGlobal, RaftPayload, RaftVolatile } from '../protocols/raft';
import { commitPointMove, factsOf, joined, messagesLine, nameOf, ticks, traceOf, whatIfOf, type DebriefLine, type RoundFacts, type WhatIfTold } from './debrief';
import type { Lesson, LessonMoment } from './types';

const PLAYER = 1;
const NODES = 5;
const RANGE = { min: 10, max: 20 };
/** Longer than any first election timer: a held RequestVote of term 1 arrives after every server's timer fired. */
const SLOW = 30;

function server(world: World, id: NodeId): { durable: RaftDurable; volatile: RaftVolatile; crashed: boolean } {
  const n = world.nodes[id]!;
  return { durable: n.durable as RaftDurable, volatile: n.volatile as RaftVolatile, crashed: n.crashed };
}

const leadersOf = (world: World): RaftGlobal['leaders'] => (world.global.protocol as RaftGlobal).leaders;

/** The live server that leads now, if any. */
const leading = (world: World): NodeId | null => world.nodes.find((n) => !n.crashed && server(world, n.id).volatile.role === 'leader')?.id ?? null;

/** The server that just stood for election, if the last command was a move to stand. */
function stoodNow({ command }: LessonMoment): NodeId | null {
  return command?.type === 'act' && command.action.kind === 'startElection' ? command.node : null;
}

/** How many servers stood in term 1: the script held each one's RequestVotes. */
const termOneCandidates = ({ run }: LessonMoment): number => run.firings['slow-links']?.count ?? 0;

/** The player's node applied X. */
const appliedX = (world: World): boolean => {
  const s = server(world, PLAYER);
  return s.durable.log.slice(0, s.volatile.lastApplied).some((e) => e.value === 'X');
};

const briefing = (id: NodeId): string =>
  `You are ${nodeName(id)}, one of five servers, A to E, and nobody leads yet. Your election timer was drawn at random; when it fires, stand for election: you move to the next term and ask the others for their votes. ` +
  'Grant your vote to the first candidate that asks in a term, if its log is at least as up to date as yours. Watch what happens when the votes split, and who leads in the end.';

export const raftLesson: Lesson = {
  id: 'raft',
  number: 15,
  title: 'Raft: Paxos with the leader built in',
  idea:
    "Raft elects a leader the way Paxos's phase 1 wins a ballot: the term is the ballot number, and a candidate needs the votes of a majority, each server granting one vote per term. " +
    'When candidates split the votes of a term, nobody leads it; each server waits its own election timeout, drawn at random, so one almost always times out first, stands in the next term before the others and wins. ' +
    'The leader then puts every request in its log, and commits an entry of its own term once a majority of logs hold it.',
  essay: 'Raft',
  setup: {
    protocol: 'raft',
    nodes: NODES,
    seed: 15,
    settings: { latencyMin: 1, latencyMax: 3, decrees: ['X'], electionTimeout: RANGE },
    player: PLAYER,
    // The player's seat first: a class's first student takes it.
    students: [1, 0, 2, 3, 4],
  },
  script: [
    {
      id: 'slow-links',
      times: NODES,
      when: (moment) => {
        const who = stoodNow(moment);
        return who !== null && server(moment.world, who).durable.term === 1;
      },
      commands: (moment) => {
        const who = stoodNow(moment)!;
        const world = moment.world;
        const asks = world.inFlight.filter((m) => m.from === who && m.payload.kind === 'requestVote');
        // One server that has voted for nobody and stands for nothing hears the candidate at once; the rest only late.
        const near = asks.find((m) => server(world, m.to).durable.votedFor === null && server(world, m.to).volatile.role === 'follower');
        return asks.filter((m) => m !== near).map((m): Command => ({ type: 'delay', id: m.id, ticks: SLOW }));
      },
      why: "The first election's links are slow: each candidate of term 1 reaches one other server at once, and the rest only after every election timer has fired.",
    },
    {
      id: 'request-x',
      when: ({ world }) => leading(world) !== null,
      commands: () => [{ type: 'propose', node: PLAYER, decree: 'X' }],
      why: 'A client asks B for X: a leader puts a request in its log, and any other server sends it on to the leader it knows.',
    },
  ],
  steps: [
    {
      id: 'first-vote',
      title: 'Nobody leads yet: when your election timer fires, stand for election in the next term; or grant your vote to the first candidate that asks.',
      groupTitle: 'Nobody leads yet: B stands for election when its timer fires, or grants its vote to the first candidate that asks.',
      reached: ({ world }) => server(world, PLAYER).durable.votedFor !== null,
      hints: [
        { afterTicks: 8, text: 'The ring around your node is your election timer. When it fires, press "Start an election": you move to the next term, the ballot number of your election, and vote for yourself.' },
        { afterTicks: 16, text: 'A RequestVote in your inbox asks for your vote in its term; you have one vote per term.' },
      ],
    },
    {
      id: 'split',
      title: 'Watch the vote split: two or more candidates in term 1, none with the 3 votes of 5 it needs.',
      groupTitle: 'The vote splits: two or more candidates stand in term 1, none with the 3 votes of 5 it needs.',
      reached: (moment) => termOneCandidates(moment) >= 2 && moment.world.nodes.some((n) => server(moment.world, n.id).durable.term >= 2) && !leadersOf(moment.world).some((l) => l.term === 1),
      hints: [{ afterTicks: 8, text: 'Each candidate has its own vote and at most one other: every server votes once per term, and the slow links keep the rest from hearing in time.' }],
    },
    {
      id: 'new-term',
      title: 'Watch the next election: a server whose election timer fires stands in term 2 or later, and wins once a majority votes for it.',
      groupTitle: 'The next election: a server whose election timer fires stands in term 2 or later, and wins once a majority votes for it.',
      reached: ({ world }) => leadersOf(world).some((l) => l.term >= 2),
      hints: [
        { afterTicks: 8, text: 'A candidate draws a new election timeout at random when it stands: the candidates of term 1 do not fire again at the same moment.' },
        { afterTicks: 20, text: 'If your timer fires first, press "Start an election" again: you stand in the next term.' },
      ],
    },
    {
      id: 'commit',
      title: 'X goes into the leader\'s log and is committed once a majority of logs hold it: if you lead, append it, send it and commit it; then apply X yourself.',
      groupTitle: "X goes into the leader's log and is committed once a majority of logs hold it, and B applies it.",
      reached: ({ world }) => appliedX(world),
      hints: [
        { afterTicks: 10, text: 'Following, accept the AppendEntries of the leader: it commits X once a majority of logs hold it, and says so in its next AppendEntries.' },
        { afterTicks: 10, text: 'Leading, append X (after a no-op of your term, if you like), send the entries to every server that lacks them, and commit once a majority holds them.' },
      ],
    },
  ],
  briefings: Object.fromEntries(Array.from({ length: NODES }, (_, id) => [id, briefing(id)])),
  debrief(round) {
    const facts = factsOf(raftLesson, round);
    const lines: DebriefLine[] = [];
    lines.push({ topic: 'outcome', text: facts.outcome ? `Committed: ${facts.outcome}.` : 'X was not committed.' });
    const elections = electionsOf(facts.worlds, facts.events, round.log);
    lines.push(...electionLines(facts, elections));
    const x = facts.final.global.chosen.find((c) => c.decree === 'X');
    if (x) {
      lines.push({
        topic: 'commit-point',
        text: `X was committed at tick ${x.tick} in entry ${x.slot + 1}: with ${nameOf(round, x.node)}'s copy, a majority (${joined(x.voters.map((n) => nameOf(round, n)))}) held it in the leader's term.`,
      });
    }
    lines.push(messagesLine(facts));
    const told = sameTimeouts(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(told, elections) });
    return { lines, commitPoint: commitPointMove(facts), knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

/** One term's election: who stood in it and when, the votes each candidate got, and the winner. */
export interface TermElection {
  term: number;
  candidates: { node: NodeId; tick: number; votes: number }[];
  winner: { node: NodeId; tick: number } | null;
}

/** Every term someone stood in, from a round's worlds and events, lowest term first. */
export function electionsOf(worlds: readonly World[], events: readonly (readonly EngineEvent[])[], log: readonly Command[]): TermElection[] {
  const terms = new Map<number, TermElection>();
  const of = (term: number): TermElection => {
    let e = terms.get(term);
    if (!e) terms.set(term, (e = { term, candidates: [], winner: null }));
    return e;
  };
  log.forEach((c, i) => {
    const after = worlds[i + 1]!;
    if (c.type === 'act' && c.action.kind === 'startElection') of(server(after, c.node).durable.term).candidates.push({ node: c.node, tick: after.tick, votes: 1 });
    for (const e of events[i]!) {
      const p = (e.type === 'sent' ? e.message?.payload : undefined) as RaftPayload | undefined;
      if (p && p.kind === 'voteReply' && p.granted) {
        const candidate = of(p.term).candidates.find((k) => k.node === e.message!.to);
        if (candidate) candidate.votes += 1;
      }
    }
    const before = leadersOf(worlds[i]!).length;
    for (const l of leadersOf(after).slice(before)) of(l.term).winner = { node: l.node, tick: after.tick };
  });
  return [...terms.values()].sort((a, b) => a.term - b.term);
}

function electionLines(facts: RoundFacts, elections: readonly TermElection[]): DebriefLine[] {
  const lines: DebriefLine[] = [];
  const majority = Math.floor(facts.round.config.nodes / 2) + 1;
  for (const e of elections) {
    const who = joined(e.candidates.map((k) => `${nameOf(facts.round, k.node)} at tick ${k.tick} (${k.votes} vote${k.votes === 1 ? '' : 's'}, its own included)`));
    if (e.winner) {
      lines.push({
        topic: 'story',
        text: `In term ${e.term}, ${who} stood for election; ${nameOf(facts.round, e.winner.node)} won at tick ${e.winner.tick}, once ${majority} votes, a majority, were its own: as a ballot a majority promised wins phase 1 in Paxos.`,
      });
    } else {
      lines.push({ topic: 'blocked', text: `In term ${e.term}, ${who} stood for election, and none had the ${majority} votes a majority needs: the vote split, and nobody led term ${e.term}.` });
    }
  }
  return lines;
}

/** The same round with every election timeout the same length, re-run by the engine from its start and played on by bots. */
function sameTimeouts(facts: RoundFacts): WhatIfTold | null {
  const fixed = { min: RANGE.min, max: RANGE.min };
  return whatIfOf(facts, { kind: 'settings-until', step: 0, settings: { electionTimeout: fixed } }, `with every election timeout exactly ${ticks(fixed.min)}`);
}

function whatIfSentence(told: WhatIfTold, real: readonly TermElection[]): string {
  const trace = traceOf(told.run.config, told.run.log);
  const elections = electionsOf(trace.worlds, trace.events, told.run.log);
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots,`;
  const won = elections.find((e) => e.winner !== null);
  const realWon = real.find((e) => e.winner !== null);
  const here = realWon ? ` (here: term ${realWon.term}, at tick ${realWon.winner!.tick})` : '';
  const split = elections.filter((e) => e.winner === null && e.candidates.length > 0).length;
  if (!won) return `${head} would have split the vote in ${split} term${split === 1 ? '' : 's'} and elected nobody within ${ticks(told.run.world.tick)}${here}.`;
  return `${head} would have split the vote in ${split} term${split === 1 ? '' : 's'}, and elected ${nodeName(won.winner!.node)} in term ${won.term} at tick ${won.winner!.tick}${here}.`;
}
