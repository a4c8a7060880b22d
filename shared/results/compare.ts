/**
 * The groups compared, for a class's reveal: "Groups 1, 3 and 4 decided X. Group 2 split for good:
 * … In group 5, the coordinator's crash left four students blocked in doubt for 40 ticks." Each
 * protocol says what its rounds came to and what else sets one apart (`groupOutcome`,
 * `groupDetails` in its presentation), so every sentence is true of the protocol the groups played.
 */
import type { GroupFacts } from '../engine/protocol';
import { protocolFor } from '../protocols';

/** "Group 2", "Groups 1 and 3", "Groups 1, 3 and 4". */
export function groupsWords(groups: readonly number[]): string {
  if (groups.length === 1) return `Group ${groups[0]}`;
  return `Groups ${groups.slice(0, -1).join(', ')} and ${groups[groups.length - 1]}`;
}

/**
 * The sentences that compare the groups' rounds: first each outcome once, with every group that came
 * to it (in the order of their first group), then what else each group's round tells, group by group.
 */
export function compareGroups(rounds: readonly GroupFacts[]): string[] {
  const ordered = rounds.slice().sort((a, b) => a.group - b.group);
  const outcomes = new Map<string, number[]>();
  for (const facts of ordered) {
    const words = protocolFor(facts.config.protocol).present.reveal.groupOutcome(facts);
    outcomes.set(words, [...(outcomes.get(words) ?? []), facts.group]);
  }
  const sentences = [...outcomes].map(([words, groups]) => `${groupsWords(groups)} ${words}.`);
  for (const facts of ordered) sentences.push(...protocolFor(facts.config.protocol).present.reveal.groupDetails(facts));
  return sentences;
}
