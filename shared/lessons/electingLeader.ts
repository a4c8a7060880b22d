/**
 * Lesson 14: electing the leader. Five nodes; nobody leads at the start, and every leader timer runs a
 * whole timeout first. When they fire, A runs at once, and the script has the network and the bots'
 * seats answer it at once, so A leads before anyone else thinks of running; X is chosen in slot 1;
 * then A crashes. Under
 * the naive election policy every node whose leader timer fires may run for leader at once, and the
 * script has every bot do so: their ballots preempt each other (a node gives up its run when a higher
 * ballot reaches it) until one wins, and only then does the log go on with Y. The what-if plays the
 * same round under the other policy, ranked, where the first node in the order of names that still
 * seems up runs alone.
 */
import { nodeName } from '../engine/names';
import type { Command, EngineEvent, NodeId, RoundConfig, World } from '../engine/types';
import { ballotText, compareBallots, type Ballot } from '../protocols/paxos';
import { electionOf, slotWords } from '../protocols/multipaxos';
import {
  factsOf,
  commitPointMove,
  joined,
  knowledgeLine,
  messagesLine,
  nameOf,
  ticks,
  traceOf,
  whatIfOf,
  type DebriefLine,
  type RoundFacts,
  type WhatIfTold,
} from './debrief';
import { mpNode } from './look';
import type { Lesson, LessonMoment } from './types';

const LEADER = 0;
const PLAYER = 1;

const crashed = ({ run }: LessonMoment): boolean => (run.firings['crash-leader']?.count ?? 0) > 0;

/** The nodes other than the old leader that have run for leader (none of them had before it crashed). */
const runners = (world: World): NodeId[] => world.nodes.filter((n) => n.id !== LEADER && mpNode(world, n.id).durable.maxUsed > 0).map((n) => n.id);

/** A node that ran and no longer holds its run: a higher ballot reached it, or its run timed out. */
const gaveUp = (world: World, id: NodeId): boolean => {
  const v = mpNode(world, id).volatile;
  return v.campaign === null && v.lead === null;
};

/** Y is chosen, and the player's node applied it. */
const playerApplied = (world: World, decree: string): boolean => {
  const d = mpNode(world, PLAYER).durable;
  return d.chosen.slice(0, d.applied).includes(decree);
};

