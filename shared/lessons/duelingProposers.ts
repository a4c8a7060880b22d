/**
 * Lesson 12: Paxos ballots escape the split, and dueling proposers can livelock. Two clients ask two
 * nodes for different values. Ballots are ordered, so a higher ballot may take over from a lower one
 * and nothing is stuck for good; but twice the other proposer starts a higher ballot just as the
 * player's is about to win, and a duel follows until one of them holds back.
 */
import { nodeName } from '../engine/names';
import type { CommitPoint, NodeId, World } from '../engine/types';
import { ballotText, compareBallots, type Ballot } from '../protocols/paxos';
import {
  commitPointMove,
  factsOf,
  joined,
  knowledgeLine,
  messagesLine,
  nameOf,
  scriptedStep,
  shortName,
  toldAfterLines,
  whatIfOf,
  type DebriefLine,
  type RoundFacts,
  type WhatIfTold,
} from './debrief';
import { hold, paxosNode } from './look';
import type { Lesson, LessonMoment } from './types';

const PLAYER = 0;
const B = 1;
const C = 2;
/** How many times C starts a higher ballot just as the player's is about to win. */
const PREEMPTIONS = 2;

const ballotOf = (world: World, id: NodeId): Ballot | null => paxosNode(world, id).volatile.proposal?.ballot ?? null;

/** The player holds promises from a majority for a ballot that C has not yet beaten. */
const aboutToWin = ({ world }: LessonMoment): boolean => {
  const a = paxosNode(world, PLAYER).volatile.proposal;
  if (!a || a.phase !== 'preparing' || a.promises.length < 2 || world.nodes[C]!.crashed) return false;
  const c = ballotOf(world, C);
  return c === null || compareBallots(c, a.ballot) < 0;
};

/** The ballot number a node's "Start ballot" move offers now. */
const nextBallot = (world: World, id: NodeId): number => {
  const node = paxosNode(world, id);
  return Math.max(node.durable.maxUsed, node.volatile.highestSeen, node.durable.promised?.n ?? 0) + 1;
};

/** The highest ballot number the player has used. */
const playerBallots = (moment: LessonMoment): number => paxosNode(moment.world, PLAYER).durable.maxUsed;

