/**
 * Lesson 3: one variable, then a log. Replicating a data structure through faults and conflicting
 * updates comes down to agreeing on one variable: which update goes next. Agree on one, then on the
 * next, slot after slot, and every node applies the same updates in the same order. Two clients ask
 * at once for x=1 (at the player's node, A) and x=2 (at C). Slot 1 is a majority vote, and x=2 wins
 * it; x=1 is not lost, it is the candidate of slot 2, the same vote again. The network holds slot 1's
 * votes back from E, so E learns slot 2 first and must wait to apply it.
 */
import { listNames, nodeName } from '../engine/names';
import type { Command, Message, NodeId, World } from '../engine/types';
import { ballotOf, openSlot, applied, type VotelogDurable, type VotelogVolatile } from '../protocols/votelog';
import { chosenIn } from '../protocols/common';
import {
  commitPointMove,
  factsOf,
  joined,
  knowledgeLine,
  messagesLine,
  nameOf,
  scriptedStep,
  shortName,
  ticks,
  toldAfterLines,
  traceOf,
  whatIfOf,
  type DebriefLine,
  type RoundFacts,
  type WhatIfTold,
} from './debrief';
import { hold, openingRequests } from './look';
import type { Lesson, LessonMoment, ScriptRule } from './types';

const PLAYER = 0;
const B = 1;
const C = 2;
const D = 3;
const E = 4;
const MINE = 'x=1';
const OTHER = 'x=2';
const SLOTS = 2;
const HOLD_E = 'hold-slot-1-from-e';
const HOLDS = ['hold-a-from-b-d', HOLD_E];

/** A node of the log, typed. */
export function logNode(world: World, id: NodeId): { durable: VotelogDurable; volatile: VotelogVolatile; crashed: boolean } {
  const node = world.nodes[id]!;
  return { durable: node.durable as VotelogDurable, volatile: node.volatile as VotelogVolatile, crashed: node.crashed };
}

const votedIn = (world: World, id: NodeId, slot: number): boolean => logNode(world, id).durable.votes[slot] != null;

/** A bot's seat votes for this update in this slot as soon as it may. */
function votesIn(id: string, node: NodeId, slot: number, decree: string, why: string, told: 'now' | 'after'): ScriptRule {
  return {
    id,
    when: ({ world }) => {
      const n = logNode(world, node);
      return !n.crashed && openSlot(n.durable.learned) === slot && !votedIn(world, node, slot) && ballotOf(n.volatile, slot).candidates.includes(decree);
    },
    commands: (): Command[] => [{ type: 'act', node, action: { kind: 'vote', slot, decree } }],
    why,
    told,
  };
}

const slotOf = (m: Message): number | null => {
  const slot = (m.payload as { slot?: unknown }).slot;
  return typeof slot === 'number' ? slot : null;
};

/** Every node has applied both slots, and their logs read the same. */
function sameLog(world: World): boolean {
  const mine = applied(logNode(world, PLAYER).durable.learned).join(', ');
  return world.nodes.every((n) => {
    const log = applied(logNode(world, n.id).durable.learned);
    return log.length === SLOTS && log.join(', ') === mine;
  });
}

/**
 * x=1 can no longer reach the log: it is chosen in no slot, no live node holds a client's request for
 * it, nobody counts it a candidate in a slot still open, and no message carries it to one.
 */
function mineLost(world: World): boolean {
  if (!world.proposed.includes(MINE) || world.global.chosen.some((c) => c.decree === MINE)) return false;
  let open = 0;
  while (chosenIn(world.global.chosen, open) !== null) open += 1;
  const live = world.nodes.filter((n) => !n.crashed).map((n) => logNode(world, n.id));
  if (live.some((n) => n.volatile.requests.includes(MINE))) return false;
  if (live.some((n) => n.volatile.ballots.some((b, slot) => slot >= open && b.candidates.includes(MINE)))) return false;
  return !world.inFlight.some((m) => (m.payload as { decree?: unknown }).decree === MINE && (slotOf(m) ?? -1) >= open);
}

