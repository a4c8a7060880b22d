/**
 * Lesson 11: a split vote. Three voters, three decrees, each asked of a different voter at once.
 * Each votes for its own; votes are locked, so no decree can ever reach two of three. The vote is
 * stuck for good, and anyone who has heard every vote can tell.
 */
import { majorityOf, nodeName } from '../engine/names';
import type { NodeId } from '../engine/types';
import {
  commitPointMove,
  factsOf,
  joined,
  knowledgeLine,
  messagesLine,
  nameOf,
  ticks,
  whatIfOf,
  type DebriefLine,
  type RoundFacts,
  type WhatIfTold,
} from './debrief';
import { openingRequests, voter, votesFor } from './look';
import type { Lesson } from './types';

const PLAYER = 0;
const B = 1;
const C = 2;
/** Three clients ask three nodes for three decrees at the same moment (lesson 13 asks the same of Multi-Paxos). */
export const SPLIT_REQUESTS: readonly { node: NodeId; decree: string }[] = [
  { node: PLAYER, decree: 'X' },
  { node: B, decree: 'Y' },
  { node: C, decree: 'Z' },
];

export const splitVote: Lesson = {
  id: 'split-vote',
  number: 11,
  title: 'A split vote',
  idea:
    'When several decrees are put forward at once, the votes can split so that none reaches a majority. ' +
    'Votes are locked, which is what keeps two decrees from both being chosen, so a split can never heal: the vote is stuck for good. ' +
    'At least it shows: once a voter has heard every vote, its tally proves that nothing can pass.',
  essay: 'Paxos: Better with Leaders',
  setup: {
    protocol: 'majority',
    nodes: 3,
    seed: 11,
    settings: { latencyMin: 1, latencyMax: 3, decrees: ['X', 'Y', 'Z'] },
    player: PLAYER,
    students: [0, 1, 2],
  },
  script: [
    openingRequests(SPLIT_REQUESTS, 'Three clients ask at the same moment: you, A, for X; B for Y; C for Z.'),
    votesFor('b-votes', B, 'Y', 'B votes for Y, the decree its client asked for.'),
    votesFor('c-votes', C, 'Z', 'C votes for Z, the decree its client asked for.'),
  ],
  steps: [
    {
      id: 'vote',
      title: 'Vote for X, the decree your client asked for.',
      groupTitle: "Three clients ask at once, A for X, B for Y and C for Z: A votes for X.",
      reached: ({ world }) => voter(world, PLAYER).durable.vote === 'X',
      hints: [{ afterTicks: 6, text: 'Press "Vote for X". B and C are voting for their own clients\' decrees too.' }],
    },
    {
      id: 'every-vote',
      title: 'Watch your tally until it holds every vote. Can any decree still reach 2 of 3?',
      groupTitle: "Every voter has voted and every vote has reached A: can any decree still reach 2 of 3?",
      reached: ({ world }) => {
        const tally = voter(world, PLAYER).volatile.tally;
        return world.global.stuck && Object.values(tally).reduce((n, voters) => n + voters.length, 0) === world.config.nodes;
      },
      hints: [
        { afterTicks: 8, text: 'Each vote takes a few ticks to reach you. Count the votes for each decree.' },
        { afterTicks: 16, text: 'Every voter has voted, and a vote is locked once cast. What would it take for X, Y or Z to reach two votes?' },
      ],
    },
  ],
  briefings: {
    0: "You are A, one of three voters, A, B and C; your client asks you for X, while other clients ask other voters for other decrees. Vote for X, as your client asked: your vote is locked once cast. Then watch your tally until it holds every vote: can any decree still reach 2 of 3?",
    1: "You are B, one of three voters, A, B and C; your client asks you for Y, while other clients ask other voters for other decrees. Vote for Y, as your client asked: your vote is locked once cast. Then watch your tally until it holds every vote: can any decree still reach 2 of 3?",
    2: "You are C, one of three voters, A, B and C; your client asks you for Z, while other clients ask other voters for other decrees. Vote for Z, as your client asked: your vote is locked once cast. Then watch your tally until it holds every vote: can any decree still reach 2 of 3?",
  },
  deadEnds: [
    {
      id: 'no-split',
      when: ({ world }) => world.global.chosen.length > 0,
      text: 'You voted with another voter, so that decree got 2 of 3 votes, a majority: it was chosen and there was no split. Play again and vote for X, as your client asked, to see what happens when nobody gives way.',
    },
  ],
  debrief(round) {
    const facts = factsOf(splitVote, round);
    const lines: DebriefLine[] = [];
    const votes = facts.final.nodes.map((n) => ({ node: n.id, vote: voter(facts.final, n.id).durable.vote }));
    if (facts.outcome) lines.push({ topic: 'outcome', text: `${facts.outcome} was chosen: no split.` });
    else {
      const each = votes.map((v) => `${nameOf(round, v.node)} for ${v.vote ?? 'nothing'}`);
      lines.push({ topic: 'outcome', text: `Nothing was chosen. The votes: ${joined(each)}.` });
    }
    const stuckAt = facts.worlds.findIndex((w) => w.global.stuck);
    if (stuckAt > 0) {
      const command = round.log[stuckAt - 1]!;
      const last = command.type === 'act' ? `${nameOf(round, command.node)}'s vote` : 'the last vote';
      const tick = facts.worlds[stuckAt]!.tick;
      lines.push({
        topic: 'blocked',
        text: `The split was sealed at tick ${tick}, with ${last}: every voter had voted, no decree had ${majorityOf(round.config.nodes)} votes, and locked votes cannot change. It stayed stuck for the rest of the round (${ticks(facts.final.tick - tick)}), and would have stayed stuck forever.`,
      });
      const seen = facts.run.objectives.find((o) => o.id === 'every-vote')?.reached;
      if (seen) {
        lines.push({
          topic: 'knowledge',
          text: `${nameOf(round, PLAYER)} could tell at tick ${seen.tick}, ${ticks(seen.tick - tick)} later, once every vote had reached ${nameOf(round, PLAYER)}'s tally. A split, unlike a crash, can be detected.`,
        });
      }
    } else if (facts.outcome) {
      lines.push(knowledgeLine(facts, `${facts.outcome} was chosen`));
    }
    lines.push(messagesLine(facts));
    const told = withoutThirdDecree(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(told) });
    return { lines, commitPoint: commitPointMove(facts), knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

/** The round without the client who asked C for Z: two decrees in play. */
function withoutThirdDecree(facts: RoundFacts): WhatIfTold | null {
  const ask = facts.round.log.findIndex((c) => c.type === 'propose' && c.node === C);
  if (ask < 0) return null;
  return whatIfOf(facts, { kind: 'omit', step: ask }, 'had no client asked C for Z');
}

function whatIfSentence(told: WhatIfTold): string {
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots,`;
  const cp = told.commitPoint;
  if (!cp) return `${head} would still have chosen nothing${told.run.world.global.stuck ? ': the two decrees split the votes too' : ''}.`;
  return `${head} would have chosen ${cp.decree} at tick ${cp.tick}, with the votes of ${joined(cp.voters.map((n) => nodeName(n)))}: with one decree fewer, one of them could reach a majority.`;
}
