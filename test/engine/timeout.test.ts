import { describe, expect, it } from 'vitest';
import { botDecide } from '../../shared/bots';
import { Rng } from '../../shared/engine/rng';
import { step } from '../../shared/engine/step';
import type { Command, RoundConfig, World } from '../../shared/engine/types';
import { roundStatus, viewOf } from '../../shared/engine/view';
import { configProblem, createWorld, makeConfig, timeoutForLatency } from '../../shared/engine/world';
import { runSeed } from '../../shared/sim/swarm';

const SLOW = { latencyMin: 20, latencyMax: 100 };

/** A Paxos round as a room plays it: two clients' requests on two nodes, faithful bots on every seat. */
function roomRound(config: RoundConfig, limit: number): World {
  const rng = Rng.fromSeed(config.seed ^ 0x5eed);
  let world = createWorld(config);
  const apply = (command: Command | null): void => {
    if (!command) return;
    const result = step(world, command);
    if (result.ok) world = result.world;
  };
  const nodes = rng.shuffle([0, 1, 2, 3, 4]);
  apply({ type: 'propose', node: nodes[0]!, decree: 'X' });
  apply({ type: 'propose', node: nodes[1]!, decree: 'Y' });
  while (world.tick < limit && !roundStatus(world).decided) {
    apply({ type: 'tick' });
    for (const node of rng.shuffle([0, 1, 2, 3, 4])) apply(botDecide('faithful', viewOf(world, node), rng, false));
  }
  return world;
}

describe('the timeout', () => {
  it('follows the latency unless the setup names one', () => {
    expect(timeoutForLatency(6)).toBe(30);
    expect(timeoutForLatency(100)).toBe(400);
    expect(makeConfig('paxos', 5, 1, SLOW).settings.timeoutTicks).toBe(400);
    expect(makeConfig('paxos', 5, 1).settings.timeoutTicks).toBe(30);
    expect(makeConfig('paxos', 5, 1, { ...SLOW, timeoutTicks: 250 }).settings.timeoutTicks).toBe(250);
  });

  it('may not be shorter than one round trip at the slowest latency, and the refusal says why', () => {
    expect(configProblem(makeConfig('paxos', 5, 1, { ...SLOW, timeoutTicks: 200 }))).toBeNull();
    const problem = configProblem(makeConfig('paxos', 5, 1, { ...SLOW, timeoutTicks: 30 }));
    expect(problem).toBe(
      'the timeout (30 ticks) is shorter than one round trip at the slowest latency (2 × 100 = 200 ticks): nodes would give up on their ballots and votes before an answer could come back, and the round might never decide',
    );
    expect(configProblem(makeConfig('2pc', 3, 1, { latencyMin: 1, latencyMax: 1, timeoutTicks: 1 }))).toContain('shorter than one round trip');
  });

  it('lets Paxos rounds with latency 20 to 100 decide, seed after seed, as a room\'s bots play them', () => {
    const decidedAt: number[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      const world = roomRound(makeConfig('paxos', 5, seed, { ...SLOW, decrees: ['X', 'Y'] }), 5000);
      expect(roundStatus(world).decided, `seed ${seed}`).toBe(true);
      decidedAt.push(world.tick);
    }
    // Well inside the room's 5000-tick limit.
    expect(Math.max(...decidedAt)).toBeLessThan(2500);
  });

  it('with the old fixed timeout of 30 ticks, most of those rounds never decided', () => {
    let decided = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const world = roomRound(makeConfig('paxos', 5, seed, { ...SLOW, timeoutTicks: 30, decrees: ['X', 'Y'] }), 5000);
      if (roundStatus(world).decided) decided += 1;
    }
    expect(decided).toBeLessThan(5);
  });

  it('lets every kind of bot decide at that latency, in the swarm\'s liveness phase', () => {
    for (let seed = 1; seed <= 15; seed++) {
      const run = runSeed({ protocol: 'paxos', nodes: 5, seed, faults: false, safetyTicks: 0, livenessTicks: 4000, settings: SLOW });
      expect(run.failures, `seed ${seed}`).toEqual([]);
      expect(run.decided).toBe(true);
    }
  });
});
