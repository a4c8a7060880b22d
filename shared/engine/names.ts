import type { NodeId } from './types';

const LETTERS = 'ABCDEFGHI';

/** Players see nodes as letters: node 0 is A. */
export function nodeName(id: NodeId): string {
  return LETTERS[id] ?? `#${id}`;
}

export function nodeIdFromName(name: string): NodeId | null {
  const i = LETTERS.indexOf(name.toUpperCase());
  return name.length === 1 && i >= 0 ? i : null;
}

/** The smallest number of nodes that is more than half of n: floor(n/2)+1. */
export function majorityOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

export function listNames(ids: readonly NodeId[]): string {
  const names = ids.map(nodeName);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * A count out of every node, the same way everywhere (panels, event log): "2 of 5 votes; 3 make a
 * majority", or "3 of 5 votes, a majority". Never "4 of 3".
 */
export function tallyWords(count: number, nodes: number, noun: string): string {
  const need = majorityOf(nodes);
  return count >= need ? `${count} of ${nodes} ${noun}, a majority` : `${count} of ${nodes} ${noun}; ${need} make a majority`;
}

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** A count in words, as a sentence says it: "no ballot", "one student", "four students", "13 students". */
export function countWords(count: number, singular: string, plural = `${singular}s`): string {
  const number = NUMBER_WORDS[count] ?? String(count);
  return `${number} ${count === 1 || count === 0 ? singular : plural}`;
}
