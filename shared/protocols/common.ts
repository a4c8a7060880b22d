/** Pieces the protocols share: schemas of common fields, inbox lookups, and words for a chosen decree. */
import { MAX_DECREE_LENGTH, MAX_MESSAGE_ID } from '../engine/limits';
import { countWords, listNames } from '../engine/names';
import type { GroupFacts, Local, NodeFacts, OpeningRequest, RevealWords } from '../engine/protocol';
import { rejection } from '../engine/rejections';
import type { Rng } from '../engine/rng';
import type { Action, CommitPoint, GlobalState, InboxEntry, LearnedLog, NodeId, Payload, Rejection, RoundConfig, Slot, World } from '../engine/types';
import { int, object, str, literal, type Schema } from '../wire/schema';

export const MESSAGE_ID = int(1, MAX_MESSAGE_ID);
export const DECREE = str(1, MAX_DECREE_LENGTH);

/** Schema of an action that answers one inbox message: `{kind, msg}`. */
export function answerSchema<K extends string>(kind: K): Schema<{ kind: K; msg: number }> {
  return object({ kind: literal(kind), msg: MESSAGE_ID });
}

/** The inbox message an action answers, or the rejection when it is not there or of the wrong kind. */
export function pending<P extends Payload>(local: Local<unknown, unknown, P>, msg: unknown, kinds: readonly P['kind'][]): InboxEntry<P> | Rejection {
  const entry = local.node.inbox.find((m) => m.id === msg);
  if (!entry) {
    return rejection('not-in-inbox', 'That message is not waiting in your inbox: it was already answered, or never reached you.');
  }
  if (!kinds.includes(entry.payload.kind)) {
    return rejection('wrong-message', `That answer does not fit a ${entry.payload.kind.toUpperCase()} message.`);
  }
  return entry;
}

export function isRejection<P extends Payload>(x: InboxEntry<P> | Rejection): x is Rejection {
  return 'rule' in x;
}

/** Adds a value to a list unless present, returning the same list when nothing changes. */
export function withItem<T>(list: readonly T[], item: T): T[] {
  return list.includes(item) ? (list as T[]) : [...list, item];
}

/** The first legal move of a kind (and passing `extra`), for bot policies. */
export function find<A extends Action, K extends A['kind']>(
  legal: readonly A[],
  kind: K,
  extra: (a: Extract<A, { kind: K }>) => boolean = () => true,
): Extract<A, { kind: K }> | undefined {
  return legal.find((a): a is Extract<A, { kind: K }> => a.kind === kind && extra(a as Extract<A, { kind: K }>));
}

/** Clients of a leaderless protocol hand each decree to a node of its own, chosen at random. */
export function spreadRequests(decrees: readonly string[], config: RoundConfig, rng: Rng): OpeningRequest[] {
  const nodes = rng.shuffle(Array.from({ length: config.nodes }, (_, i) => i));
  return decrees.slice(0, config.nodes).map((decree, i) => ({ node: nodes[i]!, decree }));
}

/** The decree chosen first in a slot, as the god view saw it, if any. */
export function chosenIn(chosen: readonly CommitPoint[], slot: Slot): string | null {
  for (const c of chosen) if (c.slot === slot) return c.decree;
  return null;
}

/** The decree the god view saw chosen first in slot 0, if any: what a single-decree consensus protocol decides. */
export function firstChosen(world: { global: { chosen: readonly CommitPoint[] } }): string | null {
  return chosenIn(world.global.chosen, 0);
}

const NOTHING_LEARNED: LearnedLog = Object.freeze([]);

/** What a single-decree node learned, as a log of one slot: `[decree]`, or nothing. */
export function learnedOne(decree: string | null): LearnedLog {
  return decree === null ? NOTHING_LEARNED : [decree];
}

/**
 * The outcome of a protocol that chooses a decree, whose nodes each learn it (`durable.learned`):
 * the decree chosen first (in slot 0, the only one), decided once every live node has learned it.
 */
export const learnedByEveryNode = {
  outcome: firstChosen,
  mustKnowOutcome: (): boolean => true,
  knowsOutcome: (node: { durable: { learned: string | null } }, outcome: string): boolean => node.durable.learned === outcome,
  learned: (node: { durable: { learned: string | null } }): LearnedLog => learnedOne(node.durable.learned),
};

/** Whether a node learned anything, in any slot. */
export function learnedAny(learned: LearnedLog): boolean {
  return learned.some((v) => v !== null);
}

/** Which nodes learned the outcome, as the reveal says it. */
function learnedLine(nodes: readonly (NodeFacts<unknown, unknown> & { name: string })[]): string {
  const learned = nodes.filter((n) => learnedAny(n.learned)).map((n) => n.name);
  return learned.length > 0 ? `Nodes that learned the outcome: ${learned.join(', ')}.` : 'No node learned an outcome.';
}

/**
 * Who some nodes of a group were, counted: "four students", "two students and a bot", "two bots".
 * `students` are the nodes students played; bots played the others.
 */
export function playersWords(ids: readonly NodeId[], students: readonly NodeId[]): string {
  const people = ids.filter((id) => students.includes(id)).length;
  const bots = ids.length - people;
  const botWords = bots === 1 ? 'a bot' : countWords(bots, 'bot');
  if (people === 0) return bots === 1 ? 'one bot' : botWords;
  return bots === 0 ? countWords(people, 'student') : `${countWords(people, 'student')} and ${botWords}`;
}

/** For the groups compared: a decree chosen, and nodes that never learned it ("In group 3, X was chosen, but two students never learned it."). */
export function unlearnedSentences(facts: GroupFacts<unknown, unknown>): string[] {
  if (facts.outcome === null) return [];
  // A single decree: slot 0 is the one a node may have learned.
  const unaware = facts.nodes.filter((n) => n.learned[0] !== facts.outcome).map((n) => n.id);
  if (unaware.length === 0) return [];
  return [`In group ${facts.group}, ${facts.outcome} was chosen, but ${playersWords(unaware, facts.students)} never learned it.`];
}

/** The reveal's words for a protocol that chooses a decree by a majority: `deciding` tells whose act made it. */
export function chosenDecreeReveal(deciding: (who: string) => string): RevealWords<unknown, unknown> {
  return {
    outcome(outcome, stuck) {
      if (outcome) return `Decided: ${outcome}.`;
      return stuck ? 'Nothing was decided: the vote split and locked votes cannot change.' : 'Nothing was decided.';
    },
    decidedVerb: 'chosen',
    decidingEvent: deciding,
    voters: (point) => (point.voters.length > 0 ? ` The majority: ${listNames(point.voters)}.` : ''),
    noCommitPoint: () => 'No decree reached a majority, so there is no commit point.',
    details: () => [],
    decisionTick: (global: GlobalState<unknown>) => global.chosen[0]?.tick ?? null,
    learnedLine,
    pendingOutcome: (outcome) => `chosen ${outcome}, not yet known to all`,
    groupOutcome(facts) {
      if (facts.outcome !== null) return `decided ${facts.outcome}`;
      return facts.stuck ? 'split for good: no decree can reach a majority, and locked votes cannot change' : 'decided nothing: no decree reached a majority';
    },
    groupDetails: unlearnedSentences,
  };
}
