/**
 * A lesson's debrief: what one round of it came to, told from that round's log alone. Every number
 * is the engine's: the commit point and its voter from the god view's books, who knew the outcome
 * and when from each node's own state step by step, the messages from the engine's `sent` events,
 * and the "what if" from a re-run of the log with one thing changed (`whatIf`). Each lesson picks
 * the lines that tell its story; the helpers here work them out.
 */
import { listNames, nodeName } from '../engine/names';
import { doubtSpans, type DoubtSpan } from '../protocols/2pc/present';
import type { TpcGlobal } from '../protocols/2pc/state';
import { step } from '../engine/step';
import type { Command, CommitPoint, EngineEvent, GlobalState, NodeId, World } from '../engine/types';
import { createWorld } from '../engine/world';
import { protocolFor } from '../protocols';
import { replayLesson, type ReplayedLesson } from './run';
import type { Lesson, LessonRound } from './types';
import { whatIf, type Change, type WhatIf } from './whatIf';

export type DebriefTopic = 'outcome' | 'commit-point' | 'knowledge' | 'blocked' | 'messages' | 'story' | 'what-if';

export interface DebriefLine {
  topic: DebriefTopic;
  text: string;
}

/** A "what if" as the debrief tells it: the change, the re-run, and the sentence. */
export interface WhatIfTold {
  /** The change in words: "without the coordinator's crash at tick 5". */
  change: string;
  run: WhatIf;
  outcome: string | null;
  commitPoint: CommitPoint | null;
}

export interface Debrief {
  lines: DebriefLine[];
  /** The round's first commit point and whose move it was, or null when nothing was chosen or committed. */
  commitPoint: (CommitPoint & { by: string; nickname: string | null; scripted: string | null }) | null;
  /** When each node came to know the round's outcome (null: never), in node order. */
  knew: { node: NodeId; tick: number | null }[];
  /** Messages sent in the round, all told and by kind. */
  messages: { total: number; byKind: Record<string, number> };
  whatIf: WhatIfTold | null;
}

/** A round of a lesson, re-run once, with what every debrief needs to know of it. */
export interface RoundFacts extends ReplayedLesson {
  lesson: Lesson;
  round: LessonRound;
  final: World;
  /** What the round decided, in the protocol's terms (a decree chosen; 2PC: commit or abort). */
  outcome: string | null;
  commitPoint: CommitPoint | null;
  /** The tick each node first knew the outcome, or null. */
  knewAt: (number | null)[];
  messages: { total: number; byKind: Record<string, number> };
}

export function factsOf(lesson: Lesson, round: LessonRound): RoundFacts {
  const replayed = replayLesson(lesson, round);
  const final = replayed.worlds[replayed.worlds.length - 1]!;
  const protocol = protocolFor(round.config.protocol);
  const outcome = protocol.status(final).outcome;
  const knewAt: (number | null)[] = final.nodes.map(() => null);
  if (outcome !== null) {
    for (const world of replayed.worlds) {
      world.nodes.forEach((node, id) => {
        if (knewAt[id] === null && protocol.knowsOutcome(node, outcome)) knewAt[id] = world.tick;
      });
    }
  }
  return {
    ...replayed,
    lesson,
    round,
    final,
    outcome,
    commitPoint: final.global.chosen[0] ?? null,
    knewAt,
    messages: messagesSent(replayed.events, round.config.protocol),
  };
}

/** Messages sent, counted from the engine's `sent` events (a copy the network made is not sent by anyone). */
export function messagesSent(events: readonly (readonly EngineEvent[])[], protocolName: string): { total: number; byKind: Record<string, number> } {
  const protocol = protocolFor(protocolName);
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const list of events) {
    for (const e of list) {
      if (e.type !== 'sent' || !e.message) continue;
      const short = (protocol.present.messages as Record<string, { short: string }>)[e.message.payload.kind]?.short ?? e.message.payload.kind;
      byKind[short] = (byKind[short] ?? 0) + 1;
      total += 1;
    }
  }
  return { total, byKind };
}

/** The nickname of whoever held a seat, or null for a bot. */
export function nicknameOf(round: LessonRound, node: NodeId): string | null {
  return round.players.find((p) => p.node === node)?.nickname ?? null;
}

/** A node as a sentence names it: "Ada (B)" for a person's seat, "C" for a bot's. */
export function nameOf(round: LessonRound, node: NodeId): string {
  const nickname = nicknameOf(round, node);
  return nickname === null ? nodeName(node) : `${nickname} (${nodeName(node)})`;
}

