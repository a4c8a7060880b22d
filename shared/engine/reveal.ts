/**
 * The reveal's sentences: what a finished round decided, where its commit point fell, and what else
 * its protocol tells of it (in 2PC, who was left in doubt or blocked, and for how long). The words
 * are each protocol's own (`present.reveal`); every number in them comes from the god view's
 * bookkeeping of the round itself.
 */
import { protocolFor } from '../protocols';
import { nodeName } from './names';
import type { CommitPoint, GlobalState, NodeId, ProtocolName, RoundConfig, Slot, Violation } from './types';

/**
 * The reveal's sentence, e.g. "X was chosen when node D's vote was cast at tick 41. D did not know:
 * its own view could not show the majority yet. The majority: B, C and D."
 */
export function commitPointSentence(
  protocol: ProtocolName,
  cp: CommitPoint,
  nameOf: (id: NodeId) => string = (id) => `node ${nodeName(id)}`,
  nodes?: number,
): string {
  const words = protocolFor(protocol).present.reveal;
  const slot = slotName(protocol, cp.slot);
  const first = `${cp.decree} was ${words.decidedVerb}${slot ? ` in ${slot}` : ''} when ${words.decidingEvent(nameOf(cp.node))} at tick ${cp.tick}.`;
  const knew = cp.nodeKnew
    ? `${nodeName(cp.node)} knew at once.`
    : `${nodeName(cp.node)} did not know: its own view could not show the majority yet.`;
  return `${first} ${knew}${words.voters(cp, nodes)}`;
}

/** The first commit point of each slot, in slot order: where each slot of a log was decided (a single decree has one). */
export function commitPointsBySlot(chosen: readonly CommitPoint[]): CommitPoint[] {
  const first = new Map<Slot, CommitPoint>();
  for (const cp of chosen) if (!first.has(cp.slot)) first.set(cp.slot, cp);
  return [...first.values()].sort((a, b) => a.slot - b.slot);
}

/** How the protocol names a slot ("slot 3"), or null for a protocol that decides one decree. */
export function slotName(protocol: ProtocolName, slot: Slot): string | null {
  return protocolFor(protocol).present.slotName?.(slot) ?? null;
}

/** The reveal's headline: what was decided, in the protocol's own terms. */
export function outcomeSentence(protocol: ProtocolName, outcome: string | null, stuck: boolean): string {
  return protocolFor(protocol).present.reveal.outcome(outcome, stuck);
}

/** Why there is no commit point to show. */
export function noCommitPointSentence(protocol: ProtocolName, outcome: string | null): string {
  return protocolFor(protocol).present.reveal.noCommitPoint(outcome);
}

/** The rest of the round's story, up to `end` (the round's last tick), such as who was in doubt in 2PC. */
export function detailSentences(config: RoundConfig, global: GlobalState, end: number): string[] {
  return protocolFor(config.protocol).present.reveal.details(config, global, end);
}

/**
 * When the round's fate was sealed: the first commit point, or in 2PC the tick the coordinator
 * logged its decision (an ABORT has no commit point). Null while nothing is decided.
 */
export function decisionTick(config: RoundConfig, global: GlobalState): number | null {
  return protocolFor(config.protocol).present.reveal.decisionTick(global);
}

/** A rule broken in a sandbox round, as the reveal lists it: "tick 12: B broke a rule (a vote is locked once cast). You already…". */
export function violationSentence(protocol: ProtocolName, v: Violation): string {
  if (v.node === undefined) return `tick ${v.tick}: ${v.message}`;
  const title = protocolFor(protocol).ruleTitles[v.code];
  return `tick ${v.tick}: ${nodeName(v.node)} broke a rule${title ? ` (${title})` : ''}. ${v.message}`;
}
