/**
 * Words for what the views contain: node state lines, button labels for legal actions, the reveal's
 * sentences. Presentation only: every fact comes from a view, every move from `view.legal`, and
 * every word from the round's protocol (its `present` block in `shared/protocols/<name>/`).
 */
import { nodeName } from '../../shared/engine/names';
import type { NodeFacts } from '../../shared/engine/protocol';
import type { Action, GlobalState, NodeId, ProtocolName, Settings, Timer } from '../../shared/engine/types';
import { allProtocols, protocolFor } from '../../shared/protocols';

// The reveal's sentences are the engine's: every number in them comes from the round's bookkeeping.
export { commitPointSentence, detailSentences, noCommitPointSentence, outcomeSentence, violationSentence } from '../../shared/engine/reveal';

export type { NodeFacts };

/**
 * A node's state in a few short lines: durable first (it survives a crash), then volatile, and, given
 * the round's tick, its running timers ("retry timer fires in 4 ticks").
 */
export function nodeStateLines(protocol: ProtocolName, facts: NodeFacts, nodes: number, now?: number): string[] {
  const lines = protocolFor(protocol).present.stateLines(facts, nodes);
  if (now !== undefined) for (const t of runningTimers(protocol, facts, now)) lines.push(`${t.title} fires ${inTicks(t.left)}`);
  return facts.crashed ? ['CRASHED: only its disk remains', ...lines] : lines;
}

/** A running timer as a player is shown it: its name, the ticks left, and what its firing lets the node do. */
export interface RunningTimer {
  name: string;
  /** "retry timer" */
  title: string;
  /** Ticks until it fires at the given tick (0: it fires with the next one). */
  left: number;
  /** Ticks it was set for: the ring that empties on the canvas shows `left` of these. */
  total: number;
  /** "you may start a higher ballot" */
  then: string;
}

/** A node's running timers in words, soonest first, at tick `now`. */
export function runningTimers(protocol: ProtocolName, facts: Pick<NodeFacts, 'durable' | 'volatile' | 'timers'>, now: number): RunningTimer[] {
  const rules = protocolFor(protocol);
  return facts.timers.flatMap((t: Timer) => {
    const rule = rules.timerRule(t.name);
    if (!rule) return [];
    return [{ name: t.name, title: rule.title, left: Math.max(0, t.firesAt - now), total: Math.max(1, t.firesAt - t.setAt), then: rule.then(facts) }];
  });
}

/** "in 4 ticks", "in 1 tick", or "now" when its tick has come (the next view brings the timeout). */
function inTicks(left: number): string {
  return left <= 0 ? 'now' : `in ${left} tick${left === 1 ? '' : 's'}`;
}

/** A timer said to the node's player: "Your retry timer fires in 4 ticks: then it is time to start a higher ballot." */
export function timerSentence(timer: RunningTimer): string {
  return `Your ${timer.title} fires ${inTicks(timer.left)}: then ${timer.then}.`;
}

/** Two or three short lines for the canvas, under a node; the DOM panels carry the full state. */
export function nodeSummaryLines(protocol: ProtocolName, facts: NodeFacts): string[] {
  const lines = protocolFor(protocol).present.summaryLines(facts);
  return facts.crashed ? ['crashed', ...lines] : lines;
}

/** The text on the button for a legal (or rule-breaking) move. */
export function actionLabel(protocol: ProtocolName, action: Action): string {
  return protocolFor(protocol).actionLabel(action);
}

/** Legal actions that answer inbox message `msg`, and those that stand alone. */
export function splitLegal(legal: readonly Action[]): { byMessage: Map<number, Action[]>; general: Action[] } {
  const byMessage = new Map<number, Action[]>();
  const general: Action[] = [];
  for (const action of legal) {
    const msg = (action as { msg?: unknown }).msg;
    if (typeof msg === 'number') byMessage.set(msg, [...(byMessage.get(msg) ?? []), action]);
    else general.push(action);
  }
  return { byMessage, general };
}

/** "A (Ada)" when a student holds the node, "A" otherwise. */
export function nodeTitle(id: NodeId, nickname: string | null | undefined): string {
  return nickname ? `${nodeName(id)} (${nickname})` : nodeName(id);
}

export function protocolTitle(protocol: ProtocolName): string {
  return protocolFor(protocol).title;
}

/** One choice of a protocol menu. */
export interface ProtocolOption {
  value: ProtocolName;
  label: string;
  selected: boolean;
}

/** The protocols a menu offers (the solo menu, the setup form): every registered one, in the registry's order. */
export function protocolOptions(selected: ProtocolName): ProtocolOption[] {
  return allProtocols()
    .filter((p) => !p.lessonOnly)
    .map((p) => ({ value: p.name, label: p.title, selected: p.name === selected }));
}

/** What the round's timeout is for, in every protocol that has a use for it. */
export function timeoutHint(): string {
  const uses = allProtocols().flatMap((p) => (p.present.timeoutUse ? [p.present.timeoutUse] : []));
  const what = uses.length > 1 ? `${uses.slice(0, -1).join(', ')}, and ${uses[uses.length - 1]}` : uses.join('');
  return `How long ${what}. It must be at least one round trip.`;
}

/** One line that tells a new player what their node is for in this protocol. */
export function roleHint(protocol: ProtocolName, role: string, settings: Settings): string {
  return protocolFor(protocol).present.roleHint(role, settings);
}

/** The reveal's line on which nodes came to know the outcome. */
export function learnedLine(protocol: ProtocolName, nodes: readonly (NodeFacts & { id: NodeId; name: string })[], global: GlobalState): string {
  return protocolFor(protocol).present.reveal.learnedLine(nodes, global);
}

/** The scoreboard's words for an outcome not yet known to every node. */
export function pendingOutcomeText(protocol: ProtocolName, outcome: string): string {
  return protocolFor(protocol).present.reveal.pendingOutcome(outcome);
}
