/**
 * Lesson 5: the blocking coordinator. The player is a participant. The coordinator crashes after
 * every participant voted YES and before it logged a decision: the participants are in doubt, and
 * asking each other does not help, since none of them knows. Only the coordinator's recovery ends it.
 */
import type { GlobalState, NodeId } from '../engine/types';
import {
  commitPointMove,
  doubtOf,
  eachFor,
  factsOf,
  joined,
  knowledgeLine,
  messagesLine,
  nameOf,
  scriptedStep,
  ticks,
  whatIfOf,
  type DebriefLine,
  type RoundFacts,
  type WhatIfTold,
} from './debrief';
import { botsVoteYes, moved, openingRequests, tpc } from './look';
import type { Lesson, LessonMoment } from './types';
import { doubtSpans } from '../protocols/2pc/present';
import type { TpcGlobal } from '../protocols/2pc/state';

const COORDINATOR = 0;
const PLAYER = 1;
const PARTICIPANTS: NodeId[] = [1, 2, 3];
const PEERS: NodeId[] = [2, 3];
/** Ticks the coordinator stays down after the player has heard that nobody knows. */
const DOWN_AFTER_ANSWERS = 6;

const votedYes = (world: LessonMoment['world'], id: NodeId): boolean => {
  const d = tpc(world, id).durable;
  return d.role === 'participant' && d.vote === 'yes';
};

/** The player heard "don't know" from every peer, in answer to asking what happened. */
const heardNobodyKnows = (moment: LessonMoment): boolean =>
  PEERS.every((peer) => moment.run.deliveries.some((d) => d.message.to === PLAYER && d.message.from === peer && d.message.payload.kind === 'answer' && d.message.payload.outcome === null));

