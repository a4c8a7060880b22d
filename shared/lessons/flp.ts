/**
 * Lesson 6: the FLP result. In a round without timeouts a node can only wait: C is down from the
 * start (the one crash FLP allows), and the network holds B's PROMISE to A back again and again, so
 * A's ballot waits with its own promise alone, and nothing A sees tells a slow node from a dead one.
 * Starting a higher ballot by hand (being the timeout) moves the round again: the network held back
 * only the one message, so the new ballot wins.
 */
import { nodeName } from '../engine/names';
import type { Command, NodeId, World } from '../engine/types';
import { ballotText, compareBallots, type Ballot } from '../protocols/paxos';
import {
  commitPointMove,
  factsOf,
  joined,
  knowledgeLine,
  messagesLine,
  nameOf,
  shortName,
  ticks,
  toldAfterLines,
  traceOf,
  whatIfOf,
  type DebriefLine,
  type RoundFacts,
  type WhatIfTold,
} from './debrief';
import { HOLD_TICKS, hold, moved, paxosNode } from './look';
import type { Lesson, LessonMoment } from './types';

const PLAYER = 0;
const B = 1;
const C = 2;
/** How many times the network holds B's PROMISE back before the wait objective is reached... */
export const WAIT_HOLDS = 3;
/** ...or how long the ballot waits short of a majority (B's seat may be a student's, who has not answered). */
export const WAIT_TICKS = 12;

const promisesOf = (world: World): number => paxosNode(world, PLAYER).volatile.proposal?.promises.length ?? 0;

/** The objective of that id has been reached. */
const reached = (moment: LessonMoment, id: string): boolean => moment.run.objectives.some((o) => o.id === id && o.reached !== null);

/** A PROMISE from B to A: the kind of message the network holds back. */
const promiseToA = (m: { from: NodeId; to: NodeId; payload: { kind: string } }): boolean => m.from === B && m.to === PLAYER && m.payload.kind === 'promise';

/** The ballot number a node's "Start ballot" move offers now. */
const nextBallot = (world: World, id: NodeId): number => {
  const node = paxosNode(world, id);
  return Math.max(node.durable.maxUsed, node.volatile.highestSeen, node.durable.promised?.n ?? 0) + 1;
};

