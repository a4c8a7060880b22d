/**
 * Lesson 8: locked votes give safety. A sandbox round of three voters: X is chosen with the player's
 * vote; then the sandbox lets the player change their vote to Y, and Y reaches a majority too. Two
 * decrees are chosen, and two voters learn different ones: what the lock on a vote prevents.
 */
import { nodeName } from '../engine/names';
import type { CommitPoint, NodeId } from '../engine/types';
import {
  commitPointMove,
  factsOf,
  joined,
  messagesLine,
  nameOf,
  shortName,
  toldAfterLines,
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

const chosenDecrees = (moment: LessonMoment): string[] => [...new Set(moment.world.global.chosen.map((c) => c.decree))];
const brokeLock = (moment: LessonMoment, id: NodeId): boolean => moment.world.global.violations.some((v) => v.node === id && v.code === 'vote-locked');

export const lockedVotes: Lesson = {
  id: 'locked-votes',
  number: 8,
  title: 'Locked votes give safety',
  idea:
    'A voter casts one vote and may never change it. That lock is what makes a majority vote safe: once a decree has a majority, ' +
    'no other decree can gather one, because the votes it would need are already cast and locked. ' +
    'In this sandbox round you may break the lock, and watch a second decree be chosen.',
  essay: 'Paxos: Majority-Rules Two-Phase Commit',
  setup: {
    protocol: 'majority',
    nodes: 3,
    seed: 8,
    settings: { latencyMin: 1, latencyMax: 3, decrees: ['X', 'Y'], sandbox: true },
    player: PLAYER,
    students: [0, 1, 2],
  },
  script: [
    openingRequests(
      [
        { node: PLAYER, decree: 'X' },
        { node: B, decree: 'Y' },
      ],
      'Two clients ask at once: you, A, for X, and B for Y. This is a sandbox round: it will let you break a rule.',
    ),
    votesFor('b-votes', B, 'Y', 'B votes for Y, the decree its client asked for.'),
    votesFor('c-votes', C, 'X', 'C hears of X and votes for it.'),
    hold('hold-b-to-c', (m) => m.from === B && m.to === C, ({ world }) => voter(world, C).durable.vote !== null, 'The network held back B\'s messages to C until C had voted, so that C voted for X.'),
    hold(
      'hold-x-to-b',
      (m) => m.to === B && m.payload.kind === 'vote' && m.payload.decree === 'X',
      ({ world }) => voter(world, B).durable.learned !== null,
      'The network held back the votes for X on their way to B, until B had learned something.',
    ),
    {
      id: 'a-changes-vote',
      // Only when a bot holds A: a player breaks the rule themselves.
      when: ({ world }) => voter(world, PLAYER).durable.learned === 'X' && voter(world, PLAYER).durable.vote === 'X' && voter(world, PLAYER).volatile.candidates.includes('Y'),
      commands: () => [{ type: 'act', node: PLAYER, action: { kind: 'vote', decree: 'Y' } }],
      why: 'A changes its vote to Y, which the sandbox allows.',
    },
    {
      id: 'two-chosen',
      when: (moment) => chosenDecrees(moment).length > 1,
      why: 'Y now has two votes of three too, B\'s and the changed one: a majority. Two decrees are chosen, and nothing can undo either.',
    },
  ],
  steps: [
    {
      id: 'vote',
      title: 'Vote for X, the decree your client asked for.',
      groupTitle: "Two clients ask at once, A for X and B for Y: A votes for X.",
      reached: ({ world }) => voter(world, PLAYER).durable.vote !== null && world.global.violations.length === 0,
      hints: [{ afterTicks: 6, text: 'Press "Vote for X".' }],
    },
    {
      id: 'chosen',
      title: 'Watch your tally until X has 2 of 3 votes: then X is chosen.',
      groupTitle: "X gets 2 of 3 votes, a majority, and is chosen: A learns it once its tally shows both votes.",
      reached: ({ world }) => voter(world, PLAYER).durable.learned === 'X',
      hints: [{ afterTicks: 8, text: 'C is voting for X too. Its vote takes a few ticks to reach you.' }],
    },
    {
      id: 'break',
      title: 'X is chosen. Now break the rule the sandbox offers: change your vote to Y.',
      groupTitle: "X is chosen. Now A breaks the rule the sandbox offers: it changes its vote to Y.",
      reached: (moment) => brokeLock(moment, PLAYER),
      hints: [{ afterTicks: 6, text: 'Beside your moves, marked as breaking a rule ("a vote is locked once cast"), is "Vote for Y". Press it.' }],
    },
    {
      id: 'two-chosen',
      title: 'Watch what your changed vote does to Y.',
      groupTitle: "Watch what A's changed vote does to Y.",
      reached: (moment) => chosenDecrees(moment).length > 1,
      hints: [],
    },
    {
      id: 'disagree',
      title: 'Wait until B has heard your new vote. What has each voter learned?',
      groupTitle: "A's new vote reaches B. What has each voter learned?",
      reached: ({ world }) => voter(world, B).durable.learned === 'Y' && voter(world, C).durable.learned === 'X',
      hints: [{ afterTicks: 8, text: 'Your new vote is on its way to B, whose tally then shows Y with 2 of 3 votes.' }],
    },
  ],
  briefings: {
    0: "You are A, one of three voters, A, B and C; your client asks you for X. Vote for X and watch your tally until X has 2 of 3 votes. Then break the rule this sandbox round offers: change your vote to Y, and watch what each voter learns.",
    1: "You are B, one of three voters, A, B and C; your client asks you for Y. Vote for Y: your vote is locked once cast. This is a sandbox round that would let you change it: keep it, for the lesson follows what one changed vote does. Then watch your tally, and what you learn.",
    2: "You are C, one of three voters, A, B and C; no client asks you for anything. Vote for the first decree you hear of: your vote is locked once cast. This is a sandbox round that would let you change it: keep it, for the lesson follows what one changed vote does. Then watch your tally, and what you learn.",
  },
  deadEnds: [
    {
      id: 'voted-y',
      when: (moment) => voter(moment.world, PLAYER).durable.vote === 'Y' && !brokeLock(moment, PLAYER),
      text: 'You voted for Y, so Y was chosen and you have no locked vote for X to break. Play again and vote for X first.',
    },
  ],
  debrief(round) {
    const facts = factsOf(lockedVotes, round);
    const lines: DebriefLine[] = [];
    const points = firstOfEach(facts.final.global.chosen);
    if (points.length > 1) {
      lines.push({ topic: 'outcome', text: `Two decrees were chosen: ${joined(points.map((p) => `${p.decree} at tick ${p.tick}`))}. A vote is meant to choose one.` });
    } else {
      lines.push({ topic: 'outcome', text: points[0] ? `${points[0].decree} was chosen.` : 'Nothing was chosen.' });
    }
    for (const p of points) {
      lines.push({ topic: 'commit-point', text: `${p.decree} was chosen when ${nameOf(round, p.node)}'s vote was cast at tick ${p.tick}, giving it the votes of ${joined(p.voters.map((n) => nameOf(round, n)))}.` });
    }
    for (const v of facts.final.global.violations.filter((x) => x.code === 'vote-locked' && x.node !== undefined)) {
      const who = shortName(round, v.node!);
      lines.push({
        topic: 'story',
        text: `At tick ${v.tick} ${nameOf(round, v.node!)} broke the rule "a vote is locked once cast": ${who}'s vote for X had already been counted, and counted again for Y it gave Y a majority too.`,
      });
    }
    lines.push(learnedLine(facts));
    lines.push(...toldAfterLines(facts));
    lines.push(messagesLine(facts));
    const told = withLockedVotes(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(told) });
    return { lines, commitPoint: commitPointMove(facts), knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

function firstOfEach(chosen: readonly CommitPoint[]): CommitPoint[] {
  const seen = new Set<string>();
  return chosen.filter((c) => !seen.has(c.decree) && seen.add(c.decree));
}

/** What each voter learned, and when: with two decrees chosen, they disagree. */
function learnedLine(facts: RoundFacts): DebriefLine {
  const learned = facts.final.nodes.map((n) => {
    const decree = voter(facts.final, n.id).durable.learned;
    const at = facts.worlds.find((w) => voter(w, n.id).durable.learned !== null)?.tick ?? null;
    return decree === null ? `${nameOf(facts.round, n.id)} nothing` : `${nameOf(facts.round, n.id)} ${decree} (at tick ${at})`;
  });
  const decrees = new Set(facts.final.nodes.map((n) => voter(facts.final, n.id).durable.learned).filter((d) => d !== null));
  const end = decrees.size > 1 ? ' The voters disagree, and no voter can tell it is wrong: each learned from its own tally.' : '';
  return { topic: 'knowledge', text: `What each voter learned: ${joined(learned)}.${end}` };
}

function withLockedVotes(facts: RoundFacts): WhatIfTold | null {
  if (!facts.round.config.settings.sandbox) return null;
  // The hold toward B only stages the second choice: with the lock on, it would keep B waiting for ever.
  return whatIfOf(facts, { kind: 'settings', settings: { sandbox: false } }, 'with votes locked, as outside the sandbox, and X\'s votes no longer held back from B', ['hold-x-to-b']);
}

function whatIfSentence(told: WhatIfTold): string {
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the changed vote would have been refused, and the same round, played on by bots,`;
  const decrees = [...new Set(told.run.world.global.chosen.map((c) => c.decree))];
  if (decrees.length === 0) return `${head} would have chosen nothing.`;
  const learned = told.run.world.nodes.filter((n) => voter(told.run.world, n.id).durable.learned !== null).map((n) => `${nodeName(n.id)} ${voter(told.run.world, n.id).durable.learned}`);
  return decrees.length === 1
    ? `${head} would have chosen ${decrees[0]} alone; the voters learned ${joined(learned)}.`
    : `${head} would still have chosen ${joined(decrees)}.`;
}
