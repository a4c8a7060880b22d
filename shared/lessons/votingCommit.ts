/**
 * Lesson 7: voting is an atomic commit. Five voters, one decree. The network holds messages back so
 * that the player's vote is the third for X: the commit point. Their own tally shows two votes when
 * they cast it; they learn X is chosen only later, when the votes they missed arrive.
 */
import { nodeName } from '../engine/names';
import type { NodeId } from '../engine/types';
import {
  commitPointMove,
  factsOf,
  firstToKnowLine,
  knowledgeLine,
  lateVotesLine,
  messagesLine,
  scriptedStep,
  toldAfterLines,
  voteCommitPointLine,
  whatIfOf,
  type DebriefLine,
  type RoundFacts,
  type WhatIfTold,
} from './debrief';
import { hold, openingRequests, voter, votesFor } from './look';
import type { Lesson, LessonMoment } from './types';

const PLAYER = 0;
const B = 1;
const C = 2;
const LATE: NodeId[] = [3, 4];
const HOLDS = ['hold-to-a', 'hold-c-vote-to-a', 'hold-to-late'];

const hasVoted = (moment: LessonMoment, id: NodeId): boolean => voter(moment.world, id).durable.vote !== null;

export const votingCommit: Lesson = {
  id: 'voting-is-atomic-commit',
  number: 7,
  title: 'Voting is an atomic commit',
  idea:
    'In a majority vote, a decree is chosen the moment it gets floor(N/2)+1 votes, and it can never be unchosen: that vote is the commit point. ' +
    'But everyone votes on their own, and nobody sees every vote, so whoever casts the deciding vote cannot know it was the deciding one. ' +
    'Each voter finds out later, by tallying the votes that reach it.',
  essay: 'Atomic Commit in Real Life',
  setup: {
    protocol: 'majority',
    nodes: 5,
    seed: 7,
    settings: { latencyMin: 1, latencyMax: 3, decrees: ['X'] },
    player: PLAYER,
    students: [0, 3, 4],
  },
  script: [
    openingRequests([{ node: B, decree: 'X' }], 'A client asks B to get X decided. Five voters will each cast one locked vote.'),
    votesFor('b-votes', B, 'X', 'B votes for X, the decree its client asked for.', 'after'),
    votesFor('c-votes', C, 'X', 'C hears of X and votes for it.', 'after'),
    hold(
      'hold-to-a',
      (m) => m.to === PLAYER,
      (moment) => hasVoted(moment, B) && hasVoted(moment, C),
      'The network held back every message to A until B and C had both voted.',
    ),
    hold(
      'hold-c-vote-to-a',
      (m) => m.to === PLAYER && m.from === C && m.payload.kind === 'vote',
      (moment) => hasVoted(moment, PLAYER),
      'The network held back C\'s VOTE to A until A had voted: when A voted, its tally could not show C\'s vote.',
    ),
    hold(
      'hold-to-late',
      (m) => LATE.includes(m.to),
      (moment) => hasVoted(moment, PLAYER),
      'The network held back every message to D and E until A had voted, so that they could only vote after it.',
    ),
  ],
  steps: [
    {
      id: 'vote',
      title: 'Vote for X once you hear of it.',
      groupTitle: "A client asks B to get X decided: A votes for X once it hears of it.",
      reached: ({ world }) => voter(world, PLAYER).durable.vote === 'X',
      hints: [
        { afterTicks: 8, text: 'A vote for X will reach you soon: once X is among your candidates, press "Vote for X".' },
        { afterTicks: 20, text: 'Your vote is locked once cast, and it counts whether or not you know how the others voted.' },
      ],
    },
    {
      id: 'learn',
      title: 'Is X chosen? Watch your tally until it shows a majority: 3 of 5 votes.',
      groupTitle: "Is X chosen? The votes reach A one by one, and A learns it only when its own tally shows a majority: 3 of 5 votes.",
      reached: ({ world }) => voter(world, PLAYER).durable.learned === 'X',
      hints: [{ afterTicks: 10, text: 'Votes reach you one by one. Nobody announces the result: your own tally is how you learn it.' }],
    },
  ],
  briefings: {
    0: "You are A, one of five voters, A to E; a client asks B to get X decided. Vote for X once you hear of it: your vote is locked once cast, and it counts whether or not you know how the others voted. Then watch your tally until it shows whether X is chosen.",
    3: "You are D, one of five voters, A to E; a client asks B to get X decided. Vote for X once you hear of it: your vote is locked once cast. Then watch your tally as the votes reach you one by one: when does it show a majority, 3 of 5, for X?",
    4: "You are E, one of five voters, A to E; a client asks B to get X decided. Vote for X once you hear of it: your vote is locked once cast. Then watch your tally as the votes reach you one by one: when does it show a majority, 3 of 5, for X?",
  },
  deadEnds: [],
  debrief(round) {
    const facts = factsOf(votingCommit, round);
    const lines: DebriefLine[] = [];
    lines.push({ topic: 'outcome', text: facts.outcome ? `${facts.outcome} was chosen.` : 'Nothing was chosen.' });
    const cp = voteCommitPointLine(facts);
    if (cp) lines.push(cp);
    const first = firstToKnowLine(facts);
    if (first) lines.push(first);
    const late = lateVotesLine(facts);
    if (late) lines.push(late);
    lines.push(...toldAfterLines(facts));
    lines.push(knowledgeLine(facts, `${facts.outcome ?? 'the outcome'} was chosen`));
    lines.push(messagesLine(facts));
    const told = withoutHolds(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(told) });
    return {
      lines,
      commitPoint: commitPointMove(facts),
      knew: facts.knewAt.map((tick, node) => ({ node, tick })),
      messages: facts.messages,
      whatIf: told,
    };
  },
};

/** The round without the network's holds: from the first one on, bots play every seat. */
function withoutHolds(facts: RoundFacts): WhatIfTold | null {
  const steps = HOLDS.map((r) => scriptedStep(facts, r)).filter((s): s is number => s !== null);
  if (steps.length === 0) return null;
  const first = Math.min(...steps);
  return whatIfOf(facts, { kind: 'omit', step: first }, `without the network holding messages back from tick ${facts.worlds[first]!.tick} on`, HOLDS);
}

function whatIfSentence(told: WhatIfTold): string {
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots,`;
  const cp = told.commitPoint;
  if (!cp) return `${head} would have chosen nothing within ${told.run.world.tick - told.run.divergedTick} ticks.`;
  const knew = cp.nodeKnew ? `${nodeName(cp.node)} could have told from its own tally` : `${nodeName(cp.node)} would not have known it either`;
  return `${head} would have chosen ${cp.decree} at tick ${cp.tick}, when ${nodeName(cp.node)}'s vote was cast; ${knew}.`;
}
