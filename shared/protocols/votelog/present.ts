/** How a log decided by majority vote is shown: each slot's locked vote and tally, the log a node applied, and the reveal's words. */
import { listNames, tallyWords } from '../../engine/names';
import type { GroupFacts, LogCell, Presentation } from '../../engine/protocol';
import { chosenDecreeReveal, playersWords } from '../common';
import { applied, ballotOf, openSlot, slotWords, waiting, type VotelogDurable, type VotelogPayload, type VotelogVolatile } from './state';

/** The slots a node has anything to show for: voted, learned or heard of. */
function slotsOf(d: VotelogDurable, v: VotelogVolatile): number[] {
  const n = Math.max(d.votes.length, d.learned.length, v.ballots.length, openSlot(d.learned) + 1);
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * The log a node applied, and, when every update sets a variable ("x=2"), the state it leaves: what
 * applying in the log's order comes to.
 */
function logLines(d: VotelogDurable): string[] {
  const log = applied(d.learned);
  if (log.length === 0) return ['applied: nothing yet'];
  const lines = [`applied: ${log.join(', ')}`];
  const sets = log.map((u) => /^\s*(\w+)\s*=\s*(.+)$/.exec(u));
  if (sets.every((m) => m !== null)) {
    const state = new Map<string, string>();
    for (const m of sets) state.set(m![1]!, m![2]!.trim());
    lines.push(`so ${[...state].map(([k, v]) => `${k} = ${v}`).join(', ')}`);
  }
  return lines;
}

/** What a group's round came to, node by node: those whose applied log is not the decided log. */
function unappliedSentences(facts: GroupFacts<VotelogDurable, VotelogVolatile>): string[] {
  if (facts.outcome === null) return [];
  const behind = facts.nodes.filter((n) => applied(n.durable.learned).join(', ') !== facts.outcome).map((n) => n.id);
  if (behind.length === 0) return [];
  return [`In group ${facts.group}, the log ${facts.outcome} was decided, but ${playersWords(behind, facts.students)} never applied all of it.`];
}

/**
 * A node's log as its strip shows it: a slot it learned is applied when every slot before it is
 * learned too, else chosen (it waits for the hole before it); a slot it voted in without learning
 * holds its vote, accepted; up to the last slot that holds anything.
 */
function logCells(d: VotelogDurable): LogCell[] {
  const length = Math.max(d.votes.length, d.learned.length);
  let end = length;
  while (end > 0 && d.votes[end - 1] == null && d.learned[end - 1] == null) end -= 1;
  const open = openSlot(d.learned);
  return Array.from({ length: end }, (_, slot): LogCell => {
    const learned = d.learned[slot];
    if (learned != null) return { slot, state: slot < open ? 'applied' : 'chosen', value: learned };
    const vote = d.votes[slot];
    return vote != null ? { slot, state: 'accepted', value: vote } : { slot, state: 'empty', value: null };
  });
}

const decreeReveal = chosenDecreeReveal((who) => `${who}'s vote was cast`);

export const votelogPresentation: Presentation<VotelogDurable, VotelogVolatile, VotelogPayload> = {
  stateLines({ durable: d, volatile: v, crashed }, nodes) {
    const lines: string[] = [];
    for (const slot of slotsOf(d, v)) {
      const vote = d.votes[slot];
      const learned = d.learned[slot];
      const parts = [vote != null ? `voted ${vote} (locked)` : 'not voted'];
      if (learned != null) parts.push(`learned ${learned}`);
      if (!crashed && learned == null) {
        const ballot = ballotOf(v, slot);
        const tally = Object.entries(ballot.tally).map(([decree, voters]) => `${decree}: ${listNames(voters)} (${tallyWords(voters.length, nodes, 'votes')})`);
        if (tally.length > 0) parts.push(`tally ${tally.join('; ')}`);
        if (ballot.candidates.length > 0) parts.push(`candidates ${ballot.candidates.join(', ')}`);
      }
      lines.push(`${slotWords(slot)}: ${parts.join(', ')}`);
    }
    lines.push(...logLines(d));
    const held = waiting(d.learned);
    if (held.length > 0) lines.push(`learned but waiting for ${slotWords(openSlot(d.learned))}: ${held.map(slotWords).join(', ')}`);
    if (!crashed && v.requests.length > 0) lines.push(`requests not in the log yet: ${v.requests.join(', ')}`);
    return lines;
  },

  summaryLines({ durable: d, volatile: v, crashed }) {
    const slot = openSlot(d.learned);
    const vote = d.votes[slot];
    const lines = [`${slotWords(slot)}: ${vote != null ? `voted ${vote}` : 'not voted'}`];
    const tally = Object.entries(ballotOf(v, slot).tally);
    if (!crashed && tally.length > 0) lines.push(`tally ${tally.map(([k, voters]) => `${k}:${voters.length}`).join(' ')}`);
    lines.push(`log ${applied(d.learned).join(' ') || '-'}`);
    return lines;
  },

  // Every node is a voter.
  showRoles: false,

  roleHint: () =>
    'Vote once in each slot, one slot after another; each vote is locked. An update is chosen in a slot when a majority votes for it there, and you learn it from your own tally. You apply slot after slot, in order.',

  messages: {
    candidate: { colour: 'blue', shape: 'circle', short: 'CANDIDATE' },
    vote: { colour: 'orange', shape: 'square', short: 'VOTE' },
  },

  slotName: slotWords,

  // A leaderless log: every node votes in every slot, so no node believes in a leader.
  log: { cells: ({ durable }) => logCells(durable), leader: () => null },

  reveal: {
    ...decreeReveal,
    outcome(outcome, stuck) {
      if (outcome) return `Decided, in this order: ${outcome}.`;
      return stuck ? 'The log stopped growing: the vote in one slot split, and locked votes cannot change.' : 'Not every update reached the log.';
    },
    // The round's fate is sealed when its last slot is chosen.
    decisionTick: (global) => (global.chosen.length > 0 ? Math.max(...global.chosen.map((c) => c.tick)) : null),
    pendingOutcome: (outcome) => `decided ${outcome}, not yet applied by all`,
    groupOutcome(facts) {
      if (facts.outcome !== null) return `decided the log ${facts.outcome}`;
      return facts.stuck ? 'stopped for good: a slot split, and locked votes cannot change' : 'did not get every update into the log';
    },
    groupDetails: unappliedSentences,
  },
};