export const electingLeader: Lesson = {
  id: 'electing-leader',
  number: 14,
  title: 'Electing the leader',
  idea:
    'A leader is a single point of failure: when it crashes, the others must agree on the next one, and they do it with Paxos itself, a ballot that a majority promises. ' +
    'If every node that suspects the leader runs at once, their ballots preempt each other and the log waits while they duel. ' +
    'A simple rule avoids the duel: the nodes take turns in the order of their names, and a node runs only if none before it took over in its turn.',
  essay: 'Paxos: Better with Leaders',
  setup: {
    protocol: 'multipaxos',
    nodes: 5,
    seed: 2,
    settings: { latencyMin: 1, latencyMax: 3, timeoutTicks: 12, decrees: ['X', 'Y'], election: 'naive' },
    player: PLAYER,
    students: [1, 2, 3, 4],
  },
  script: [
    {
      id: 'request-x',
      when: () => true,
      commands: () => [{ type: 'propose', node: LEADER, decree: 'X' }],
      why: 'A client asks A for X. Nobody leads yet: every node waits a whole timeout on its leader timer for a heartbeat.',
    },
    {
      id: 'leader-runs',
      when: ({ world }) => !world.nodes[LEADER]!.crashed && mpNode(world, LEADER).durable.maxUsed === 0 && mpNode(world, LEADER).volatile.electionDue,
      commands: ({ world }) => [{ type: 'act', node: LEADER, action: { kind: 'elect', ballot: nextBallot(world, LEADER) } }],
      why: 'No heartbeat came: every leader timer fires at once. A runs for leader first.',
    },
    {
      id: 'prepare-arrives',
      when: ({ world }) => opening(world) && world.inFlight.some((m) => m.from === LEADER && m.payload.kind === 'prepare'),
      commands: ({ world }) => world.inFlight.filter((m) => m.from === LEADER && m.payload.kind === 'prepare').map((m): Command => ({ type: 'deliver', id: m.id })),
      why: "The network brings A's PREPARE to every node at once.",
    },
    {
      id: 'bots-promise',
      when: (moment) => opening(moment.world) && preparesAtBots(moment).length > 0,
      commands: (moment) => preparesAtBots(moment).map((w): Command => ({ type: 'act', node: w.node, action: { kind: 'promise', msg: w.msg } })),
      why: "The bots' nodes promise A's ballot at once, before they think of running themselves.",
    },
    {
      id: 'promises-arrive',
      times: 4,
      when: ({ world }) => opening(world) && world.inFlight.some((m) => m.to === LEADER && m.payload.kind === 'promise'),
      commands: ({ world }) => world.inFlight.filter((m) => m.to === LEADER && m.payload.kind === 'promise').map((m): Command => ({ type: 'deliver', id: m.id })),
      why: 'The promises reach A at once.',
    },
    {
      id: 'heartbeat-arrives',
      when: ({ world }) => !world.nodes[LEADER]!.crashed && mpNode(world, LEADER).volatile.lead !== null && world.inFlight.some((m) => m.from === LEADER && m.payload.kind === 'heartbeat'),
      commands: ({ world }) => world.inFlight.filter((m) => m.from === LEADER && m.payload.kind === 'heartbeat').map((m): Command => ({ type: 'deliver', id: m.id })),
      why: 'A leads, and its first heartbeat reaches every node at once: each learns that A leads.',
    },
    {
      id: 'crash-leader',
      when: ({ world }) => !world.nodes[LEADER]!.crashed && world.nodes.every((n) => mpNode(world, n.id).durable.applied >= 1),
      commands: () => [{ type: 'crash', node: LEADER }],
      why: 'A crashes once every node has applied X: its heartbeats stop.',
    },
    {
      id: 'request-y',
      when: crashed,
      commands: () => [{ type: 'propose', node: PLAYER, decree: 'Y' }],
      why: 'A client asks you, B, for Y: your node holds it until it knows a leader to send it to.',
    },
    {
      id: 'run-at-once',
      times: 100,
      when: (moment) => crashed(moment) && dueBots(moment).length > 0,
      commands: (moment) => dueBots(moment).map((id): Command => ({ type: 'act', node: id, action: { kind: 'elect', ballot: nextBallot(moment.world, id) } })),
      why: 'Each node runs for leader the moment it may: under the naive policy, as soon as its leader timer fires.',
    },
  ],
  steps: [
    {
      id: 'follow',
      title: 'Nobody leads at the start. When the leader timers fire, A runs first: promise its ballot, and accept X in slot 1.',
      groupTitle: 'Nobody leads at the start. When the leader timers fire, A runs first: B, C, D and E promise its ballot and accept X in slot 1.',
      reached: ({ world }) => world.global.chosen.some((c) => c.slot === 0),
      // A runs once the leader timers fire, a whole timeout in: the hint waits a few ticks past that.
      hints: [{ afterTicks: 16, text: "Answer A's PREPARE with a promise, then its ACCEPT with an acceptance: that is all a follower does." }],
    },
    {
      id: 'suspect',
      title: 'A has crashed: wait until your leader timer fires, a whole timeout without a heartbeat.',
      groupTitle: 'A crashes: B, C, D and E wait until their leader timers fire, a whole timeout without a heartbeat.',
      reached: (moment) => crashed(moment) && mpNode(moment.world, PLAYER).volatile.leader !== LEADER,
      hints: [{ afterTicks: 6, text: 'The ring around your node is your leader timer: it empties while no heartbeat comes.' }],
    },
    {
      id: 'run',
      title: 'Run for leader: under the naive policy, any node whose timer fired may run at once.',
      groupTitle: 'B runs for leader: under the naive policy, any node whose timer fired may run at once.',
      reached: ({ world }) => mpNode(world, PLAYER).durable.maxUsed > 0,
      hints: [{ afterTicks: 2, text: 'Run before you answer anyone else: once you promise another ballot, you wait a whole timeout again.' }],
    },
    {
      id: 'duel',
      title: 'Watch the ballots preempt each other: a node gives up its run when a higher ballot reaches it.',
      groupTitle: 'The ballots preempt each other: a node gives up its run when a higher ballot reaches it.',
      reached: ({ world }) => {
        const ran = runners(world);
        return ran.length >= 2 && ran.some((id) => gaveUp(world, id));
      },
      hints: [
        { afterTicks: 4, text: 'Every node that suspects A has a ballot of its own. Whichever is highest wins a promise; a lower one is refused.' },
        { afterTicks: 10, text: 'Answer the PREPARE of a higher ballot with a promise: a run that cannot win only holds the log up.' },
      ],
    },
    {
      id: 'log-goes-on',
      title: 'A new leader wins and the log goes on: Y is chosen, and you apply it.',
      groupTitle: "A new leader wins and the log goes on: Y, B's client's request, is chosen, and B applies it.",
      reached: ({ world }) => playerApplied(world, 'Y'),
      hints: [
        { afterTicks: 8, text: 'Once a leader sends its heartbeat, your node sends Y on to it. Accept what it puts in each slot.' },
      ],
    },
  ],
  briefings: {
    1: 'You are B, one of five nodes, A to E; A will lead first. Nobody leads at the start: every leader timer runs a whole timeout first, and when they fire A runs at once. Promise its ballot, rather than run yourself, and accept what it puts in slot 1. When A crashes, wait for your leader timer to fire, then run for leader at once: under the naive policy any node whose timer fired may. Watch what the ballots do to each other, and when the log goes on.',
    2: 'You are C, one of five nodes, A to E; A will lead first. Nobody leads at the start: every leader timer runs a whole timeout first, and when they fire A runs at once. Promise its ballot, rather than run yourself, and accept what it puts in slot 1. When A crashes, wait for your leader timer to fire, then run for leader at once: under the naive policy any node whose timer fired may. Watch what the ballots do to each other, and when the log goes on.',
    3: 'You are D, one of five nodes, A to E; A will lead first. Nobody leads at the start: every leader timer runs a whole timeout first, and when they fire A runs at once. Promise its ballot, rather than run yourself, and accept what it puts in slot 1. When A crashes, wait for your leader timer to fire, then run for leader at once: under the naive policy any node whose timer fired may. Watch what the ballots do to each other, and when the log goes on.',
    4: 'You are E, one of five nodes, A to E; A will lead first. Nobody leads at the start: every leader timer runs a whole timeout first, and when they fire A runs at once. Promise its ballot, rather than run yourself, and accept what it puts in slot 1. When A crashes, wait for your leader timer to fire, then run for leader at once: under the naive policy any node whose timer fired may. Watch what the ballots do to each other, and when the log goes on.',
  },
  deadEnds: [
    {
      id: 'early-run',
      when: (moment) => !crashed(moment) && runners(moment.world).length > 0,
      text: 'A node other than A ran for leader before A crashed, so A no longer leads the round this lesson tells. Play again: at the start promise A\'s ballot, and run only once A has crashed and your leader timer has fired.',
    },
    {
      id: 'led-without-running',
      when: ({ world }) => mpNode(world, PLAYER).durable.maxUsed === 0 && world.nodes.some((n) => n.id !== LEADER && mpNode(world, n.id).volatile.lead !== null && mpNode(world, PLAYER).volatile.leader === n.id),
      text: 'A new leader took over before you ran, so you saw no duel of your own. Play again, and run for leader as soon as your leader timer fires, before you answer anyone.',
    },
  ],
  debrief(round) {
    const facts = factsOf(electingLeader, round);
    const lines: DebriefLine[] = [];
    lines.push({ topic: 'outcome', text: facts.outcome ? `The log: ${facts.outcome}.` : 'Not every request reached the log.' });
    const election = electionOf(facts.round.config);
    const real = electionFacts(facts.worlds, facts.events, round.log);
    if (real) lines.push(...electionLines(facts, real, election));
    const y = facts.final.global.chosen.find((c) => c.decree === 'Y');
    if (y) {
      const accepted = mpNode(facts.worlds[y.step + 1]!, y.node).durable.accepted[y.slot];
      lines.push({
        topic: 'commit-point',
        text: `${nameOf(round, y.node)}'s acceptance at tick ${y.tick} was the commit point of ${slotWords(y.slot)}: with it a majority (${joined(y.voters.map((n) => nameOf(round, n)))}) had accepted Y${accepted ? ` under ballot ${ballotText(accepted.ballot)}` : ''}.`,
      });
    }
    lines.push(knowledgeLine(facts, `the whole log${facts.outcome ? `, ${facts.outcome},` : ''} was chosen`));
    lines.push(messagesLine(facts));
    const told = otherPolicy(facts);
    if (told) lines.push({ topic: 'what-if', text: whatIfSentence(told, real) });
    return { lines, commitPoint: commitPointMove(facts), knew: facts.knewAt.map((tick, node) => ({ node, tick })), messages: facts.messages, whatIf: told };
  },
};