export const blockingCoordinator: Lesson = {
  id: 'blocking-coordinator',
  number: 5,
  title: 'The blocking coordinator',
  idea:
    'Once a participant votes YES it may no longer abort on its own: it promised to do whatever the coordinator decides. ' +
    'If the coordinator crashes before it logs a decision, every participant that voted YES is stuck in doubt, and asking the others does not help when they are all in doubt too. ' +
    'The coordinator is a single point of failure.',
  essay: 'Two-Phase Commit',
  setup: {
    protocol: '2pc',
    nodes: 4,
    seed: 5,
    settings: { latencyMin: 1, latencyMax: 3, decrees: ['X'], timeoutTicks: 30 },
    player: PLAYER,
    students: [1, 2, 3],
  },
  script: [
    openingRequests([{ node: COORDINATOR, decree: 'X' }], 'A client asks the coordinator, A, to commit the transaction X.'),
    botsVoteYes('A participant that can commit the transaction votes YES, and its vote is locked from then on.'),
    {
      id: 'crash-coordinator',
      when: ({ world }) => {
        const a = tpc(world, COORDINATOR);
        return !a.crashed && a.durable.role === 'coordinator' && a.durable.decision === null && PARTICIPANTS.every((p) => votedYes(world, p));
      },
      commands: () => [{ type: 'crash', node: COORDINATOR }],
      why: 'The coordinator, A, crashes: every participant has voted YES, and A has not logged a decision. No participant can see that A is down; A has simply gone quiet.',
    },
    {
      id: 'recover-coordinator',
      when: ({ world, run }) => {
        const heard = run.objectives.find((o) => o.id === 'nobody-knows')?.reached;
        return world.nodes[COORDINATOR]!.crashed && heard != null && world.tick >= heard.tick + DOWN_AFTER_ANSWERS;
      },
      commands: () => [{ type: 'recover', node: COORDINATOR }],
      why: 'A recovers. Its log holds the transaction X but no decision, and the votes it had are gone: ABORT is the only safe choice left to it.',
    },
  ],
  steps: [
    {
      id: 'vote-yes',
      title: 'The coordinator asks whether you can commit X: vote YES.',
      groupTitle: 'The coordinator A asks every participant whether it can commit X: B votes YES.',
      reached: ({ world }) => votedYes(world, PLAYER),
      hints: [{ afterTicks: 10, text: 'Press "Vote YES" on the PREPARE in your inbox.' }],
    },
    {
      id: 'ask',
      title: 'The outcome does not come. You may neither commit nor abort on your own: ask the others what happened.',
      groupTitle: 'The outcome does not come to B, who may neither commit nor abort on its own: B asks the others what happened.',
      // Asking counts once the coordinator is down: before, the outcome may still come, and a peer that has not voted could still abort.
      reached: (moment) => moved(moment, PLAYER, 'askPeers') && moment.run.fired.some((f) => f.rule === 'crash-coordinator' && !f.refused),
      hints: [
        { afterTicks: 8, text: 'Your YES promised to do whatever the coordinator decides, and it may already have decided COMMIT. Press "Ask the others what happened".' },
      ],
    },
    {
      id: 'nobody-knows',
      title: 'Read the answers: does anyone know the outcome?',
      groupTitle: 'The answers reach B: does anyone know the outcome?',
      reached: heardNobodyKnows,
      hints: [{ afterTicks: 8, text: 'The answers take a few ticks to come back. C and D voted YES too: what can they know?' }],
    },
    {
      id: 'doubt-ends',
      title: 'Every participant is in doubt, and only the coordinator can end it: wait for it.',
      groupTitle: 'Every participant is in doubt, and only the coordinator can end it: B learns the outcome once A comes back.',
      reached: ({ world }) => {
        const d = tpc(world, PLAYER).durable;
        return d.role === 'participant' && d.outcome !== null;
      },
      hints: [{ afterTicks: 12, text: 'Asking again gets the same answers for as long as the coordinator is down.' }],
    },
  ],
  briefings: {
    1: 'You are B, a participant in the transaction X; A is the coordinator, and C and D are participants like you. The objectives follow your node: vote YES when A asks, then find out what became of X.',
    2: "You are C, a participant in the transaction X, like B and D; A is the coordinator. Vote YES when A's PREPARE reaches you: this lesson follows a transaction every participant can commit, and a NO would abort it. Once you have voted YES you may neither commit nor abort on your own. When B asks what happened, your node answers with what it knows by itself; you may ask the others too.",
    3: "You are D, a participant in the transaction X, like B and C; A is the coordinator. Vote YES when A's PREPARE reaches you: this lesson follows a transaction every participant can commit, and a NO would abort it. Once you have voted YES you may neither commit nor abort on your own. When B asks what happened, your node answers with what it knows by itself; you may ask the others too.",
  },
  deadEnds: [
    {
      id: 'voted-no',
      when: ({ world }) => {
        const d = tpc(world, PLAYER).durable;
        return d.role === 'participant' && d.vote === 'no';
      },
      text: 'You voted NO, so the transaction aborts and you have nothing to wait for. This lesson needs your YES: play it again.',
    },
    {
      id: 'decided-early',
      when: ({ world, run }) => {
        const d = tpc(world, COORDINATOR).durable;
        return d.role === 'coordinator' && d.decision !== null && !run.fired.some((f) => f.rule === 'crash-coordinator');
      },
      text: 'The coordinator waited its timeout for your vote and logged ABORT before the story could happen. Play the lesson again and vote YES.',
    },
  ],
  debrief(round) {
    const facts = factsOf(blockingCoordinator, round);
    const lines: DebriefLine[] = [];
    const global = facts.final.global as GlobalState<TpcGlobal>;
    const decidedAt = global.protocol.outcomeAt[COORDINATOR];
    lines.push({
      topic: 'outcome',
      text:
        facts.outcome === 'abort'
          ? `X was aborted: A came back at tick ${downtimeOf(facts)?.to ?? '?'} without the votes and logged ABORT at tick ${decidedAt}.`
          : facts.outcome === 'commit'
            ? 'X was committed.'
            : 'Nothing was decided: the coordinator never logged a decision.',
    });
    lines.push({ topic: 'commit-point', text: facts.commitPoint ? `X was committed at tick ${facts.commitPoint.tick}.` : 'There is no commit point: the transaction aborted, so nothing was committed.' });
    lines.push(...blockedLines(facts));
    lines.push(knowledgeLine(facts, 'the outcome'));
    lines.push(messagesLine(facts));
    const told = withoutCrash(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(facts, told) });
    return { lines, commitPoint: commitPointMove(facts), knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

function downtimeOf(facts: RoundFacts): { from: number; to: number | null } | undefined {
  return facts.final.global.downtime.find((d) => d.node === COORDINATOR);
}

/** Who was in doubt and blocked, and what asking brought. */
function blockedLines(facts: RoundFacts): DebriefLine[] {
  const lines: DebriefLine[] = [];
  const down = downtimeOf(facts);
  const spans = doubtOf(facts);
  if (down) {
    const back = down.to === null ? 'and was still down at the end' : `and came back at tick ${down.to} (${ticks(down.to - down.from)} down)`;
    lines.push({ topic: 'blocked', text: `The coordinator A crashed at tick ${down.from}, before it logged a decision, ${back}.` });
  }
  const blocked = spans.filter((s) => s.blockedTicks > 0);
  if (blocked.length > 0) {
    lines.push({
      topic: 'blocked',
      text: `Blocked while A was down: ${eachFor(facts.round, blocked.map((s) => ({ node: s.node, ticks: s.blockedTicks })))}. Having voted YES, a participant may neither commit (A might have decided ABORT) nor abort (A might have logged COMMIT).`,
    });
  }
  const asked = facts.run.objectives.find((o) => o.id === 'ask')?.reached;
  const heard = facts.run.objectives.find((o) => o.id === 'nobody-knows')?.reached;
  if (asked && heard) {
    lines.push({
      topic: 'blocked',
      text: `${nameOf(facts.round, PLAYER)} asked the others at tick ${asked.tick}; by tick ${heard.tick} ${joined(PEERS.map((p) => nameOf(facts.round, p)))} had answered that they did not know. They had voted YES too, so nobody but A could end the doubt.`,
    });
  }
  return lines;
}

function withoutCrash(facts: RoundFacts): WhatIfTold | null {
  const crash = scriptedStep(facts, 'crash-coordinator');
  if (crash === null) return null;
  const tick = facts.worlds[crash + 1]!.tick;
  return whatIfOf(facts, { kind: 'omit', step: crash }, `without the coordinator's crash at tick ${tick}`, ['crash-coordinator']);
}

function whatIfSentence(facts: RoundFacts, told: WhatIfTold): string {
  const world = told.run.world;
  const global = world.global as GlobalState<TpcGlobal>;
  const d = tpc(world, COORDINATOR).durable;
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots from there,`;
  if (d.role !== 'coordinator' || d.decision === null) return `${head} would have decided nothing within ${world.tick - told.run.divergedTick} ticks.`;
  const longest = Math.max(0, ...doubtSpans(global, world.tick).map((s) => s.ticks));
  const real = Math.max(0, ...doubtOf(facts).map((s) => s.ticks));
  const word = d.decision === 'commit' ? 'committed X' : 'aborted X';
  return `${head} would have ${word} at tick ${global.protocol.outcomeAt[COORDINATOR]}, and no participant would have waited in doubt more than ${ticks(longest)} (in this round: ${ticks(real)}).`;
}

