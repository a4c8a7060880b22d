/**
 * The reveal's sentences: what a finished round decided, where its commit point fell, and (2PC) who
 * was left in doubt or blocked, and for how long. Pure functions of the god view's bookkeeping, so
 * every number they give comes from the round itself.
 */
import { protocolFor } from '../protocols';
import { listNames, nodeName } from './names';
import type { CommitPoint, GlobalState, NodeId, ProtocolName, RoundConfig, Violation } from './types';

/** The 2PC coordinator is node A; the engine's two-phase commit says so too. */
const COORDINATOR: NodeId = 0;

/** How the commit point's deciding event is told, per protocol. */
function decidingEvent(protocol: ProtocolName, who: string): string {
  switch (protocol) {
    case 'majority':
      return `${who}'s vote was cast`;
    case 'paxos':
      return `${who} accepted it`;
    case '2pc':
      return `${who}, the coordinator, logged COMMIT`;
  }
}

/**
 * The reveal's sentence, e.g. "X was chosen when node D's vote was cast at tick 41. D did not know:
 * its own tally could not show the majority yet. The majority: B, C and D." In 2PC a transaction is
 * committed by the coordinator once every participant voted YES; there is no majority.
 */
export function commitPointSentence(
  protocol: ProtocolName,
  cp: CommitPoint,
  nameOf: (id: NodeId) => string = (id) => `node ${nodeName(id)}`,
  nodes?: number,
): string {
  const who = nameOf(cp.node);
  const verb = protocol === '2pc' ? 'committed' : 'chosen';
  const first = `${cp.decree} was ${verb} when ${decidingEvent(protocol, who)} at tick ${cp.tick}.`;
  const knew = cp.nodeKnew
    ? `${nodeName(cp.node)} knew at once.`
    : `${nodeName(cp.node)} did not know: its own view could not show the majority yet.`;
  return `${first} ${knew}${votersSentence(protocol, cp, nodes)}`;
}

function votersSentence(protocol: ProtocolName, cp: CommitPoint, nodes: number | undefined): string {
  if (protocol !== '2pc') return cp.voters.length > 0 ? ` The majority: ${listNames(cp.voters)}.` : '';
  if (nodes === undefined) return cp.voters.length > 0 ? ` It had a YES from ${listNames(cp.voters)}.` : '';
  if (cp.voters.length === nodes - 1) return ` Every participant had voted YES: ${listNames(cp.voters)}.`;
  const yes = cp.voters.length > 0 ? `only ${listNames(cp.voters)}` : 'no participant';
  return ` It had a YES from ${yes}, not from every participant: a rule was broken.`;
}

/** The reveal's headline: what was decided, in the protocol's own terms. */
export function outcomeSentence(protocol: ProtocolName, outcome: string | null, stuck: boolean): string {
  if (protocol === '2pc') {
    if (outcome === 'commit') return 'Decided: COMMIT.';
    if (outcome === 'abort') return 'Decided: ABORT. The transaction did not happen.';
    return 'Nothing was decided: the coordinator never logged a decision.';
  }
  if (outcome) return `Decided: ${outcome}.`;
  return stuck ? 'Nothing was decided: the vote split and locked votes cannot change.' : 'Nothing was decided.';
}

/** Why there is no commit point to show. */
export function noCommitPointSentence(protocol: ProtocolName, outcome: string | null): string {
  if (protocol === '2pc') {
    return outcome === 'abort' ? 'The transaction aborted, so nothing was committed and there is no commit point.' : 'Nothing was committed, so there is no commit point.';
  }
  return 'No decree reached a majority, so there is no commit point.';
}

/** One 2PC participant's time in doubt: from its YES vote until it learned the outcome. */
export interface DoubtSpan {
  node: NodeId;
  since: number;
  /** The tick it learned the outcome, or null if it never did. */
  until: number | null;
  ticks: number;
  /** The part of it during which the coordinator was down. */
  blockedTicks: number;
}

