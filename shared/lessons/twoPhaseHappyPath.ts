/**
 * Lesson 4: two-phase commit when nothing goes wrong. The player is the coordinator: log the
 * transaction, send PREPARE, collect every vote, log COMMIT, and watch the participants apply it.
 */
import { listNames, nodeName } from '../engine/names';
import type { Command, NodeId } from '../engine/types';
import {
  commitPointMove,
  doubtOf,
  eachFor,
  factsOf,
  knowledgeLine,
  messagesLine,
  nameOf,
  whatIfOf,
  type DebriefLine,
  type WhatIfTold,
} from './debrief';
import { botsVoteYes, openingRequests, tpc } from './look';
import type { Lesson } from './types';

const COORDINATOR = 0;
const NODES = 4;
const PARTICIPANTS: NodeId[] = [1, 2, 3];

export const twoPhaseHappyPath: Lesson = {
  id: 'two-phase-commit',
  number: 4,
  title: 'Two-phase commit: the happy path',
  idea:
    'One coordinator asks every participant whether it can commit a transaction; each votes YES or NO. ' +
    'Only with a YES from every participant does the coordinator write COMMIT to its log, and that log write is the moment the transaction happens. ' +
    'Then it tells the participants, who apply it.',
  essay: 'Two-Phase Commit',
  setup: {
    protocol: '2pc',
    nodes: NODES,
    seed: 4,
    settings: { latencyMin: 1, latencyMax: 3, decrees: ['X'] },
    player: COORDINATOR,
    students: [0, 1, 2, 3],
  },
  script: [
    openingRequests([{ node: COORDINATOR, decree: 'X' }], 'A client asks the coordinator, A, to commit the transaction X.'),
    botsVoteYes('A participant that can commit the transaction votes YES, and its vote is locked from then on.'),
  ],
  steps: [
    {
      id: 'begin',
      title: 'Begin the transaction: log X and send PREPARE to every participant.',
      groupTitle: 'The coordinator A begins the transaction: it logs X and sends PREPARE to every participant.',
      reached: ({ world }) => tpc(world, COORDINATOR).durable.decree !== null,
      hints: [
        { afterTicks: 8, text: 'Press "Begin X (send PREPARE)". The coordinator writes the transaction to its log before it asks anyone.' },
      ],
    },
    {
      id: 'votes',
      title: 'Collect a vote from every participant: B, C and D.',
      groupTitle: 'A collects a vote from every participant: B, C and D.',
      reached: ({ world }) => {
        const v = tpc(world, COORDINATOR).volatile;
        return v.role === 'coordinator' && PARTICIPANTS.every((p) => v.votes[p] !== undefined);
      },
      hints: [{ afterTicks: 10, text: 'Each PREPARE and each vote takes a few ticks to travel. Your state lists the votes you have heard.' }],
    },
    {
      id: 'commit',
      title: 'Every participant voted YES: log COMMIT and send it.',
      groupTitle: 'Every participant voted YES: A logs COMMIT and sends it.',
      reached: ({ world }) => {
        const d = tpc(world, COORDINATOR).durable;
        return d.role === 'coordinator' && d.decision === 'commit';
      },
      hints: [
        { afterTicks: 5, text: 'Press "Decide COMMIT". Once COMMIT is in your log, the transaction has happened, even if you crash the next moment.' },
      ],
    },
    {
      id: 'applied',
      title: 'Wait until every participant has applied COMMIT.',
      groupTitle: 'COMMIT reaches every participant, and each applies it.',
      reached: ({ world }) => PARTICIPANTS.every((p) => {
        const d = tpc(world, p).durable;
        return d.role === 'participant' && d.outcome === 'commit';
      }),
      hints: [
        { afterTicks: 10, text: 'COMMIT is on its way. If a participant seems to wait too long, "Send the decision again" repeats what your log says.' },
      ],
    },
  ],
  briefings: {
    0: 'You are A, the coordinator of the transaction X; B, C and D are the participants. The objectives follow your node: begin X, collect the votes, log the decision and see it applied.',
    1: "You are B, a participant in the transaction X, like C and D; A is the coordinator. Vote YES when A's PREPARE reaches you: this lesson follows a transaction every participant can commit, and a NO would abort it. Once you have voted YES you may neither commit nor abort on your own: you wait for A's decision.",
    2: "You are C, a participant in the transaction X, like B and D; A is the coordinator. Vote YES when A's PREPARE reaches you: this lesson follows a transaction every participant can commit, and a NO would abort it. Once you have voted YES you may neither commit nor abort on your own: you wait for A's decision.",
    3: "You are D, a participant in the transaction X, like B and C; A is the coordinator. Vote YES when A's PREPARE reaches you: this lesson follows a transaction every participant can commit, and a NO would abort it. Once you have voted YES you may neither commit nor abort on your own: you wait for A's decision.",
  },
  deadEnds: [
    {
      id: 'aborted',
      when: ({ world }) => {
        const d = tpc(world, COORDINATOR).durable;
        return d.role === 'coordinator' && d.decision === 'abort';
      },
      text: 'You logged ABORT, so the transaction did not happen. Every participant voted YES, so COMMIT was open to you: play the lesson again to commit X.',
    },
    {
      id: 'voted-no',
      when: ({ world }) => PARTICIPANTS.some((p) => {
        const d = tpc(world, p).durable;
        return d.role === 'participant' && d.vote === 'no';
      }),
      text: 'A participant voted NO, so X can only abort. This lesson follows a transaction every participant can commit: play it again.',
    },
  ],
  debrief(round) {
    const facts = factsOf(twoPhaseHappyPath, round);
    const lines: DebriefLine[] = [];
    const cp = commitPointMove(facts);
    lines.push({ topic: 'outcome', text: facts.outcome === 'commit' ? 'X was committed.' : facts.outcome === 'abort' ? 'X was aborted: it did not happen.' : 'Nothing was decided: the coordinator never logged a decision.' });
    if (cp) {
      lines.push({
        topic: 'commit-point',
        text: `The commit point was ${cp.by}'s log write of COMMIT at tick ${cp.tick}, with a YES from ${listNames(cp.voters)}. The coordinator knew at once that this was the moment: it wrote the decision itself.`,
      });
    }
    lines.push(knowledgeLine(facts, 'the outcome'));
    const doubt = doubtOf(facts);
    if (doubt.length > 0) {
      lines.push({ topic: 'blocked', text: `After voting YES, each participant waited in doubt until the outcome reached it: ${eachFor(round, doubt)}. Nothing went wrong, so the wait lasted only until the last vote reached the coordinator and COMMIT came back.` });
    }
    lines.push(messagesLine(facts));
    const told = lastYesChangedToNo(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(told) });
    return {
      lines,
      commitPoint: cp,
      knew: facts.knewAt.map((tick, node) => ({ node, tick })),
      messages: facts.messages,
      whatIf: told,
    };
  },
};

