/**
 * How two-phase commit is shown: the states a student must tell apart (working, in doubt, committed,
 * aborted), its messages' looks, and the reveal's words: who was left in doubt, and for how long.
 * Every number in them comes from the god view's bookkeeping of the round itself.
 */
import { listNames, nodeName } from '../../engine/names';
import type { GroupFacts, NodeFacts, Presentation } from '../../engine/protocol';
import { playersWords } from '../common';
import type { GlobalState, NodeId, RoundConfig } from '../../engine/types';
import { COORDINATOR, type TpcDurable, type TpcGlobal, type TpcPayload, type TpcVolatile } from './state';

/** The 2PC state a student must tell apart: working, voted YES and in doubt, committed, aborted. */
export function twoPhaseState(facts: Pick<NodeFacts<TpcDurable, unknown>, 'durable'>): string {
  const d = facts.durable;
  if (d.role === 'coordinator') {
    if (d.decision) return `logged ${d.decision.toUpperCase()} for ${String(d.decree)}`;
    if (d.decree) return `collecting votes on ${d.decree}`;
    return 'working: no transaction yet';
  }
  if (d.outcome === 'commit') return 'committed';
  if (d.outcome === 'abort') return 'aborted';
  if (d.vote === 'yes') return 'voted YES: in doubt';
  if (d.vote === 'no') return 'voted NO';
  return 'working: has not voted';
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
export function doubtSpans(global: GlobalState<TpcGlobal>, end: number): DoubtSpan[] {
  const coordinatorDown = global.downtime.filter((d) => d.node === COORDINATOR);
  return Object.entries(global.protocol.inDoubtSince)
    .map(([id, since]) => {
      const node = Number(id);
      const until = global.protocol.outcomeAt[id] ?? null;
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
export function doubtSentences(_config: RoundConfig, global: GlobalState<TpcGlobal>, end: number): string[] {
  const sentences: string[] = [];
  const coordinator = nodeName(COORDINATOR);
  const decidedAt = global.protocol.outcomeAt[COORDINATOR] ?? null;
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

/** For the groups compared: what a group's transaction came to, after "Group 2" or "Groups 1 and 3". */
export function transactionOutcome(facts: GroupFacts<TpcDurable, TpcVolatile, TpcGlobal>): string {
  const coordinator = facts.nodes[COORDINATOR]?.durable;
  const decree = coordinator?.role === 'coordinator' && coordinator.decree !== null ? ` ${coordinator.decree}` : '';
  if (facts.outcome === 'commit') return `committed${decree}`;
  if (facts.outcome === 'abort') return `aborted${decree}`;
  return 'decided nothing: the coordinator never logged a decision';
}

/**
 * For the groups compared: who was blocked in doubt while the coordinator was down, and for how
 * long, and who voted YES and never learned the outcome; counted from the god view's bookkeeping
 * (`doubtSpans`), as students or bots by who played each node.
 */
export function groupDoubtSentences(facts: GroupFacts<TpcDurable, TpcVolatile, TpcGlobal>): string[] {
  const spans = doubtSpans(facts.global, facts.end);
  const group = `In group ${facts.group}`;
  const sentences: string[] = [];
  const blocked = spans.filter((s) => s.blockedTicks > 0);
  if (blocked.length > 0) {
    const longest = Math.max(...blocked.map((s) => s.blockedTicks));
    const same = blocked.every((s) => s.blockedTicks === longest);
    const who = playersWords(blocked.map((s) => s.node), facts.students);
    sentences.push(`${group}, the coordinator's crash left ${who} blocked in doubt for ${same ? '' : 'up to '}${ticks(longest)}.`);
  }
  const never = spans.filter((s) => s.until === null).map((s) => s.node);
  if (never.length > 0) sentences.push(`${group}, ${playersWords(never, facts.students)} voted YES and never learned the outcome.`);
  return sentences;
}

export const twoPhasePresentation: Presentation<TpcDurable, TpcVolatile, TpcPayload, TpcGlobal> = {
  stateLines(facts, nodes) {
    const lines = [twoPhaseState(facts)];
    const { durable: d, volatile: v } = facts;
    if (!facts.crashed && d.role === 'coordinator' && v.role === 'coordinator') {
      const heard = Object.entries(v.votes).map(([id, vote]) => `${nodeName(Number(id))} ${vote.toUpperCase()}`);
      // 2PC counts no majority: COMMIT needs a YES from every participant.
      const participants = nodes - 1;
      const count = `${heard.length} of ${participants} participants voted; COMMIT needs a YES from all ${participants}`;
      lines.push(heard.length > 0 ? `votes: ${heard.join(', ')} (${count})` : `votes: none yet (${count})`);
      if (v.requests.length > 0 && d.decree === null) lines.push(`asked for: ${v.requests.join(', ')}`);
      if (v.timedOut && d.decision === null) lines.push('timeout fired: without every YES, ABORT is the safe choice');
    }
    if (!facts.crashed && d.role === 'participant' && v.role === 'participant' && v.timedOut && d.outcome === null) {
      lines.push(d.vote === 'yes' ? 'timeout fired: may ask the others what happened' : 'timeout fired: may give up and abort');
    }
    // Nothing is chosen in 2PC: the state line already says committed or aborted.
    return lines;
  },

  summaryLines: (facts) => [twoPhaseState(facts)],

  timeoutUse: 'a 2PC node waits before it may give up',

  // A coordinator and its participants: the roles differ, so each node's is worth a line.
  showRoles: true,

  roleHint: (role, settings) =>
    (role === 'coordinator'
      ? 'Send PREPARE, collect every vote, then log COMMIT (only with every YES) or ABORT.'
      : 'Vote YES or NO on the PREPARE. After YES you are in doubt until the coordinator tells you the outcome.') +
    (settings.noTimeouts ? ' This round has no timeouts: no timer ever fires, so you can only wait for what has not come.' : ''),

  messages: {
    prepare: { colour: 'blue', shape: 'circle', short: 'PREPARE' },
    vote: { colour: 'orange', shape: 'square', short: 'VOTE' },
    decision: { colour: 'green', shape: 'diamond', short: 'DECISION' },
    ask: { colour: 'purple', shape: 'triangle', short: 'ASK' },
    answer: { colour: 'purple', shape: 'hexagon', short: 'ANSWER' },
  },

  reveal: {
    outcome(outcome) {
      if (outcome === 'commit') return 'Decided: COMMIT.';
      if (outcome === 'abort') return 'Decided: ABORT. The transaction did not happen.';
      return 'Nothing was decided: the coordinator never logged a decision.';
    },
    decidedVerb: 'committed',
    decidingEvent: (who) => `${who}, the coordinator, logged COMMIT`,
    // A transaction is committed by the coordinator once every participant voted YES; there is no majority.
    voters(point, nodes) {
      if (nodes === undefined) return point.voters.length > 0 ? ` It had a YES from ${listNames(point.voters)}.` : '';
      if (point.voters.length === nodes - 1) return ` Every participant had voted YES: ${listNames(point.voters)}.`;
      const yes = point.voters.length > 0 ? `only ${listNames(point.voters)}` : 'no participant';
      return ` It had a YES from ${yes}, not from every participant: a rule was broken.`;
    },
    noCommitPoint: (outcome) =>
      outcome === 'abort' ? 'The transaction aborted, so nothing was committed and there is no commit point.' : 'Nothing was committed, so there is no commit point.',
    details: doubtSentences,
    // An ABORT has no commit point: the round's fate was sealed when the coordinator logged its decision.
    decisionTick: (global) => global.protocol.outcomeAt[COORDINATOR] ?? null,
    learnedLine(_nodes, global) {
      const applied = Object.entries(global.protocol.outcomes).map(([id, o]) => `${nodeName(Number(id))} (${o})`);
      return applied.length > 0 ? `Nodes that applied an outcome: ${applied.join(', ')}.` : 'No node learned an outcome.';
    },
    pendingOutcome: (outcome) => `${outcome.toUpperCase()} logged, not yet known to all`,
    groupOutcome: transactionOutcome,
    groupDetails: groupDoubtSentences,
  },
};