/** Who was in doubt in a 2PC round and for how long, up to `end` (the round's last tick). */
export function doubtSpans(global: GlobalState, end: number): DoubtSpan[] {
  const coordinatorDown = global.downtime.filter((d) => d.node === COORDINATOR);
  return Object.entries(global.inDoubtSince)
    .map(([id, since]) => {
      const node = Number(id);
      const until = global.outcomeAt[id] ?? null;
      const stop = until ?? end;
      let blockedTicks = 0;
      for (const d of coordinatorDown) blockedTicks += Math.max(0, Math.min(stop, d.to ?? end) - Math.max(since, d.from));
      return { node, since, until, ticks: stop - since, blockedTicks };
    })
    .filter((s) => s.ticks > 0)
    .sort((a, b) => a.node - b.node);
}

const ticks = (n: number): string => `${n} tick${n === 1 ? '' : 's'}`;

/**
 * The 2PC reveal's account of doubt: when the coordinator was down, who voted YES and then waited
 * for the outcome (and how long), and who was blocked: in doubt while the coordinator was down, so
 * able neither to commit nor to abort on its own. Empty when nobody waited.
 */
export function doubtSentences(config: RoundConfig, global: GlobalState, end: number): string[] {
  if (config.protocol !== '2pc') return [];
  const sentences: string[] = [];
  const coordinator = nodeName(COORDINATOR);
  const decidedAt = global.outcomeAt[COORDINATOR] ?? null;
  for (const d of global.downtime.filter((x) => x.node === COORDINATOR)) {
    const before = decidedAt === null || decidedAt > d.from ? ' before it logged a decision' : ' after it logged its decision';
    const span = d.to === null ? `at tick ${d.from}${before}, and was still down when the round ended at tick ${end} (${ticks(end - d.from)})` : `at tick ${d.from}${before}, and recovered at tick ${d.to} (${ticks(d.to - d.from)} down)`;
    sentences.push(`The coordinator ${coordinator} crashed ${span}.`);
  }
  const spans = doubtSpans(global, end);
  if (spans.length === 0) return sentences;
  const waited = grouped(spans, (s) => `${s.since}-${s.until}`).map((group) => {
    const s = group[0]!;
    const who = listNames(group.map((x) => x.node));
    const each = group.length > 1 ? ' each' : '';
    return s.until === null
      ? `${who} from tick ${s.since} to the end of the round at tick ${end}, never learning the outcome (${ticks(s.ticks)}${each})`
      : `${who} from tick ${s.since} to tick ${s.until} (${ticks(s.ticks)}${each})`;
  });
  sentences.push(`In doubt (voted YES, then waited for the outcome): ${joinList(waited)}.`);
  const blocked = grouped(
    spans.filter((s) => s.blockedTicks > 0),
    (s) => String(s.blockedTicks),
  ).map((group) => `${listNames(group.map((x) => x.node))} for ${ticks(group[0]!.blockedTicks)}${group.length > 1 ? ' each' : ''}`);
  if (blocked.length > 0) {
    const they = spans.filter((s) => s.blockedTicks > 0).length > 1 ? 'they' : 'it';
    sentences.push(`Blocked while ${coordinator} was down: ${joinList(blocked)}. Having voted YES, ${they} could neither commit nor abort on ${they === 'they' ? 'their' : 'its'} own.`);
  }
  return sentences;
}

/** Items with the same key together, in the order their first item came. */
function grouped<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

/** "a, b and c"; with semicolons when an item has a comma of its own. */
function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  const separator = items.some((i) => i.includes(',')) ? '; ' : ', ';
  return `${items.slice(0, -1).join(separator)}${separator === '; ' ? ';' : ''} and ${items[items.length - 1]}`;
}

/**
 * When the round's fate was sealed: the first commit point, or in 2PC the tick the coordinator
 * logged its decision (an ABORT has no commit point). Null while nothing is decided.
 */
export function decisionTick(config: RoundConfig, global: GlobalState): number | null {
  if (config.protocol === '2pc') return global.outcomeAt[COORDINATOR] ?? null;
  return global.chosen[0]?.tick ?? null;
}

/** A rule broken in a sandbox round, as the reveal lists it: "tick 12: B broke a rule (a vote is locked once cast). You already…". */
export function violationSentence(protocol: ProtocolName, v: Violation): string {
  if (v.node === undefined) return `tick ${v.tick}: ${v.message}`;
  const title = protocolFor(protocol).ruleTitles[v.code];
  return `tick ${v.tick}: ${nodeName(v.node)} broke a rule${title ? ` (${title})` : ''}. ${v.message}`;
}
