/**
 * Lesson 13: leaders serialize decrees. The round of lesson 11 (three voters, three clients asking
 * three nodes for X, Y and Z at the same moment) played again with Multi-Paxos: nobody leads at the
 * start, so once the leader timers fire the player, first in the order of names, runs for leader, wins phase 1, and every request reaches the leader, which gives each the next free slot.
 * Nothing competes for a slot, so nothing splits: X, Y and Z are each chosen, in the order the leader
 * assigned. The what-if re-runs the same requests without a leader, by lesson 11's majority vote.
 */
import { nodeName } from '../engine/names';
import type { Command, CommitPoint, NodeId, World } from '../engine/types';
import { ballotText } from '../protocols/paxos';
import { NOOP, slotWords } from '../protocols/multipaxos';
import {
  factsOf,
  commitPointMove,
  joined,
  messagesLine,
  nameOf,
  shortName,
  ticks,
  traceOf,
  type DebriefLine,
  type RoundFacts,
  type WhatIfTold,
} from './debrief';
import { mpNode, openingRequests, voter } from './look';
import { lessonConfig } from './run';
import { SPLIT_REQUESTS, splitVote } from './splitVote';
import type { Lesson, LessonMoment } from './types';
import { whatIf } from './whatIf';
import { protocolFor } from '../protocols';

const PLAYER = 0;
const DECREES = SPLIT_REQUESTS.map((r) => r.decree);

/** The slots chosen so far, each with its first commit point, lowest slot first. */
function chosenSlots(world: World): CommitPoint[] {
  const bySlot = new Map<number, CommitPoint>();
  for (const c of world.global.chosen) if (!bySlot.has(c.slot)) bySlot.set(c.slot, c);
  return [...bySlot.values()].sort((a, b) => a.slot - b.slot);
}

/** Every request of the three is chosen in a slot of its own. */
const everyRequestChosen = (world: World): boolean => DECREES.every((d) => world.global.chosen.some((c) => c.decree === d));

/** The leader the player's node is, if it leads. */
const leads = ({ world }: LessonMoment, id: NodeId): boolean => mpNode(world, id).volatile.lead !== null;