/** The last YES vote before the coordinator decided, replaced by a NO. */
function lastYesChangedToNo(facts: ReturnType<typeof factsOf>): WhatIfTold | null {
  const decidedAt = facts.commitPoint?.step ?? facts.round.log.length;
  let last = -1;
  facts.round.log.forEach((c, i) => {
    if (i < decidedAt && c.type === 'act' && c.action.kind === 'vote' && c.action.vote === 'yes') last = i;
  });
  if (last < 0) return null;
  const vote = facts.round.log[last] as Extract<Command, { type: 'act' }>;
  const no: Command = { type: 'act', node: vote.node, action: { ...vote.action, vote: 'no' } };
  const tick = facts.worlds[last + 1]!.tick;
  return whatIfOf(facts, { kind: 'replace', step: last, command: no }, `had ${nameOf(facts.round, vote.node)} voted NO at tick ${tick}`);
}

function whatIfSentence(told: WhatIfTold): string {
  const world = told.run.world;
  const d = tpc(world, COORDINATOR).durable;
  const g = world.global.protocol as { outcomeAt: Record<string, number>; outcomes: Record<string, string> };
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots from there,`;
  if (d.role !== 'coordinator' || d.decision === null) return `${head} would have decided nothing within ${world.tick - told.run.divergedTick} ticks.`;
  const aborted = PARTICIPANTS.filter((p) => g.outcomes[p] === 'abort');
  const rest = aborted.length > 0 ? `, and ${listNames(aborted)} would have aborted` : '';
  return d.decision === 'abort'
    ? `${head} would have ended with the coordinator ${nodeName(COORDINATOR)}, a bot from there on, logging ABORT at tick ${g.outcomeAt[COORDINATOR]}${rest}: one NO is enough to stop the transaction.`
    : `${head} would still have committed X at tick ${g.outcomeAt[COORDINATOR]}.`;
}