/** The short name: "Ada", or "C". */
export function shortName(round: LessonRound, node: NodeId): string {
  return nicknameOf(round, node) ?? nodeName(node);
}

export const ticks = (n: number): string => `${n} tick${n === 1 ? '' : 's'}`;

/** "a, b and c". */
export function joined(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Nodes with a number each, said with the nodes of the same number together: "Ada (B), C and D for
 * 10 ticks each, E for 4 ticks".
 */
export function eachFor(round: LessonRound, items: readonly { node: NodeId; ticks: number }[]): string {
  const groups = new Map<number, NodeId[]>();
  for (const item of items) groups.set(item.ticks, [...(groups.get(item.ticks) ?? []), item.node]);
  return joined([...groups.entries()].map(([n, nodes]) => `${joined(nodes.map((node) => nameOf(round, node)))} for ${ticks(n)}${nodes.length > 1 ? ' each' : ''}`));
}

/** Whose move the commit point was: the node, its nickname if a person held it, and the script rule if the lesson made it. */
export function commitPointMove(facts: RoundFacts): Debrief['commitPoint'] {
  const cp = facts.commitPoint;
  if (!cp) return null;
  const origin = facts.origins[cp.step] ?? '';
  const scripted = origin.startsWith('script:') ? origin.slice('script:'.length) : null;
  return { ...cp, by: nameOf(facts.round, cp.node), nickname: nicknameOf(facts.round, cp.node), scripted };
}

/** "17 messages were sent: 4 CANDIDATE, 12 VOTE and 1 VICTORY." */
export function messagesLine(facts: RoundFacts): DebriefLine {
  const { total, byKind } = facts.messages;
  const kinds = Object.entries(byKind).map(([kind, n]) => `${n} ${kind}`);
  return { topic: 'messages', text: total === 0 ? 'No message was sent.' : `${total} message${total === 1 ? ' was' : 's were'} sent: ${joined(kinds)}.` };
}

/** Who came to know the outcome, and when: "Who knew X was chosen, and when: C at tick 7, Ada (A) at tick 9; D and E never did." */
export function knowledgeLine(facts: RoundFacts, what: string): DebriefLine {
  const known = facts.knewAt
    .map((tick, node) => ({ node, tick }))
    .filter((k): k is { node: number; tick: number } => k.tick !== null)
    .sort((a, b) => a.tick - b.tick || a.node - b.node)
    .map((k) => `${nameOf(facts.round, k.node)} at tick ${k.tick}`);
  const never = facts.knewAt.flatMap((tick, node) => (tick === null ? [nameOf(facts.round, node)] : []));
  const neverWords = never.length === 0 ? '' : `${known.length > 0 ? '; ' : ''}${joined(never)} had not by the end of the round`;
  return { topic: 'knowledge', text: `Who knew ${what}, and when: ${joined(known)}${neverWords}.` };
}

/** The 2PC participants' time in doubt, from the god view's books. */
export function doubtOf(facts: RoundFacts): DoubtSpan[] {
  return doubtSpans(facts.final.global as GlobalState<TpcGlobal>, facts.final.tick);
}

/** A what-if of this round, the lesson's script going on without the rules `without`: the re-run, its outcome and its first commit point. */
export function whatIfOf(facts: RoundFacts, change: Change, words: string, without: readonly string[] = []): WhatIfTold {
  const run = whatIf(facts.round.config, facts.round.log, change, { lesson: facts.lesson, without });
  const outcome = protocolFor(run.config.protocol).status(run.world).outcome;
  return { change: words, run, outcome, commitPoint: run.world.global.chosen[0] ?? null };
}

/** The index in the log of the first command the script's rule fired, or null if it never fired. */
export function scriptedStep(facts: RoundFacts, rule: string): number | null {
  const i = facts.origins.indexOf(`script:${rule}`);
  return i < 0 ? null : i;
}

/** The lines the script told only after the round: what the player's node could not know while it ran. */
export function toldAfterLines(facts: RoundFacts): DebriefLine[] {
  const told = new Set<string>();
  return facts.run.fired
    .filter((f) => f.told === 'after' && !f.refused && !told.has(f.rule) && told.add(f.rule))
    .map((f) => ({ topic: 'story', text: `At tick ${f.tick}: ${f.why}` }));
}



/**
 * Majority vote: the commit point as a vote, with what its voter's own tally showed at that moment:
 * "Ada (A)'s vote at tick 6 was the commit point: it gave X 3 of 5 votes (B, C and A), a majority.
 * Ada did not know it: Ada's own tally showed 2 of 5 votes for X."
 */
export function voteCommitPointLine(facts: RoundFacts): DebriefLine | null {
  const cp = facts.commitPoint;
  if (!cp) return null;
  const world = facts.worlds[cp.step + 1]!;
  const tally = ((world.nodes[cp.node]!.volatile as { tally?: Record<string, NodeId[]> }).tally ?? {})[cp.decree] ?? [];
  const nodes = facts.round.config.nodes;
  const who = nameOf(facts.round, cp.node);
  const short = shortName(facts.round, cp.node);
  const knew = cp.nodeKnew
    ? `${short} could tell: ${short}'s own tally already showed ${tally.length} of ${nodes} votes for ${cp.decree}.`
    : `${short} did not know it: ${short}'s own tally showed ${tally.length} of ${nodes} votes for ${cp.decree}.`;
  return {
    topic: 'commit-point',
    text: `${who}'s vote at tick ${cp.tick} was the commit point: it gave ${cp.decree} ${cp.voters.length} of ${nodes} votes (${listNames(cp.voters)}), a majority. ${knew}`,
  };
}

/** How long after the commit point the first node knew: "Nobody knew at that moment: the first to know was C, 3 ticks later." */
export function firstToKnowLine(facts: RoundFacts): DebriefLine | null {
  const cp = facts.commitPoint;
  if (!cp) return null;
  const first = facts.knewAt
    .map((tick, node) => ({ tick, node }))
    .filter((k): k is { tick: number; node: number } => k.tick !== null)
    .sort((a, b) => a.tick - b.tick || a.node - b.node)[0];
  if (!first) return { topic: 'knowledge', text: `${cp.decree} was chosen at tick ${cp.tick}, and no node ever learned it.` };
  if (first.tick === cp.tick) return { topic: 'knowledge', text: `${nameOf(facts.round, first.node)} knew at once, at tick ${cp.tick}.` };
  return {
    topic: 'knowledge',
    text: `Nobody knew at that moment. The first to know was ${nameOf(facts.round, first.node)}, at tick ${first.tick}: ${ticks(first.tick - cp.tick)} after ${cp.decree} was chosen.`,
  };
}

/** Majority vote: the votes cast after the commit point, which changed nothing. */
export function lateVotesLine(facts: RoundFacts): DebriefLine | null {
  const cp = facts.commitPoint;
  if (!cp) return null;
  const box = facts.final.global.boxes.find((b) => b.slot === cp.slot && b.value === cp.decree && cp.voters.every((v) => b.voters.includes(v)));
  const late = box ? box.voters.slice(cp.voters.length) : [];
  if (late.length === 0) return null;
  return {
    topic: 'story',
    text: `${joined(late.map((n) => nameOf(facts.round, n)))} voted for ${cp.decree} after the commit point: ${late.length === 1 ? 'that vote' : 'those votes'} changed nothing.`,
  };
}

/** The spans of ticks during which fewer nodes were up than a majority: nothing could be chosen then. */
export function tooFewUp(facts: RoundFacts): { from: number; to: number | null; up: NodeId[] }[] {
  const need = Math.floor(facts.round.config.nodes / 2) + 1;
  const spans: { from: number; to: number | null; up: NodeId[] }[] = [];
  let open: { from: number; to: number | null; up: NodeId[] } | null = null;
  for (const world of facts.worlds) {
    const up = world.nodes.filter((n) => !n.crashed).map((n) => n.id);
    if (up.length < need && !open) {
      open = { from: world.tick, to: null, up };
      spans.push(open);
    } else if (up.length >= need && open) {
      open.to = world.tick;
      open = null;
    }
  }
  return spans;
}

/** Every world and every command's events of a log (a what-if's), stepped once more. */
export function traceOf(config: RoundFacts['round']['config'], log: readonly Command[]): { worlds: World[]; events: (readonly EngineEvent[])[] } {
  let world = createWorld(config);
  const worlds = [world];
  const events: (readonly EngineEvent[])[] = [];
  for (const command of log) {
    const result = step(world, command);
    if (!result.ok) throw new Error(`a what-if's own log is refused: ${result.rejection.message}`);
    world = result.world;
    worlds.push(world);
    events.push(result.events);
  }
  return { worlds, events };
}