export const leaderSerializes: Lesson = {
  id: 'leader-serializes',
  number: 13,
  title: 'Leaders serialize decrees',
  idea:
    'The split vote again: three clients ask three nodes for X, Y and Z at the same moment, but this time one node leads. ' +
    'Every request goes to the leader, which gives each the next free slot of a log, so no two decrees ever compete for the same slot and nothing can split. ' +
    'The leader won its place once, with a ballot a majority promised; after that each decree needs only one round of ACCEPT.',
  essay: 'Paxos: Better with Leaders',
  setup: {
    protocol: 'multipaxos',
    nodes: 3,
    // Lesson 11's seed and network: the same three requests at the same moment.
    seed: splitVote.setup.seed,
    // A timeout of two round trips: the leader timers that must fire before anyone runs are short.
    settings: { latencyMin: 1, latencyMax: 3, timeoutTicks: 12, decrees: DECREES, election: 'ranked' },
    player: PLAYER,
    students: [0, 1, 2],
  },
  script: [
    openingRequests(SPLIT_REQUESTS, 'Three clients ask at the same moment, as in the split vote: you, A, for X; B for Y; C for Z. Nobody leads yet, so B and C hold their requests.'),
    {
      id: 'requests-reach-leader',
      when: ({ world }) => {
        const lead = mpNode(world, PLAYER).volatile.lead;
        return lead !== null && DECREES.every((d) => lead.ids.includes(d) || lead.queue.includes(d));
      },
      why: "Once B and C learned that A leads, each sent its client's request on to A: every decree now waits at one node, which gives each a slot of its own.",
    },
  ],
  steps: [
    {
      id: 'run',
      title: 'Nobody leads yet: wait for your leader timer to fire, then run for leader, first in the order of names.',
      groupTitle: 'Nobody leads yet: once the leader timers fire, A, first in the order of names, runs for leader and sends PREPARE.',
      reached: ({ world }) => mpNode(world, PLAYER).durable.maxUsed > 0,
      hints: [
        { afterTicks: 6, text: 'The ring around your node is your leader timer: no heartbeat comes, since nobody leads. When it fires, press the button that runs for leader: it sends PREPARE with your ballot to B and C.' },
        { afterTicks: 16, text: 'B and C wait their turn in the order of names, A first: a whole timeout after their leader timers fired, if you have not run, B may run instead.' },
      ],
    },
    {
      id: 'lead',
      title: 'Collect promises from a majority, 2 of 3, your own included: then you lead.',
      groupTitle: "B and C promise A's ballot: with promises from a majority, 2 of 3, A leads.",
      reached: (moment) => leads(moment, PLAYER),
      hints: [{ afterTicks: 6, text: 'B and C answer your PREPARE with a PROMISE; it takes a few ticks. You promised your own ballot at once.' }],
    },
    {
      id: 'slots',
      title: 'Give each request the next free slot: X, Y and Z, in the order you choose.',
      groupTitle: 'B and C send Y and Z on to A, and A gives each request the next free slot.',
      reached: ({ world }) => {
        const lead = mpNode(world, PLAYER).volatile.lead;
        return lead !== null && DECREES.every((d) => lead.ids.includes(d));
      },
      hints: [
        { afterTicks: 4, text: 'Your heartbeat tells B and C that you lead; each then sends its request on to you. Put each in the next free slot as it arrives.' },
        { afterTicks: 12, text: 'A slot takes one request: the buttons offer the next free slot for each request waiting at you.' },
      ],
    },
    {
      id: 'chosen',
      title: 'Watch each slot chosen: a majority accepts each request in its own slot, and nothing splits.',
      groupTitle: 'B and C accept each slot: a majority accepts each request in its own slot, and nothing splits.',
      reached: ({ world }) => everyRequestChosen(world),
      hints: [{ afterTicks: 8, text: 'Each ACCEPT names its slot. A value is chosen in a slot when a majority accepts it under your ballot; your count of ACCEPTED tells you.' }],
    },
    {
      id: 'applied',
      title: 'Watch every node apply the log, slot by slot, in the order you gave.',
      groupTitle: 'Every node applies the log, slot by slot, in the order A gave.',
      reached: ({ world }) => world.nodes.every((n) => mpNode(world, n.id).durable.applied >= DECREES.length),
      hints: [{ afterTicks: 8, text: 'You tell B and C each slot you saw chosen with a CHOSEN message; they apply the slots in order.' }],
    },
  ],
  briefings: {
    0: 'You are A, one of three nodes, A, B and C; a client asks you for X while other clients ask B for Y and C for Z. Nobody leads yet, so every node waits a whole timeout on its leader timer first; you come first in the order of names: when your timer fires, run for leader, and once a majority has promised your ballot, give each request the next free slot. Watch whether anything can split this time.',
    1: "You are B, one of three nodes, A, B and C; a client asks you for Y while other clients ask A for X and C for Z. Nobody leads yet, so every node waits a whole timeout on its leader timer first, and A comes first in the order of names: when A runs, promise its ballot, and once its heartbeat tells you that A leads, your node sends Y on to it. Accept what A puts in each slot, and watch whether anything can split this time.",
    2: "You are C, one of three nodes, A, B and C; a client asks you for Z while other clients ask A for X and B for Y. Nobody leads yet, so every node waits a whole timeout on its leader timer first, and A comes first in the order of names: when A runs, promise its ballot, and once its heartbeat tells you that A leads, your node sends Z on to it. Accept what A puts in each slot, and watch whether anything can split this time.",
  },
  deadEnds: [
    {
      id: 'other-leader',
      when: ({ world }) => world.nodes.some((n) => n.id !== PLAYER && mpNode(world, n.id).volatile.lead !== null),
      text: 'Another node took over as leader: your turn passed while you waited, or a higher ballot beat yours. The log still serializes the decrees, but this lesson follows you as leader. Play again, and run for leader as soon as you can.',
    },
  ],
  debrief(round) {
    const facts = factsOf(leaderSerializes, round);
    const lines: DebriefLine[] = [];
    const slots = chosenSlots(facts.final);
    const requests = slots.filter((c) => c.decree !== NOOP);
    if (facts.outcome) lines.push({ topic: 'outcome', text: `The log was decided in this order: ${facts.outcome}. Each request got a slot of its own, and no slot split.` });
    else lines.push({ topic: 'outcome', text: `Not every request was chosen: ${requests.length} of ${DECREES.length} were.` });
    const order = orderLine(facts);
    if (order) lines.push(order);
    for (const cp of slots) lines.push(slotCommitLine(facts, cp));
    lines.push(...slots.map((cp) => slotKnowledgeLine(facts, cp)));
    lines.push(messagesLine(facts));
    const told = withoutLeader(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(told) });
    return { lines, commitPoint: commitPointMove(facts), knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

/** The order the leader gave the requests their slots, and where each came from. */
function orderLine(facts: RoundFacts): DebriefLine | null {
  const puts: { node: NodeId; slot: number; value: string; tick: number }[] = [];
  facts.round.log.forEach((c, i) => {
    if (c.type === 'act' && c.action.kind === 'propose') puts.push({ node: c.node, slot: Number(c.action.slot), value: String(c.action.value), tick: facts.worlds[i + 1]!.tick });
  });
  if (puts.length === 0) return null;
  const leader = puts[0]!.node;
  const from = (value: string): string => {
    const asked = SPLIT_REQUESTS.find((r) => r.decree === value);
    if (!asked) return '';
    return asked.node === leader ? " (its own client's request)" : ` (sent on by ${nameOf(facts.round, asked.node)})`;
  };
  const each = puts.map((p) => `${p.value === NOOP ? 'a no-op' : p.value} in ${slotWords(p.slot)} at tick ${p.tick}${from(p.value)}`);
  return {
    topic: 'story',
    text: `${nameOf(facts.round, leader)} led, and gave each request the next free slot as it came: ${joined(each)}. The order is the leader's, and every node applies the slots in that order.`,
  };
}

/** One slot's commit point: whose acceptance made the majority, and who could tell. */
function slotCommitLine(facts: RoundFacts, cp: CommitPoint): DebriefLine {
  const world = facts.worlds[cp.step + 1]!;
  const accepted = mpNode(world, cp.node).durable.accepted[cp.slot];
  const ballot = accepted ? ballotText(accepted.ballot) : '?';
  const leader = accepted ? accepted.ballot.node : null;
  const who = shortName(facts.round, cp.node);
  const knew = cp.nodeKnew
    ? `${who} could tell at once: its own count of acceptances showed the majority.`
    : leader !== null && leader !== cp.node
      ? `${who} could not tell: only the leader, ${shortName(facts.round, leader)}, counts the acceptances.`
      : `${who} did not know it yet: its count had not reached the majority.`;
  const move = facts.origins[cp.step] === 'clock' ? ` (its acceptance of an ACCEPT the leader sent again)` : '';
  return {
    topic: 'commit-point',
    text: `${slotWords(cp.slot)[0]!.toUpperCase()}${slotWords(cp.slot).slice(1)}: ${cp.decree === NOOP ? 'a no-op' : cp.decree} was chosen at tick ${cp.tick}, with ${nameOf(facts.round, cp.node)}'s acceptance${move}: a majority (${joined(cp.voters.map((n) => nameOf(facts.round, n)))}) had accepted it under ballot ${ballot}. ${knew}`,
  };
}

/** When each node learned what one slot holds. */
function slotKnowledgeLine(facts: RoundFacts, cp: CommitPoint): DebriefLine {
  const learned: { node: NodeId; tick: number }[] = [];
  const never: NodeId[] = [];
  facts.final.nodes.forEach((n) => {
    const at = facts.worlds.find((w) => mpNode(w, n.id).durable.chosen[cp.slot] != null);
    if (at) learned.push({ node: n.id, tick: at.tick });
    else never.push(n.id);
  });
  learned.sort((a, b) => a.tick - b.tick || a.node - b.node);
  const known = learned.map((k) => `${nameOf(facts.round, k.node)} at tick ${k.tick}`);
  const rest = never.length > 0 ? `; ${joined(never.map((n) => nameOf(facts.round, n)))} had not by the end of the round` : '';
  return { topic: 'knowledge', text: `Who knew what ${slotWords(cp.slot)} holds, and when: ${joined(known)}${rest}.` };
}

/** The same three requests at the same moment, without a leader: lesson 11's majority vote, re-run by the engine and played on by bots. */
function withoutLeader(facts: RoundFacts): WhatIfTold | null {
  const requests: Command[] = facts.round.log.filter((c, i) => c.type === 'propose' && facts.origins[i] === 'script:requests');
  if (requests.length !== SPLIT_REQUESTS.length) return null;
  // The requests as the split vote's script makes them; from there on its script and bots play every seat.
  const run = whatIf(lessonConfig(splitVote), requests, { kind: 'omit', step: requests.length }, { lesson: splitVote });
  const outcome = protocolFor(run.config.protocol).status(run.world).outcome;
  return { change: 'without a leader, by majority vote as in the split vote', run, outcome, commitPoint: run.world.global.chosen[0] ?? null };
}

function whatIfSentence(told: WhatIfTold): string {
  const world = told.run.world;
  const head = `Without a leader, the same three requests at the same moment, voted on as in the split vote and played on by bots,`;
  if (told.commitPoint) return `${head} would have chosen ${told.commitPoint.decree} at tick ${told.commitPoint.tick}, and no other decree.`;
  const votes = world.nodes.map((n) => `${nodeName(n.id)} for ${voter(world, n.id).durable.vote ?? 'nothing'}`);
  const stuckAt = traceOf(told.run.config, told.run.log).worlds.find((w) => w.global.stuck);
  const stuck = stuckAt ? `: the votes split (${joined(votes)}) at tick ${stuckAt.tick}, and locked votes kept the vote stuck for good` : ` within ${ticks(world.tick - told.run.divergedTick)}`;
  return `${head} would have chosen nothing${stuck}.`;
}