export const oneVariableThenLog: Lesson = {
  id: 'one-variable-then-a-log',
  number: 3,
  title: 'One variable, then a log',
  idea:
    'Keeping copies of a changing value the same on every node, through crashes and conflicting updates, comes down to agreeing on one thing: which update goes next. ' +
    'Decide that by a majority vote, then decide the next one the same way, slot after slot, and the slots make a log. ' +
    'Every node applies the log in slot order, never a slot before the ones ahead of it, so every copy goes through the same updates in the same order.',
  essay: 'Consensus: A Related Problem',
  setup: {
    protocol: 'votelog',
    nodes: 5,
    seed: 3,
    settings: { latencyMin: 1, latencyMax: 3, decrees: [MINE, OTHER] },
    player: PLAYER,
    students: [0, 2, 3],
  },
  script: [
    openingRequests(
      [
        { node: PLAYER, decree: MINE },
        { node: C, decree: OTHER },
      ],
      'Two clients ask at the same moment for updates that conflict: yours, at A, wants x=1, and C\'s wants x=2. Applied in different orders, they would leave x different on different nodes.',
    ),
    votesIn('c-votes', C, 0, OTHER, 'C votes for x=2, its client\'s update, in slot 1.', 'now'),
    votesIn('b-votes', B, 0, OTHER, 'B heard of x=2 first and voted for it in slot 1.', 'after'),
    votesIn('d-votes', D, 0, OTHER, 'D heard of x=2 first and voted for it in slot 1.', 'after'),
    hold(
      'hold-a-from-b-d',
      (m) => m.from === PLAYER && (m.to === B || m.to === D),
      ({ world }) => [B, D].every((n) => votedIn(world, n, 0) || logNode(world, n).crashed),
      'The network held back A\'s messages to B and D until both had voted in slot 1, so that they heard of x=2 first.',
    ),
    hold(
      HOLD_E,
      (m) => m.to === E && slotOf(m) === 0,
      ({ world }) =>
        logNode(world, E).durable.learned[1] != null ||
        // Should slot 1 need E's vote to be decided, E hears of it.
        (chosenIn(world.global.chosen, 0) === null && world.nodes.every((n) => n.id === E || votedIn(world, n.id, 0) || n.crashed)),
      'The network held back every slot 1 message to E until E had learned slot 2, so that E learned slot 2 first.',
    ),
  ],
  steps: [
    {
      id: 'vote-1',
      title: 'Vote in slot 1: your client asked you for x=1.',
      groupTitle: "Two clients ask at once, one at A for x=1 and one at C for x=2: A votes in slot 1.",
      reached: ({ world }) => votedIn(world, PLAYER, 0),
      hints: [
        { afterTicks: 6, text: 'Press "Vote for x=1 in slot 1". Your vote is locked once cast.' },
        { afterTicks: 16, text: 'Slot 1 is one majority vote: the update that gets 3 of 5 votes there is the one every node applies first.' },
      ],
    },
    {
      id: 'slot-1',
      title: 'Watch your tally for slot 1 until one update has 3 of 5 votes. Which update won?',
      groupTitle: "The votes for slot 1 reach A one by one, and nobody announces the result: A's own tally shows which update got 3 of 5 votes.",
      reached: ({ world }) => logNode(world, PLAYER).durable.learned[0] != null,
      hints: [{ afterTicks: 8, text: 'Votes reach you one by one and nobody announces the result: your own tally for slot 1 is how you learn it.' }],
    },
    {
      id: 'vote-2',
      title: 'One update lost slot 1, but its client is still waiting: vote in slot 2, the same vote again.',
      groupTitle: "The update that lost slot 1 still has a waiting client: A votes in slot 2, the same vote again.",
      reached: ({ world }) => votedIn(world, PLAYER, 1),
      hints: [
        {
          afterTicks: 6,
          text: 'Candidates do not carry over from one slot to the next: an update that lost slot 1 comes back in slot 2 only when a node whose client asked for it votes for it there or puts it forward.',
        },
        { afterTicks: 16, text: 'Slot 2 is a vote like slot 1: a new slot, a new locked vote, the same rules.' },
      ],
    },
    {
      id: 'same-log',
      title: 'Watch until every node has applied both slots: the same log, in the same order.',
      groupTitle: "Every node applies both slots: the same log, in the same order, on A, B, C, D and E.",
      reached: ({ world }) => sameLog(world),
      hints: [
        { afterTicks: 8, text: 'A node applies a slot only once it has learned every slot before it, so a node that learns slot 2 first must wait for slot 1.' },
      ],
    },
  ],
  briefings: {
    0: "You are A, one of five nodes, A to E; your client asks you for x=1, an update that may conflict with others. Vote in slot 1, then watch your tally to learn which update won it. An update that lost slot 1 still has a waiting client: vote again in slot 2, and watch until every node has applied both slots.",
    2: "You are C, one of five nodes, A to E; your client asks you for x=2, an update that may conflict with others. Vote for x=2 in slot 1: your vote there is locked once cast. Watch your tally to learn which update won slot 1, then vote in slot 2 too, and watch your log: you apply a slot only once you have learned every slot before it.",
    3: "You are D, one of five nodes, A to E; no client asks you for anything. Vote in slot 1 for the first update you hear of: your vote there is locked once cast. Watch your tally to learn which update won slot 1, then vote in slot 2 too, and watch your log: you apply a slot only once you have learned every slot before it.",
  },
  deadEnds: [
    {
      id: 'x1-lost',
      when: ({ world }) => mineLost(world),
      text:
        'A crashed before x=1 was in any slot, and forgot its client\'s request: no node will ever put x=1 up, so the log can only hold x=2. ' +
        'A real client would ask again; play the lesson again to see both updates reach the log.',
    },
  ],
  debrief(round) {
    const facts = factsOf(oneVariableThenLog, round);
    const lines: DebriefLine[] = [];
    lines.push({ topic: 'outcome', text: outcomeSentence(facts) });
    lines.push(...slotCommitLines(facts));
    const wait = waitLines(facts);
    lines.push(...toldAfterLines(facts));
    lines.push(...wait);
    lines.push(knowledgeLine(facts, facts.outcome ? `the whole log (${facts.outcome})` : 'the whole log'));
    lines.push(messagesLine(facts));
    const told = withoutHold(facts);
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

/** "Slot 1 chose x=2 and slot 2 chose x=1: every node that applied both ends with x = 1." */
function outcomeSentence(facts: RoundFacts): string {
  const chosen = Array.from({ length: SLOTS }, (_, slot) => chosenIn(facts.final.global.chosen, slot));
  const said = chosen.flatMap((decree, slot) => (decree === null ? [] : [`slot ${slot + 1} chose ${decree}`]));
  if (said.length === 0) return 'No slot was decided.';
  const head = `${joined(said)[0]!.toUpperCase()}${joined(said).slice(1)}`;
  const log = chosen.filter((d): d is string => d !== null);
  if (log.length < SLOTS) return `${head}; slot ${log.length + 1} was not decided.`;
  return `${head}: every node that applied both, in that order, ends with x = ${log[log.length - 1]!.slice(2)}.`;
}

/** Each slot's commit point: whose vote it was, the majority it made, and what the voter's own tally showed then. */
function slotCommitLines(facts: RoundFacts): DebriefLine[] {
  const nodes = facts.round.config.nodes;
  return facts.final.global.chosen.map((cp) => {
    const world = facts.worlds[cp.step + 1]!;
    const tally = ballotOf(logNode(world, cp.node).volatile, cp.slot).tally[cp.decree] ?? [];
    const short = shortName(facts.round, cp.node);
    const showed = `its own tally showed ${tally.length} of ${nodes} votes for ${cp.decree}`;
    const knew = cp.nodeKnew ? `${short} could tell: ${showed}.` : `${short} did not know it: ${showed}.`;
    return {
      topic: 'commit-point',
      text: `Slot ${cp.slot + 1}: ${nameOf(facts.round, cp.node)}'s vote at tick ${cp.tick} was the commit point: it gave ${cp.decree} ${cp.voters.length} of ${nodes} votes (${listNames(cp.voters)}). ${knew}`,
    };
  });
}

/** When each node learned each slot and applied it, in the round's worlds. */
function learnedAndApplied(worlds: readonly World[]): { learned: (number | null)[][]; applied: (number | null)[][] } {
  const n = worlds[0]!.nodes.length;
  const learned = Array.from({ length: n }, () => Array.from({ length: SLOTS }, (): number | null => null));
  const appliedAt = Array.from({ length: n }, () => Array.from({ length: SLOTS }, (): number | null => null));
  for (const world of worlds) {
    for (const node of world.nodes) {
      const d = logNode(world, node.id).durable;
      const done = applied(d.learned).length;
      for (let slot = 0; slot < SLOTS; slot++) {
        if (learned[node.id]![slot] === null && d.learned[slot] != null) learned[node.id]![slot] = world.tick;
        if (appliedAt[node.id]![slot] === null && done > slot) appliedAt[node.id]![slot] = world.tick;
      }
    }
  }
  return { learned, applied: appliedAt };
}

/** The nodes that learned slot 2 before slot 1, and how long slot 2 waited to be applied. */
function waitLines(facts: RoundFacts): DebriefLine[] {
  const { learned, applied: appliedAt } = learnedAndApplied(facts.worlds);
  return facts.final.nodes.flatMap((node) => {
    const [first, second] = learned[node.id]!;
    if (second == null || (first != null && first <= second)) return [];
    const at = appliedAt[node.id]![1] ?? null;
    const tail = at === null ? 'and it had not learned slot 1 by the end of the round, so slot 2 was never applied.' : `and it applied slot 2 only at tick ${at}, right after slot 1: ${ticks(at - second)} of waiting.`;
    return [{ topic: 'story' as const, text: `${nameOf(facts.round, node.id)} learned slot 2 at tick ${second}, before slot 1, ${tail}` }];
  });
}

/** The round without the network's hold on E's slot 1 messages: from there, bots play every seat. */
function withoutHold(facts: RoundFacts): WhatIfTold | null {
  const at = scriptedStep(facts, HOLD_E);
  if (at === null) return null;
  return whatIfOf(facts, { kind: 'omit', step: at }, `without the network holding slot 1 back from E from tick ${facts.worlds[at]!.tick} on`, [HOLD_E]);
}

function whatIfSentence(told: WhatIfTold): string {
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots,`;
  const { worlds } = traceOf(told.run.config, told.run.log);
  const { learned, applied: appliedAt } = learnedAndApplied(worlds);
  const [first, second] = learned[E]!;
  if (first == null || second == null) return `${head} would have left E without the whole log within ${told.run.world.tick - told.run.divergedTick} ticks.`;
  const wait = appliedAt[E]![1]! - second;
  const applies = wait === 0 ? `applying each slot as it learned it` : `waiting ${ticks(wait)} to apply slot 2`;
  return `${head} would have had ${nodeName(E)} learn slot 1 at tick ${first} and slot 2 at tick ${second}, ${applies}; the log would have been ${told.outcome ?? 'left unfinished'}.`;
}