/** The opening: A runs its first ballot, and has neither won nor crashed. */
function opening(world: World): boolean {
  const a = mpNode(world, LEADER);
  return !a.crashed && a.volatile.campaign !== null && a.durable.maxUsed === 1;
}

/** The bot seats with A's PREPARE waiting, and the message. */
function preparesAtBots({ world, run }: LessonMoment): { node: NodeId; msg: number }[] {
  return world.nodes.flatMap((n) => {
    if (n.id === LEADER || n.crashed || run.people.includes(n.id)) return [];
    const prepare = n.inbox.find((m) => m.from === LEADER && m.payload.kind === 'prepare');
    return prepare ? [{ node: n.id, msg: prepare.id }] : [];
  });
}

/** The bot seats that may run for leader now and are not running or leading. */
function dueBots({ world, run }: LessonMoment): NodeId[] {
  return world.nodes
    .filter((n) => !n.crashed && !run.people.includes(n.id))
    .filter((n) => {
      const v = mpNode(world, n.id).volatile;
      return v.electionDue && v.lead === null && v.campaign === null;
    })
    .map((n) => n.id);
}

/** The ballot number a node's run takes now: above everything it used, saw or promised. */
function nextBallot(world: World, id: NodeId): number {
  const node = mpNode(world, id);
  return Math.max(node.durable.maxUsed, node.volatile.highestSeen, node.durable.promised?.n ?? 0) + 1;
}