export const flp: Lesson = {
  id: 'flp',
  number: 6,
  title: 'FLP: no timeouts',
  idea:
    'The FLP result: where no node has a timeout, no deterministic consensus protocol that survives a single crash can be sure to decide. ' +
    'Here C is down and the network holds one message back without end, so your ballot waits, and nothing any node sees tells a slow node from a dead one. ' +
    'A timeout is what moves a round again: be it, and start a higher ballot.',
  essay: 'The FLP Result',
  setup: {
    protocol: 'paxos',
    nodes: 3,
    seed: 6,
    // The timeout is for the what-if only: with no timeouts no timer runs.
    settings: { latencyMin: 1, latencyMax: 2, timeoutTicks: 12, noTimeouts: true, decrees: ['X'] },
    player: PLAYER,
    students: [0, 1],
  },
  script: [
    {
      id: 'request-a',
      when: () => true,
      commands: () => [{ type: 'propose', node: PLAYER, decree: 'X' }],
      why: 'A client asks you, A, to get X chosen. This round has no timeouts: no timer is ever set, and none fires.',
    },
    {
      id: 'crash-c',
      when: () => true,
      commands: (): Command[] => [{ type: 'crash', node: C }],
      why: 'C crashed as the round began: the one crash the FLP result allows. Nothing told A: from A, a crashed node is only a silent one.',
      told: 'after',
    },
    hold(
      'hold-promise',
      // The lowest-ballot PROMISE of B's in flight to A, until one of B's promises gets through.
      (m, { world, run }) =>
        promiseToA(m) &&
        !run.deliveries.some((d) => promiseToA(d.message)) &&
        !world.inFlight.some((o) => promiseToA(o) && compareBallots(o.payload.ballot as Ballot, m.payload.ballot as Ballot) < 0),
      () => false,
      'The network held back B\'s PROMISE to A, again and again: B was up, and its PROMISE was on its way.',
    ),
    {
      id: 'cannot-tell',
      when: (moment) => reached(moment, 'wait'),
      why: 'Your ballot has had only your own promise for a while. Is B slow, or down? And C? From A a slow node and a crashed one look the same: silent. No timer will ever fire here to tell you to try again: A could wait forever.',
    },
    {
      id: 'a-is-the-timeout',
      // Only when a bot holds A: a player starts the higher ballot themselves.
      when: (moment) => reached(moment, 'wait') && !reached(moment, 'retry') && !moment.world.nodes[PLAYER]!.crashed,
      commands: ({ world }) => [{ type: 'act', node: PLAYER, action: { kind: 'prepare', ballot: nextBallot(world, PLAYER) } }],
      why: 'A bot holds A, and no timer will ever tell it to try again: the lesson starts a higher ballot for it, as a timeout would.',
    },
  ],
  steps: [
    {
      id: 'prepare',
      title: 'Start a ballot for X: send PREPARE.',
      groupTitle: "A client asks A to get X chosen: A starts a ballot and sends PREPARE to B and C.",
      reached: ({ world }) => paxosNode(world, PLAYER).volatile.proposal !== null,
      hints: [{ afterTicks: 6, text: 'Press "Start ballot 1 (send PREPARE)". You promise your own ballot at once.' }],
    },
    {
      id: 'wait',
      title: 'Wait for a majority of promises: 2 of 3, your own included.',
      groupTitle: "A waits for a majority of promises, 2 of 3 with its own. Nothing A sees tells a slow node from a crashed one.",
      reached: ({ world, run }) => {
        const proposal = paxosNode(world, PLAYER).volatile.proposal;
        if (!proposal || proposal.promises.length >= 2) return false;
        return (run.firings['hold-promise']?.count ?? 0) >= WAIT_HOLDS || world.tick - proposal.startedAt >= WAIT_TICKS;
      },
      hints: [{ afterTicks: 4, text: 'B and C answer your PREPARE with a promise, if they are up. It takes a few ticks: wait.' }],
    },
    {
      id: 'retry',
      title: 'Nothing has come, and no timer will ever tell you to stop waiting. Be the timeout: start a higher ballot.',
      groupTitle: "Nothing has come to A, and no timer will ever tell it to stop waiting: A is the timeout, and starts a higher ballot.",
      reached: (moment) => reached(moment, 'wait') && moved(moment, PLAYER, 'prepare'),
      hints: [
        { afterTicks: 6, text: 'This round has no timeouts: waiting longer changes nothing you can see. A proposer may start a higher ballot at any time.' },
        { afterTicks: 14, text: 'Press the button that starts a ballot: it offers a number higher than any you have used.' },
      ],
    },
    {
      id: 'chosen',
      title: 'A new ballot asks again, and new answers come. Collect 2 of 3 promises for it, send ACCEPT for X, and get X chosen.',
      groupTitle: "The higher ballot asks again: A collects 2 of 3 promises, sends ACCEPT for X, and X is chosen.",
      reached: ({ world }) => world.global.chosen.length > 0,
      hints: [
        { afterTicks: 6, text: 'Once you hold 2 of 3 promises, press "Send ACCEPT for X".' },
        { afterTicks: 14, text: 'X is chosen once a majority, you and B, accepts it under one ballot.' },
      ],
    },
  ],
  briefings: {
    0: "You are A, one of three nodes, A, B and C; a client asks you to get X chosen. Start a ballot, collect promises from a majority (2 of 3, your own included), then send ACCEPT for X. This round has no timeouts: if nothing comes, no timer will ever tell you to try again, and you must decide for yourself when to start a higher ballot.",
    1: "You are B, one of three nodes, A, B and C; a client asks A to get X chosen. Answer A's PREPARE with a promise, and its ACCEPT by accepting X. This round has no timeouts: no timer is ever set, and none fires. Watch what A does while your answers are on their way, and how long A waits before it tries again.",
  },
  deadEnds: [
    {
      id: 'won-without-waiting',
      when: (moment) => !reached(moment, 'wait') && (promisesOf(moment.world) >= 2 || moment.world.global.chosen.length > 0),
      text: 'A ballot of yours had a majority of promises before the network had held B\'s PROMISE back for long, so there was no wait to see. Play again, and wait a while after your first PREPARE.',
    },
    {
      id: 'b-down',
      when: ({ world }) => world.nodes[B]!.crashed && world.global.chosen.length === 0,
      text: 'B went down too: with B and C down, no majority is up, and no ballot can win until one of them comes back.',
    },
  ],
  debrief(round) {
    const facts = factsOf(flp, round);
    const lines: DebriefLine[] = [];
    lines.push({ topic: 'outcome', text: facts.outcome ? `${facts.outcome} was chosen.` : 'No value was chosen.' });
    lines.push(...waitLines(facts));
    lines.push(downLine(facts));
    const cp = commitPointMove(facts);
    if (cp) {
      const world = facts.worlds[cp.step + 1]!;
      const ballot = paxosNode(world, cp.node).durable.accepted?.ballot;
      const who = shortName(facts.round, cp.node);
      const origin = facts.origins[cp.step];
      const whose =
        origin === 'player' ? `${cp.nickname ?? nodeName(cp.node)}'s own move` : cp.scripted !== null ? 'a move the lesson made for a bot' : `a bot's move at ${nodeName(cp.node)}`;
      lines.push({
        topic: 'commit-point',
        text:
          `${cp.by}'s acceptance at tick ${cp.tick} was the commit point (${whose}): with it a majority (${joined(cp.voters.map((n) => nameOf(facts.round, n)))}) had accepted ${cp.decree}` +
          `${ballot ? ` under ballot ${ballotText(ballot)}` : ''}. ${cp.nodeKnew ? `${who} could tell at once.` : `${who} did not know it at that moment.`}`,
      });
    }
    lines.push(...toldAfterLines(facts));
    lines.push(knowledgeLine(facts, `${facts.outcome ?? 'the outcome'} was chosen`));
    lines.push(messagesLine(facts));
    const { lines: whatIfs, told } = whatIfLines(facts);
    lines.push(...whatIfs);
    return { lines, commitPoint: cp, knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

/** The ballots A started, in the log's order: the step, the tick and the ballot. */
function ballotsOfA(log: readonly Command[], worlds: readonly World[]): { step: number; tick: number; ballot: Ballot }[] {
  return log.flatMap((c, i) => (c.type === 'act' && c.node === PLAYER && c.action.kind === 'prepare' ? [{ step: i, tick: worlds[i + 1]!.tick, ballot: { n: Number(c.action.ballot), node: PLAYER } }] : []));
}

/** How long A's first ballot waited, how often the network held B's PROMISE back, and who ended the wait. */
function waitLines(facts: RoundFacts): DebriefLine[] {
  const ballots = ballotsOfA(facts.round.log, facts.worlds);
  const first = ballots[0];
  if (!first) return [{ topic: 'blocked', text: `${nameOf(facts.round, PLAYER)} never started a ballot.` }];
  const next = ballots[1];
  const end = next ? next.step : facts.round.log.length;
  const holds = facts.origins.slice(0, end).filter((o) => o === 'script:hold-promise').length;
  const waitedTo = next ? next.tick : facts.final.tick;
  const promises = paxosNode(facts.worlds[end]!, PLAYER).volatile.proposal?.promises.length ?? 0;
  const n = facts.round.config.nodes;
  const lines: DebriefLine[] = [
    {
      topic: 'blocked',
      text:
        `Ballot ${ballotText(first.ballot)} waited ${ticks(waitedTo - first.tick)}, from tick ${first.tick} to ${next ? `tick ${waitedTo}` : `the end of the round at tick ${waitedTo}`}, ` +
        `with ${promises} of ${n} promises: the network held B's PROMISE back ${holds} time${holds === 1 ? '' : 's'}, ${ticks(HOLD_TICKS)} each time. No timer ran, so nothing in the round would have ended the wait.`,
    },
  ];
  if (next) {
    const scripted = facts.origins[next.step] === 'script:a-is-the-timeout';
    const who = shortName(facts.round, PLAYER);
    lines.push({
      topic: 'blocked',
      text: scripted
        ? `At tick ${next.tick} the lesson started ballot ${ballotText(next.ballot)} for the bot at A, as a timeout would have.`
        : `At tick ${next.tick} ${nameOf(facts.round, PLAYER)} started ballot ${ballotText(next.ballot)}: ${who} was the timeout.`,
    });
  }
  return lines;
}

/** Who was down and who was not: B never (unless someone crashed it), C from the start. */
function downLine(facts: RoundFacts): DebriefLine {
  const spans = (node: NodeId): string[] =>
    facts.final.global.downtime.filter((d) => d.node === node).map((d) => `from tick ${d.from} to ${d.to === null ? 'the end of the round' : `tick ${d.to}`}`);
  const b = spans(B);
  const c = spans(C);
  const held = facts.origins.includes('script:hold-promise');
  const bWords = b.length > 0 ? `B was down ${joined(b)}.` : held ? 'B was never down: its PROMISE was held in the network, not lost with B.' : 'B was never down.';
  const cWords = c.length === 0 ? 'C was never down.' : `C was down ${joined(c)}.`;
  return { topic: 'story', text: `${bWords} ${cWords} From A, both were only silent: nothing it saw told a slow node from a crashed one.` };
}

/** Where the wait ended: the index of A's second ballot in the log, or the log's end if there was none. */
function retryStep(facts: RoundFacts): number {
  return ballotsOfA(facts.round.log, facts.worlds)[1]?.step ?? facts.round.log.length;
}

/**
 * Had no one been the timeout: the round up to A's second ballot, then bots, under the round's own
 * settings (`noTimeouts` as it was) or with timeouts on; the script goes on, but never starts a
 * ballot for A.
 */
function noOneRetried(facts: RoundFacts, noTimeouts: boolean, words: string): WhatIfTold {
  return whatIfOf(facts, { kind: 'settings-until', step: retryStep(facts), settings: { noTimeouts } }, words, ['a-is-the-timeout']);
}

/** The what-if lines: with no timeouts the round waits on; with them A's retry timer moves it again. */
function whatIfLines(facts: RoundFacts): { lines: DebriefLine[]; told: WhatIfTold } {
  const waiting = noOneRetried(facts, true, 'had no one started a higher ballot');
  const timed = noOneRetried(facts, false, 'had no one started a higher ballot, but with timeouts on');
  const lines: DebriefLine[] = [];
  const head = (told: WhatIfTold): string => `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots from tick ${told.run.divergedTick},`;
  lines.push({
    topic: 'what-if',
    text: waiting.commitPoint
      ? `${head(waiting)} would have chosen ${waiting.commitPoint.decree} at tick ${waiting.commitPoint.tick}.`
      : `${head(waiting)} would have chosen nothing within ${ticks(waiting.run.world.tick - waiting.run.divergedTick)}: without timeouts nothing moves a ballot that waits.`,
  });
  lines.push({ topic: 'what-if', text: timedSentence(timed, facts, head(timed)) });
  return { lines, told: timed };
}

function timedSentence(told: WhatIfTold, facts: RoundFacts, head: string): string {
  const run = told.run;
  const timeout = facts.round.config.settings.timeoutTicks;
  const trace = traceOf(run.config, run.log);
  const ballots = ballotsOfA(run.log, trace.worlds);
  const fired = trace.events.findIndex((list) => list.some((e) => e.type === 'timeout' && e.node === PLAYER));
  const firstBallot = ballots[0];
  const retry = fired < 0 ? undefined : ballots.find((b) => b.step > fired);
  const firedTick = fired < 0 ? null : trace.worlds[fired + 1]!.tick;
  const timer =
    firedTick !== null && firstBallot
      ? ` A's retry timer (${ticks(timeout)}) fired at tick ${firedTick}, ${ticks(firedTick - firstBallot.tick)} after ballot ${ballotText(firstBallot.ballot)} began${retry ? `, and A started ballot ${ballotText(retry.ballot)} at tick ${retry.tick}` : ''}.`
      : ' A\'s retry timer never fired.';
  const cp = told.commitPoint;
  if (!cp) return `${head} would have chosen nothing within ${ticks(run.world.tick - run.divergedTick)}.${timer}`;
  return `${head} would have moved again by itself and chosen ${cp.decree} at tick ${cp.tick}.${timer}`;
}
