/**
 * Lesson 10: victory gossip. Five voters, and the round's gossip setting on: a voter whose own tally
 * shows a majority announces VICTORY to the others, who take it as final. The network holds votes
 * back from the player, who learns X from an announcement before their own tally could show it.
 */
import { majorityOf, nodeName } from '../engine/names';
import type { NodeId } from '../engine/types';
import {
  commitPointMove,
  factsOf,
  joined,
  knowledgeLine,
  messagesLine,
  messagesSent,
  nameOf,
  shortName,
  toldAfterLines,
  traceOf,
  voteCommitPointLine,
  whatIfOf,
  type DebriefLine,
  type RoundFacts,
  type WhatIfTold,
} from './debrief';
import { hold, openingRequests, voter, votesFor } from './look';
import type { Lesson } from './types';
import type { EngineEvent } from '../engine/types';

const PLAYER = 0;
const B = 1;
const C = 2;
const D = 3;
/** How long after X is chosen the network goes on holding votes back from A, if A has not learned X by then. */
const HOLD_AFTER_CHOSEN = 12;

const tallyOf = (world: RoundFacts['final'], id: NodeId, decree: string): number => (voter(world, id).volatile.tally[decree] ?? []).length;

export const victoryGossip: Lesson = {
  id: 'victory-gossip',
  number: 10,
  title: 'Victory gossip',
  idea:
    'Tallying every vote yourself is slow: you wait until a majority of votes has reached you. ' +
    'With gossip on, a voter whose own tally shows a majority announces VICTORY, and whoever hears it takes it as final. ' +
    'It is faster, but only as trustworthy as the voters: a voter that announced a victory it never saw would be believed.',
  essay: 'Paxos: Majority-Rules Two-Phase Commit',
  setup: {
    protocol: 'majority',
    nodes: 5,
    seed: 10,
    settings: { latencyMin: 1, latencyMax: 3, decrees: ['X'], gossip: true },
    player: PLAYER,
    students: [0, 4],
  },
  script: [
    openingRequests([{ node: B, decree: 'X' }], 'A client asks B to get X decided. Gossip is on: a voter whose tally shows a majority announces VICTORY.'),
    votesFor('b-votes', B, 'X', 'B votes for X, the decree its client asked for.'),
    votesFor('c-votes', C, 'X', 'C hears of X and votes for it.'),
    votesFor('d-votes', D, 'X', 'D hears of X and votes for it.'),
    hold(
      'hold-votes-to-a',
      (m) => m.to === PLAYER && m.payload.kind === 'vote' && m.from !== B,
      ({ world }) => voter(world, PLAYER).durable.learned !== null || (world.global.chosen[0] !== undefined && world.tick >= world.global.chosen[0].tick + HOLD_AFTER_CHOSEN),
      `The network held back every VOTE to A except B's, until A had learned the outcome or ${HOLD_AFTER_CHOSEN} ticks had passed since X was chosen.`,
    ),
  ],
  steps: [
    {
      id: 'vote',
      title: 'Vote for X once you hear of it.',
      groupTitle: "A client asks B to get X decided, and gossip is on: A votes for X once it hears of it.",
      reached: ({ world }) => voter(world, PLAYER).durable.vote === 'X',
      hints: [{ afterTicks: 8, text: 'Once X is among your candidates, press "Vote for X".' }],
    },
    {
      id: 'learn',
      title: 'Find out whether X is chosen.',
      groupTitle: "A finds out whether X is chosen: from its own tally, or from a VICTORY another voter announces.",
      reached: ({ world }) => voter(world, PLAYER).durable.learned === 'X',
      hints: [{ afterTicks: 10, text: 'Watch your event log: news may come from your tally, or from another voter\'s VICTORY.' }],
    },
    {
      id: 'tally-catches-up',
      title: 'Compare with your own tally: wait until it shows the majority too.',
      groupTitle: "A compares with its own tally: the votes it has not heard yet reach it, and its tally shows the majority too.",
      reached: ({ world }) => tallyOf(world, PLAYER, 'X') >= majorityOf(world.config.nodes),
      hints: [{ afterTicks: 8, text: 'The votes you have not heard yet are still on their way to you.' }],
    },
  ],
  briefings: {
    0: "You are A, one of five voters, A to E; a client asks B to get X decided, and gossip is on: a voter whose own tally shows a majority announces VICTORY, and whoever hears it takes it as final. Vote for X once you hear of it, find out whether X is chosen, and see where the news came from: your tally, or another voter's VICTORY. Then wait until your own tally shows the majority too.",
    4: "You are E, one of five voters, A to E; a client asks B to get X decided, and gossip is on: a voter whose own tally shows a majority announces VICTORY, and whoever hears it takes it as final. Vote for X once you hear of it: your vote is locked once cast. Then watch how you learn the outcome: from your own tally, or from another voter's VICTORY?",
  },
  debrief(round) {
    const facts = factsOf(victoryGossip, round);
    const lines: DebriefLine[] = [];
    lines.push({ topic: 'outcome', text: facts.outcome ? `${facts.outcome} was chosen.` : 'Nothing was chosen.' });
    const cp = voteCommitPointLine(facts);
    if (cp) lines.push(cp);
    lines.push(...howLearned(facts));
    lines.push(knowledgeLine(facts, `${facts.outcome ?? 'the outcome'} was chosen`));
    lines.push(...toldAfterLines(facts));
    lines.push(messagesLine(facts));
    const told = withoutGossip(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(facts, told) });
    return { lines, commitPoint: commitPointMove(facts), knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

/** Who learned from an announcement, and the player's story: what their tally showed then, and when it caught up. */
function howLearned(facts: RoundFacts): DebriefLine[] {
  const lines: DebriefLine[] = [];
  const need = majorityOf(facts.round.config.nodes);
  const byAnnouncement: NodeId[] = [];
  facts.final.nodes.forEach((n) => {
    const i = facts.worlds.findIndex((w) => voter(w, n.id).durable.learned !== null);
    if (i >= 0 && tallyOf(facts.worlds[i]!, n.id, voter(facts.worlds[i]!, n.id).durable.learned!) < need) byAnnouncement.push(n.id);
  });
  if (byAnnouncement.length > 0) {
    lines.push({ topic: 'knowledge', text: `Learned from another voter's VICTORY rather than their own tally: ${joined(byAnnouncement.map((n) => nameOf(facts.round, n)))}.` });
  }
  const learnedAt = facts.worlds.findIndex((w) => voter(w, PLAYER).durable.learned !== null);
  if (learnedAt > 0) {
    const world = facts.worlds[learnedAt]!;
    const decree = voter(world, PLAYER).durable.learned!;
    const from = announcerOf(facts.events[learnedAt - 1]!, PLAYER);
    const who = shortName(facts.round, PLAYER);
    const caught = facts.worlds.find((w) => tallyOf(w, PLAYER, decree) >= need);
    const source = from === null ? `${who}'s own tally` : `${nodeName(from)}'s VICTORY`;
    const then = `${who}'s own tally showed ${tallyOf(world, PLAYER, decree)} of ${facts.round.config.nodes} votes then`;
    const later = caught ? `, and a majority only at tick ${caught.tick}` : ', and never a majority while the round ran';
    lines.push({ topic: 'knowledge', text: `${nameOf(facts.round, PLAYER)} learned ${decree} at tick ${world.tick} from ${source}. ${then}${from === null ? '' : later}.` });
  }
  return lines;
}

/** The voter whose VICTORY taught `to` the outcome in these events, or null if its own tally did. */
function announcerOf(events: readonly EngineEvent[], to: NodeId): NodeId | null {
  for (const e of events) {
    if (e.type === 'learned' && e.node === to) {
      const before = events.slice(0, events.indexOf(e)).reverse().find((x) => x.type === 'delivered' && x.message?.to === to);
      return before?.message?.payload.kind === 'victory' ? before.message.from : null;
    }
  }
  return null;
}

function withoutGossip(facts: RoundFacts): WhatIfTold | null {
  if (!facts.round.config.settings.gossip) return null;
  return whatIfOf(facts, { kind: 'settings', settings: { gossip: false } }, 'without victory gossip');
}

function whatIfSentence(facts: RoundFacts, told: WhatIfTold): string {
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots from tick ${told.run.divergedTick},`;
  const trace = traceOf(told.run.config, told.run.log);
  const sent = messagesSent(trace.events, told.run.config.protocol).total;
  const learned = told.run.world.nodes.filter((n) => voter(told.run.world, n.id).durable.learned !== null).length;
  const aLearned = trace.worlds.find((w) => voter(w, PLAYER).durable.learned !== null);
  const when = aLearned
    ? ` A would have learned ${voter(aLearned, PLAYER).durable.learned} at tick ${aLearned.tick}, from its own tally`
    : ' A would not have learned the outcome';
  return `${head} would have sent ${sent} messages in all (this round: ${facts.messages.total}), and ${learned} of ${facts.round.config.nodes} voters would have learned the outcome by its end.${when} (in this round: tick ${facts.knewAt[PLAYER] ?? 'never'}).`;
}
