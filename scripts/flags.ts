/**
 * The flags the sim scripts share: a whole number, the seeds to run (`--seeds S`, `--start K`, or
 * `--seed K` for exactly one) and an election policy. A bad value ends the script with the sentence,
 * the script's usage and exit code 2.
 */
import { ELECTION_POLICIES, type ElectionPolicy } from '../shared/engine/types';

export type Fail = (message: string) => never;

/** A `fail` that prints the sentence and this usage to stderr and exits with code 2. */
export function failWith(usage: string): Fail {
  return (message) => {
    process.stderr.write(`${message}\n\n${usage}`);
    process.exit(2);
  };
}

export function wholeNumber(flag: string, value: string | undefined, fail: Fail): number {
  if (value === undefined || !/^\d+$/.test(value)) fail(`${flag} needs a whole number`);
  return Number(value);
}

/** The seeds given so far: `seeds` from `start` on; `single` when `--seed K` named exactly one. */
export interface SeedFlags {
  seeds: number | undefined;
  start: number;
  single: boolean;
}

export const noSeeds = (): SeedFlags => ({ seeds: undefined, start: 0, single: false });

/** Reads `--seeds`, `--start` or `--seed` (taking its value from `next`); false for any other flag. */
export function readSeedFlag(flag: string, next: () => string | undefined, into: SeedFlags, fail: Fail): boolean {
  switch (flag) {
    case '--seeds':
      into.seeds = wholeNumber(flag, next(), fail);
      return true;
    case '--start':
      into.start = wholeNumber(flag, next(), fail);
      return true;
    case '--seed':
      into.start = wholeNumber(flag, next(), fail);
      into.seeds = 1;
      into.single = true;
      return true;
    default:
      return false;
  }
}

/** How many seeds to run: at least one must have been asked for. */
export function seedCount(flags: SeedFlags, fail: Fail): number {
  if (flags.seeds === undefined || flags.seeds < 1) fail('--seeds must be at least 1');
  return flags.seeds;
}

export function electionPolicy(value: string | undefined, fail: Fail): ElectionPolicy {
  if (!(ELECTION_POLICIES as readonly (string | undefined)[]).includes(value)) fail(`--election must be ${ELECTION_POLICIES.join(' or ')}`);
  return value as ElectionPolicy;
}