/** What happened between the leader's crash and the next leader, read from a round's worlds and events. */
export interface ElectionFacts {
  crashTick: number;
  /** Every run for leader after the crash: who, with which ballot, when. */
  runs: { ballot: Ballot; tick: number }[];
  /** REFUSEs and PREPAREs sent after the crash. */
  refuses: number;
  prepares: number;
  /** Leaders that lost their place to a higher ballot after the crash. */
  deposed: { node: NodeId; tick: number }[];
  /** The leader the round ended with, and when it won; null if none did. */
  leader: { ballot: Ballot; tick: number } | null;
  /** The tick the first request after the crash was chosen, or null. */
  nextChosen: { tick: number; slot: number } | null;
}

export function electionFacts(worlds: readonly World[], events: readonly (readonly EngineEvent[])[], log: readonly Command[]): ElectionFacts | null {
  const crashAt = log.findIndex((c) => c.type === 'crash' && c.node === LEADER);
  if (crashAt < 0) return null;
  const crashTick = worlds[crashAt + 1]!.tick;
  const runs: ElectionFacts['runs'] = [];
  let refuses = 0;
  let prepares = 0;
  const deposed: ElectionFacts['deposed'] = [];
  for (let i = crashAt + 1; i < log.length; i++) {
    const c = log[i]!;
    const tick = worlds[i + 1]!.tick;
    if (c.type === 'act' && c.action.kind === 'elect') runs.push({ ballot: { n: Number(c.action.ballot), node: c.node }, tick });
    for (const e of events[i]!) {
      if (e.type === 'sent' && e.message?.payload.kind === 'refuse') refuses += 1;
      if (e.type === 'sent' && e.message?.payload.kind === 'prepare') prepares += 1;
      if (e.type === 'stepped-down' && e.node !== undefined) deposed.push({ node: e.node, tick });
    }
  }
  const final = worlds[worlds.length - 1]!;
  const holder = final.nodes.find((n) => !n.crashed && mpNode(final, n.id).volatile.lead !== null);
  let leader: ElectionFacts['leader'] = null;
  if (holder) {
    const ballot = mpNode(final, holder.id).volatile.lead!.ballot;
    const won = worlds.findIndex((w, i) => i > crashAt && mpNode(w, holder.id).volatile.lead !== null && compareBallots(mpNode(w, holder.id).volatile.lead!.ballot, ballot) === 0);
    leader = { ballot, tick: worlds[won]!.tick };
  }
  const after = final.global.chosen.filter((c) => c.step > crashAt).sort((a, b) => a.step - b.step)[0];
  return { crashTick, runs, refuses, prepares, deposed, leader, nextChosen: after ? { tick: after.tick, slot: after.slot } : null };
}

