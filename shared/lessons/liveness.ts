/**
 * Lesson 9: liveness. Five voters, two of them down: with three up, a majority can still form. Then
 * a third crashes before it hears of X, and nothing can pass, whatever the two left do. When it
 * recovers it has heard nothing, and the player must put X forward again for it to vote.
 */
import { majorityOf, nodeName } from '../engine/names';
import type { NodeId } from '../engine/types';
import {
  commitPointMove,
  factsOf,
  knowledgeLine,
  messagesLine,
  scriptedStep,
  ticks,
  tooFewUp,
  voteCommitPointLine,
  whatIfOf,
  joined,
  type DebriefLine,
  type RoundFacts,
  type WhatIfTold,
} from './debrief';
import { moved, openingRequests, voter } from './look';
import type { Lesson } from './types';

const PLAYER = 0;
const B = 1;
const C = 2;
const DOWN: NodeId[] = [3, 4];

export const liveness: Lesson = {
  id: 'liveness',
  number: 9,
  title: 'Liveness',
  idea:
    'A majority vote can still pass a decree while some voters are down, as long as floor(N/2)+1 of them are up: with five voters, any three. ' +
    'One crash more and nothing can pass, whatever the voters left do; nothing unsafe happens either, the vote just waits. ' +
    'A voter that comes back remembers its own vote but has missed every message sent while it was down.',
  essay: 'Paxos: Majority-Rules Two-Phase Commit',
  setup: {
    protocol: 'majority',
    nodes: 5,
    seed: 9,
    settings: { latencyMin: 1, latencyMax: 3, decrees: ['X'] },
    player: PLAYER,
    students: [0, 1, 2],
  },
  script: [
    openingRequests([{ node: PLAYER, decree: 'X' }], 'A client asks you, A, to get X decided.'),
    {
      id: 'crash-d-e',
      when: () => true,
      commands: () => DOWN.map((node) => ({ type: 'crash', node })),
      why: `D and E are down. Three of the five voters are up, and three is a majority of five (floor(5/2)+1 = ${majorityOf(5)}).`,
    },
    {
      id: 'crash-c',
      when: ({ world }) => !world.nodes[C]!.crashed && voter(world, C).durable.vote === null && world.inFlight.some((m) => m.to === C),
      commands: () => [{ type: 'crash', node: C }],
      why: 'C crashes too, before news of X reaches it. Only A and B are up: two of five, short of a majority, so no decree can pass whatever they do.',
    },
    {
      id: 'recover-c',
      when: ({ world, run }) => {
        const stalled = run.objectives.find((o) => o.id === 'stalled')?.reached;
        return world.nodes[C]!.crashed && stalled != null && world.tick >= stalled.tick + 5;
      },
      commands: () => [{ type: 'recover', node: C }],
      why: 'C recovers. It kept what it wrote to disk, but everything sent to it while it was down is lost: it has never heard of X.',
    },
    {
      id: 'a-resends',
      // Only when a bot holds A: a player puts X forward themselves.
      when: ({ run }) => run.fired.some((f) => f.rule === 'recover-c') && run.objectives.find((o) => o.id === 'resend')?.reached === null,
      commands: () => [{ type: 'act', node: PLAYER, action: { kind: 'putForward', decree: 'X' } }],
      why: 'A puts X forward again, so that C hears of it.',
    },
  ],
  steps: [
    {
      id: 'vote',
      title: 'Vote for X, the decree your client asked for.',
      groupTitle: "D and E are down, and a client asks A to get X decided: A votes for X.",
      reached: ({ world }) => voter(world, PLAYER).durable.vote === 'X',
      hints: [{ afterTicks: 6, text: 'Press "Vote for X". Your vote goes to every other voter.' }],
    },
    {
      id: 'stalled',
      title: 'Watch your tally until every voter that is up has voted. Can X pass?',
      groupTitle: "C goes down before it hears of X: only A and B are up, two of five, short of a majority. Can X pass?",
      reached: ({ world }) => {
        const tally = voter(world, PLAYER).volatile.tally.X ?? [];
        return tally.includes(PLAYER) && tally.includes(B) && world.nodes[C]!.crashed;
      },
      hints: [{ afterTicks: 8, text: 'B\'s vote takes a few ticks to reach you. Count who is up, and how many votes a majority of five needs.' }],
    },
    {
      id: 'resend',
      title: 'C is back, but it never heard of X: put X forward again, so that C can vote.',
      groupTitle: "C is back, but it never heard of X: A puts X forward again, so that C can vote.",
      reached: (moment) => moved(moment, PLAYER, 'putForward') && moment.run.fired.some((f) => f.rule === 'recover-c'),
      hints: [{ afterTicks: 6, text: 'Press "Put X forward". C only votes for a candidate it has heard of.' }],
    },
    {
      id: 'passed',
      title: 'Watch your tally: X passes once three votes are in.',
      groupTitle: "C hears of X and votes: X passes once three votes are in.",
      reached: ({ world }) => voter(world, PLAYER).durable.learned === 'X',
      hints: [{ afterTicks: 10, text: 'C needs a moment to hear of X and vote, and its vote a moment to reach you.' }],
    },
  ],
  briefings: {
    0: "You are A, one of five voters, A to E; your client asks you to get X decided. Vote for X and watch your tally: a majority of five is three votes, and some voters are down. If a voter comes back having missed X, put X forward again so that it can vote.",
    1: "You are B, one of five voters, A to E; a client asks A to get X decided. Vote for X once you hear of it: your vote is locked once cast. Then watch your tally: can X reach three votes, a majority of five, while voters are down?",
    2: "You are C, one of five voters, A to E; a client asks A to get X decided. Vote for X once you hear of it. Your node may go down: a voter that comes back remembers what it wrote to disk but nothing sent to it while it was down, so if you never heard of X, you can vote for it only once someone puts it forward again.",
  },
  debrief(round) {
    const facts = factsOf(liveness, round);
    const lines: DebriefLine[] = [];
    lines.push({ topic: 'outcome', text: facts.outcome ? `${facts.outcome} was chosen.` : 'Nothing was chosen.' });
    for (const span of tooFewUp(facts)) {
      const until = span.to === null ? `the end of the round at tick ${facts.final.tick}` : `tick ${span.to}`;
      const length = (span.to ?? facts.final.tick) - span.from;
      lines.push({
        topic: 'blocked',
        text: `From tick ${span.from} to ${until} (${ticks(length)}) only ${joined(span.up.map((n) => nodeName(n)))} ${span.up.length === 1 ? 'was' : 'were'} up: ${span.up.length} of ${round.config.nodes}, short of the ${majorityOf(round.config.nodes)} a majority needs, so nothing could pass.`,
      });
    }
    const cp = voteCommitPointLine(facts);
    if (cp) lines.push(cp);
    if (facts.commitPoint) {
      const up = facts.worlds[facts.commitPoint.step + 1]!.nodes.filter((n) => !n.crashed).map((n) => nodeName(n.id));
      lines.push({ topic: 'story', text: `When ${facts.commitPoint.decree} passed, ${joined(up)} were up: ${up.length} of ${round.config.nodes} is enough, though ${listDown(facts)} stayed down.` });
    }
    lines.push(knowledgeLine(facts, `${facts.outcome ?? 'the outcome'} was chosen`));
    lines.push(messagesLine(facts));
    const told = withoutThirdCrash(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(told) });
    return { lines, commitPoint: commitPointMove(facts), knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

function listDown(facts: RoundFacts): string {
  const down = facts.worlds[facts.commitPoint!.step + 1]!.nodes.filter((n) => n.crashed).map((n) => nodeName(n.id));
  return down.length > 0 ? joined(down) : 'nobody';
}

function withoutThirdCrash(facts: RoundFacts): WhatIfTold | null {
  const crash = scriptedStep(facts, 'crash-c');
  if (crash === null) return null;
  return whatIfOf(facts, { kind: 'omit', step: crash }, `had C not crashed at tick ${facts.worlds[crash + 1]!.tick}`, ['crash-c']);
}

function whatIfSentence(told: WhatIfTold): string {
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots,`;
  const cp = told.commitPoint;
  if (!cp) return `${head} would have passed nothing within ${told.run.world.tick - told.run.divergedTick} ticks.`;
  return `${head} would have passed ${cp.decree} at tick ${cp.tick} with the votes of ${joined(cp.voters.map((n) => nodeName(n)))}, while D and E were still down.`;
}
