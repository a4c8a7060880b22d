import { describe, expect, it } from 'vitest';
import type { ProtocolName } from '../../shared/engine/types';
import { reproduceCommand, runSeed, type SwarmOptions } from '../../shared/sim/swarm';

/**
 * The swarm inside `npm test`: 2,000 seeds per protocol, cluster sizes 3 to 9, with bots, drops,
 * duplicates, delays, crashes, recoveries and partitions; invariants after every step; then a
 * liveness phase. `npm run sim` runs the same thing at larger scale.
 */
const SEEDS = 2000;

function swarm(protocol: ProtocolName): void {
  it(`${protocol}: ${SEEDS} seeds with faults keep every invariant`, () => {
    let decided = 0;
    let stuck = 0;
    const failures: string[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const options: SwarmOptions = { protocol, nodes: 3 + (seed % 7), seed, faults: true };
      const result = runSeed(options);
      if (result.decided) decided += 1;
      if (result.stuck) stuck += 1;
      if (result.failures.length > 0) {
        const f = result.failures[0]!;
        failures.push(`seed ${seed}: ${f.code} at step ${f.step} (${JSON.stringify(f.command)}): ${f.message}\n  reproduce with: ${reproduceCommand(options)}`);
      }
    }
    expect(failures, failures.slice(0, 5).join('\n')).toEqual([]);
    // The runs do reach decisions (and for majority vote, sometimes a split): the swarm is not idling.
    expect(decided).toBeGreaterThan(SEEDS * (protocol === 'majority' ? 0.4 : 0.99));
    if (protocol === 'majority') expect(stuck).toBeGreaterThan(0);
  });
}

describe('swarm', () => {
  swarm('2pc');
  swarm('majority');
  swarm('paxos');

  it('names the seed and the command line that reproduces a failure', () => {
    expect(reproduceCommand({ protocol: 'paxos', nodes: 5, seed: 42, faults: true })).toBe(
      'npm run sim -- --protocol paxos --nodes 5 --seed 42 --faults',
    );
  });

  it('sees a violation when one is there: sandbox bots are not the swarm, but a broken world is caught', async () => {
    const { checkInvariants } = await import('../../shared/invariants');
    const run = runSeed({ protocol: 'paxos', nodes: 3, seed: 5, faults: false });
    const chosen = run.world.global.chosen[0]!;
    const forged = { ...run.world, global: { ...run.world.global, chosen: [...run.world.global.chosen, { ...chosen, decree: 'FORGED' }] } };
    expect(checkInvariants(run.world, forged).map((b) => b.code)).toEqual(expect.arrayContaining(['agreement', 'validity']));
  });
});

describe('swarm regressions', () => {
  // Seeds that once failed, pinned after their fix.
  it('(regression) paxos seed 132 on 9 nodes: valueless nodes no longer duel the real proposer forever', () => {
    const result = runSeed({ protocol: 'paxos', nodes: 9, seed: 132, faults: true });
    expect(result.failures).toEqual([]);
    expect(result.decided).toBe(true);
  });

  it('(regression) paxos seed 7 on 3 nodes: a request lost in a crash is asked for again', () => {
    const result = runSeed({ protocol: 'paxos', nodes: 3, seed: 7, faults: true });
    expect(result.failures).toEqual([]);
    expect(result.decided).toBe(true);
  });

  for (const seed of [4465, 6946]) {
    it(`(regression) paxos seed ${seed} on 9 nodes: a learning ballot that finds nothing accepted is not retried`, () => {
      const result = runSeed({ protocol: 'paxos', nodes: 9, seed, faults: true });
      expect(result.failures).toEqual([]);
      expect(result.decided).toBe(true);
    });
  }

  it('(regression) 2pc seed 3 on 6 nodes: a COMMIT decision is recorded as the commit point', () => {
    const result = runSeed({ protocol: '2pc', nodes: 6, seed: 3, faults: true });
    expect(result.failures).toEqual([]);
  });
});