const policyWords = (policy: string): string => (policy === 'naive' ? 'the naive policy' : 'the ranked policy');

function runsWords(runs: ElectionFacts['runs']): string {
  return joined(runs.map((r) => `${ballotText(r.ballot)} at tick ${r.tick}`));
}

function electionLines(facts: RoundFacts, e: ElectionFacts, policy: string): DebriefLine[] {
  const lines: DebriefLine[] = [];
  const runners = new Set(e.runs.map((r) => r.ballot.node));
  lines.push({
    topic: 'blocked',
    text:
      `A crashed at tick ${e.crashTick}. Under ${policyWords(policy)}, ${runners.size} node${runners.size === 1 ? '' : 's'} (${joined([...runners].map((n) => nameOf(facts.round, n)))}) ran for leader ${e.runs.length === 1 ? 'once' : `${e.runs.length} times`}: ${runsWords(e.runs)}. ` +
      `${e.prepares} PREPARE${e.prepares === 1 ? ' was' : 's were'} sent and ${e.refuses} REFUSE${e.refuses === 1 ? '' : 's'}${e.deposed.length > 0 ? `, and ${joined(e.deposed.map((d) => `${nameOf(facts.round, d.node)} at tick ${d.tick}`))} led and lost the lead to a higher ballot` : ''}.`,
  });
  if (e.leader) {
    lines.push({
      topic: 'story',
      text: `${nameOf(facts.round, e.leader.ballot.node)} won with ballot ${ballotText(e.leader.ballot)} at tick ${e.leader.tick}, ${ticks(e.leader.tick - e.crashTick)} after A crashed${e.nextChosen ? `; the log went on at tick ${e.nextChosen.tick}, when ${slotWords(e.nextChosen.slot)} was chosen` : ''}. Without a leader no slot can be chosen: the log waited all that time.`,
    });
  }
  return lines;
}

/**
 * The same round under the other election policy from its start, re-run by the engine: the lesson's
 * script (A's run, its crash, the request for Y) and bots on every seat. The policy changes each node's
 * state from the first tick on, so nothing of the real log is repeated.
 */
function otherPolicy(facts: RoundFacts): WhatIfTold | null {
  const other = electionOf(facts.round.config) === 'naive' ? 'ranked' : 'naive';
  return whatIfOf(facts, { kind: 'settings-until', step: 0, settings: { election: other } }, `under ${policyWords(other)}`);
}

function whatIfSentence(told: WhatIfTold, real: ElectionFacts | null): string {
  const config: RoundConfig = told.run.config;
  const trace = traceOf(config, told.run.log);
  const e = electionFacts(trace.worlds, trace.events, told.run.log);
  const head = `${told.change[0]!.toUpperCase()}${told.change.slice(1)}, the same round, played on by bots,`;
  if (!e) return `${head} never crashed A within ${ticks(told.run.world.tick - told.run.divergedTick)}.`;
  const runners = new Set(e.runs.map((r) => r.ballot.node));
  const ran = `${runners.size} node${runners.size === 1 ? '' : 's'} would have run for leader after A crashed at tick ${e.crashTick} (${runsWords(e.runs)}), with ${e.prepares} PREPARE${e.prepares === 1 ? '' : 's'} and ${e.refuses} REFUSE${e.refuses === 1 ? '' : 's'}`;
  if (!e.leader) return `${head} ${ran}, and no new leader would have won within ${ticks(told.run.world.tick - e.crashTick)}.`;
  const took = e.leader.tick - e.crashTick;
  const compare = real?.leader ? ` (here: ${ticks(real.leader.tick - real.crashTick)})` : '';
  return `${head} ${ran}; ${nodeName(e.leader.ballot.node)} would have won with ballot ${ballotText(e.leader.ballot)} ${ticks(took)} after the crash${compare}.`;
}