export const duelingProposers: Lesson = {
  id: 'dueling-proposers',
  number: 12,
  title: 'Ballots escape the split, and proposers can duel',
  idea:
    'Paxos numbers its attempts: a proposer runs a ballot, first collecting promises from a majority, then asking it to accept one value. ' +
    'A higher ballot may always take over from a lower one, and it must carry on the value its promises report accepted under the highest earlier ballot, so a split between two values is never stuck for good. ' +
    'But two proposers that keep starting higher ballots can beat each other forever: a duel, until one holds back.',
  essay: 'Paxos: Better with Leaders',
  setup: {
    protocol: 'paxos',
    nodes: 3,
    seed: 12,
    settings: { latencyMin: 1, latencyMax: 2, decrees: ['X', 'Z'] },
    player: PLAYER,
    students: [0, 2],
  },
  script: [
    {
      id: 'request-a',
      when: () => true,
      commands: () => [{ type: 'propose', node: PLAYER, decree: 'X' }],
      why: 'A client asks you, A, to get X chosen.',
    },
    {
      id: 'request-c',
      when: aboutToWin,
      commands: () => [{ type: 'propose', node: C, decree: 'Z' }],
      why: 'Another client asks C to get Z chosen: two proposers, two values.',
    },
    {
      id: 'c-preempts',
      times: PREEMPTIONS,
      when: (moment) => aboutToWin(moment) && paxosNode(moment.world, C).volatile.requests.length > 0,
      commands: ({ world }) => [{ type: 'act', node: C, action: { kind: 'prepare', ballot: Math.max(nextBallot(world, C), (ballotOf(world, PLAYER)?.n ?? 0) + 1) } }],
      why: 'C starts a higher ballot just as yours is about to win: C\'s client is waiting too.',
    },
    {
      id: 'a-retries',
      // Only when a bot holds A: a player starts the higher ballot themselves.
      when: (moment) => moment.run.objectives[2]!.reached !== null && playerBallots(moment) < 2 && !moment.world.nodes[PLAYER]!.crashed,
      commands: (moment) => [{ type: 'act', node: PLAYER, action: { kind: 'prepare', ballot: nextBallot(moment.world, PLAYER) } }],
      why: 'A starts a higher ballot.',
    },
    hold(
      'hold-accept-to-b',
      (m, { world, run }) => {
        if (m.from !== PLAYER || m.to !== B || m.payload.kind !== 'accept' || (run.firings['c-preempts']?.count ?? 0) === 0) return false;
        const ballot = m.payload.ballot as Ballot;
        const c = ballotOf(world, C);
        const promised = paxosNode(world, B).durable.promised;
        return c !== null && compareBallots(c, ballot) > 0 && !(promised && compareBallots(promised, ballot) > 0);
      },
      () => false,
      'The network held A\'s ACCEPT back from B until B had promised C\'s higher ballot, so that C\'s ballot beat A\'s.',
    ),
  ],
  steps: [
    {
      id: 'prepare',
      title: 'Start a ballot for X: send PREPARE.',
      groupTitle: "A client asks A to get X chosen: A starts a ballot and sends PREPARE.",
      reached: ({ world }) => ballotOf(world, PLAYER) !== null,
      hints: [{ afterTicks: 6, text: 'Press "Start ballot 1 (send PREPARE)". You promise your own ballot at once.' }],
    },
    {
      id: 'majority',
      title: 'Collect promises from a majority: 2 of 3, your own included.',
      groupTitle: "A collects promises from a majority: 2 of 3, its own included.",
      reached: ({ world }) => (paxosNode(world, PLAYER).volatile.proposal?.promises.length ?? 0) >= 2,
      hints: [{ afterTicks: 6, text: 'B answers your PREPARE with a promise; it takes a few ticks.' }],
    },
    {
      id: 'beaten',
      title: 'Send ACCEPT for X, and see what comes back.',
      groupTitle: "A sends ACCEPT, and a REFUSE comes back: a higher ballot has beaten A's.",
      reached: (moment) => moment.run.deliveries.some((d) => d.message.to === PLAYER && d.message.payload.kind === 'refuse'),
      hints: [
        { afterTicks: 6, text: 'Press "Send ACCEPT for X" (if a promise reported a value accepted, you must send that value instead).' },
        { afterTicks: 14, text: 'A REFUSE names the higher ballot its sender promised.' },
      ],
    },
    {
      id: 'again',
      title: 'A higher ballot beat yours. Start a higher one of your own.',
      groupTitle: "A starts a higher ballot of its own.",
      reached: (moment) => playerBallots(moment) >= 2,
      hints: [{ afterTicks: 6, text: 'Start a ballot again: the button offers a number higher than any you have seen, so the new ballot beats every one so far.' }],
    },
    {
      id: 'chosen',
      title: 'Each ballot is beaten by a higher one before its ACCEPT lands: a duel, and nothing is chosen while it lasts. Hold back, and let one ballot finish.',
      groupTitle: "Each ballot is beaten by a higher one before its ACCEPT lands: a duel, and nothing is chosen while it lasts, until one proposer holds back and lets the other's ballot finish.",
      reached: ({ world }) => world.global.chosen.length > 0,
      hints: [
        { afterTicks: 6, text: 'Do not start another ballot for a while. Answer C\'s PREPARE and ACCEPT with "Promise" and "Accept".' },
        { afterTicks: 16, text: 'Whoever holds back lets the other\'s ballot win. Proposers wait a random time before trying again, so that one of them does.' },
      ],
    },
    {
      id: 'learn',
      title: 'Learn which value was chosen: watch the acceptances reach you.',
      groupTitle: "The acceptances reach A: which value was chosen?",
      reached: ({ world }) => paxosNode(world, PLAYER).durable.learned !== null,
      hints: [{ afterTicks: 8, text: 'A value is chosen once a majority accepts it under one ballot; the ACCEPTED messages tell you.' }],
    },
  ],
  briefings: {
    0: "You are A, one of three nodes, A, B and C; a client asks you to get X chosen. Start a ballot, collect promises from a majority (2 of 3, your own included), and send ACCEPT: for X, or for the value a promise reports accepted under the highest earlier ballot if one does. When a higher ballot beats yours, start a higher one of your own; when no ballot can finish before the next beats it, hold back and let one win.",
    2: "You are C, one of three nodes, A, B and C. When a client asks you to get Z chosen, start a ballot of your own: send PREPARE, collect promises from a majority (2 of 3, your own included), and send ACCEPT: for Z, or for the value a promise reports accepted under the highest earlier ballot if one does. When a higher ballot beats yours, you may start a higher one still: watch what happens while two proposers keep doing so, and what ends it.",
  },
  deadEnds: [
    {
      id: 'won-without-duel',
      when: (moment) => moment.world.global.chosen.length > 0 && moment.run.objectives[3]!.reached === null,
      text: 'A ballot won before the duel could start, so there was none to see. Play again: send ACCEPT as soon as you hold a majority of promises, and start a higher ballot as soon as yours is beaten.',
    },
  ],
  debrief(round) {
    const facts = factsOf(duelingProposers, round);
    const lines: DebriefLine[] = [];
    const cp = facts.commitPoint;
    lines.push({ topic: 'outcome', text: facts.outcome ? `${facts.outcome} was chosen.` : 'No value was chosen.' });
    if (cp) lines.push(commitPointLine(facts, cp));
    lines.push(...duelLines(facts));
    if (cp) {
      const ballot = ballotOfCommit(facts, cp);
      const proposer = ballot ? ballot.node : null;
      const asked = facts.round.log.find((c) => c.type === 'propose' && c.node === proposer);
      if (ballot && asked && asked.type === 'propose' && asked.decree !== cp.decree) {
        lines.push({
          topic: 'story',
          text: `Ballot ${ballotText(ballot)} carried ${cp.decree}, though ${nodeName(ballot.node)}'s own client asked for ${asked.decree}: a promise reported ${cp.decree} accepted under an earlier ballot, and a proposer must carry on the value accepted under the highest ballot it hears of. That is how a later ballot picks up where an earlier one left off, so that two values never split the acceptors for good.`,
        });
      }
    }
    lines.push(...toldAfterLines(facts));
    lines.push(knowledgeLine(facts, `${facts.outcome ?? 'the outcome'} was chosen`));
    lines.push(messagesLine(facts));
    const told = withoutPreemption(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(told) });
    return { lines, commitPoint: commitPointMove(facts), knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

/** The ballot under which the commit point's majority accepted. */
function ballotOfCommit(facts: RoundFacts, cp: CommitPoint): Ballot | null {
  const world = facts.worlds[cp.step + 1]!;
  return paxosNode(world, cp.node).durable.accepted?.ballot ?? null;
}

function commitPointLine(facts: RoundFacts, cp: CommitPoint): DebriefLine {
  const ballot = ballotOfCommit(facts, cp);
  const world = facts.worlds[cp.step + 1]!;
  const seen = paxosNode(world, cp.node).volatile.acceptances.find((a) => ballot && compareBallots(a.ballot, ballot) === 0)?.from.length ?? 0;
  const who = shortName(facts.round, cp.node);
  const of = `${seen} of ${facts.round.config.nodes} acceptances`;
  const knew = cp.nodeKnew ? `${who} could tell at once: ${who}'s own tally showed ${of}.` : `${who} did not know it: ${who}'s own tally showed ${of}.`;
  return {
    topic: 'commit-point',
    text: `${nameOf(facts.round, cp.node)}'s acceptance at tick ${cp.tick} was the commit point: with it a majority (${joined(cp.voters.map((n) => nameOf(facts.round, n)))}) had accepted ${cp.decree} under ballot ${ballot ? ballotText(ballot) : '?'}. ${knew}`,
  };
}

/** The ballots started before the value was chosen, by whom, and the refusals the duel cost. */
function duelLines(facts: RoundFacts): DebriefLine[] {
  const chosenAt = facts.commitPoint?.step ?? facts.round.log.length;
  const ballots: { node: NodeId; n: number; tick: number }[] = [];
  facts.round.log.forEach((c, i) => {
    if (i < chosenAt && c.type === 'act' && c.action.kind === 'prepare') ballots.push({ node: c.node, n: Number(c.action.ballot), tick: facts.worlds[i + 1]!.tick });
  });
  const refusals = facts.events.slice(0, chosenAt).flat().filter((e) => e.type === 'sent' && e.message?.payload.kind === 'refuse').length;
  const lines: DebriefLine[] = [];
  if (ballots.length > 0) {
    const list = ballots.map((b) => `${ballotText({ n: b.n, node: b.node })} at tick ${b.tick}`);
    lines.push({
      topic: 'blocked',
      text: `${ballots.length} ballot${ballots.length === 1 ? ' was' : 's were'} started before a value was chosen: ${joined(list)}. ${refusals} REFUSE${refusals === 1 ? ' was' : 's were'} sent while the ballots beat each other.`,
    });
  }
  const first = ballots[0];
  if (first && facts.commitPoint) {
    lines.push({ topic: 'blocked', text: `From the first ballot to the commit point: ${facts.commitPoint.tick - first.tick} ticks, all of it safe, none of it progress until one ballot ran unopposed.` });
  }
  return lines;
}

function withoutPreemption(facts: RoundFacts): WhatIfTold | null {
  const first = scriptedStep(facts, 'c-preempts');
  if (first === null) return null;
  return whatIfOf(facts, { kind: 'omit', step: first }, `had C not started its ballot at tick ${facts.worlds[first + 1]!.tick}`, ['c-preempts', 'hold-accept-to-b']);
}

function whatIfSentence(told: WhatIfTold): string {
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots,`;
  const cp = told.commitPoint;
  if (!cp) return `${head} would have chosen nothing within ${told.run.world.tick - told.run.divergedTick} ticks.`;
  const accepted = paxosNode(told.run.world, cp.node).durable.accepted;
  return `${head} would have chosen ${cp.decree} at tick ${cp.tick}${accepted ? `, under ballot ${ballotText(accepted.ballot)}` : ''}.`;
}
