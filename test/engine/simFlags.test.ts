import { describe, expect, it } from 'vitest';
import { electionPolicy, noSeeds, readSeedFlag, seedCount, wholeNumber, type Fail } from '../../scripts/flags';

/** A `fail` that throws the sentence instead of ending the process. */
const fail: Fail = (message) => {
  throw new Error(message);
};

function read(args: string[]) {
  const flags = noSeeds();
  for (let i = 0; i < args.length; i++) if (!readSeedFlag(args[i]!, () => args[++i], flags, fail)) throw new Error(`not a seed flag: ${args[i]}`);
  return flags;
}

describe('the sim scripts’ shared flags', () => {
  it('read a range of seeds, or exactly one', () => {
    expect(read(['--seeds', '10', '--start', '5'])).toEqual({ seeds: 10, start: 5, single: false });
    expect(read(['--seed', '42'])).toEqual({ seeds: 1, start: 42, single: true });
    expect(seedCount(read(['--seeds', '3']), fail)).toBe(3);
  });

  it('leave other flags to the script', () => {
    const flags = noSeeds();
    expect(readSeedFlag('--nodes', () => '5', flags, fail)).toBe(false);
    expect(flags).toEqual(noSeeds());
  });

  it('refuse what is not a whole number, no seeds at all, and an unknown policy, saying why', () => {
    expect(() => read(['--seeds', '2.5'])).toThrow('--seeds needs a whole number');
    expect(() => read(['--seed'])).toThrow('--seed needs a whole number');
    expect(() => seedCount(noSeeds(), fail)).toThrow('--seeds must be at least 1');
    expect(() => seedCount(read(['--seeds', '0']), fail)).toThrow('--seeds must be at least 1');
    expect(() => wholeNumber('--steps', '-3', fail)).toThrow('--steps needs a whole number');
    expect(electionPolicy('naive', fail)).toBe('naive');
    expect(() => electionPolicy('fastest', fail)).toThrow('--election must be naive or ranked');
  });
});
