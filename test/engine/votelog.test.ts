/**
 * Majority vote, slot by slot: each slot of the log is a majority vote by majority vote's own rules,
 * a node votes in the first slot it has not learned, and applies a slot only once every slot before it
 * is learned.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../shared/engine/types';
import { protocolFor } from '../../shared/protocols';
import { applied, type VotelogDurable, type VotelogVolatile } from '../../shared/protocols/votelog';
import { runSeed } from '../../shared/sim/swarm';
import { mustStep, worldFrom, commandOf } from './helpers';

const votelog = protocolFor('votelog');
const durable = (world: World, id: number): VotelogDurable => world.nodes[id]!.durable as VotelogDurable;
const stateLines = (world: World, id: number): string[] => {
  const n = world.nodes[id]!;
  return votelog.present.stateLines({ role: 'voter', crashed: n.crashed, durable: n.durable, volatile: n.volatile, timers: n.timers, learned: votelog.learned(n) }, world.config.nodes);
};

/** Three voters; x=1 at A and x=2 at B. A and B vote for their own in slot 1; C's messages from A are still on their way. */
const START = ['config votelog nodes=3 latency=1-1', 'propose A x=1', 'propose B x=2', 'act A vote slot=0 decree=x=1', 'act B vote slot=0 decree=x=2'];

describe('majority vote, slot by slot', () => {
  it('decides slot 1 by majority, then the loser is a candidate again in slot 2, and every node applies both in the same order', () => {
    let world = worldFrom([...START, 'tick', 'act C vote slot=0 decree=x=1', 'tick']);
    expect(world.global.chosen.map((c) => [c.slot, c.decree, c.node])).toEqual([[0, 'x=1', 2]]);
    // B lost slot 1; its client's x=2 is now its candidate in slot 2.
    expect(votelog.legalActions({ now: world.tick, config: world.config, node: world.nodes[1]! } as never)).toContainEqual({ kind: 'vote', slot: 1, decree: 'x=2' });
    for (const line of ['act B vote slot=1 decree=x=2', 'tick', 'act A vote slot=1 decree=x=2', 'tick', 'tick']) world = mustStep(world, commandOf(line)).world;
    expect(world.global.chosen.map((c) => [c.slot, c.decree])).toEqual([
      [0, 'x=1'],
      [1, 'x=2'],
    ]);
    for (const id of [0, 1, 2]) expect(applied(durable(world, id).learned)).toEqual(['x=1', 'x=2']);
    expect(votelog.status(world)).toEqual({ decided: true, outcome: 'x=1, x=2' });
    expect(stateLines(world, 2)).toContain('applied: x=1, x=2');
    expect(stateLines(world, 2)).toContain('so x = 2');
  });

  it('keeps a slot learned out of order waiting, and says so', () => {
    // Five voters. Slot 1 is decided by A, B and C; D hears of slot 1 only late, but hears slot 2's votes at once.
    const five = ['config votelog nodes=5 latency=1-1', 'propose A x=1', 'propose E x=2', 'act A vote slot=0 decree=x=1'];
    let world = worldFrom(five);
    const holdD = (w: World): World => {
      for (const m of w.inFlight.filter((m) => m.to === 3 && (m.payload as unknown as { slot: number }).slot === 0)) w = mustStep(w, { type: 'delay', id: m.id, ticks: 30 }).world;
      return w;
    };
    world = holdD(world);
    for (const line of ['tick', 'act B vote slot=0 decree=x=1', 'act C vote slot=0 decree=x=1']) world = holdD(mustStep(world, commandOf(line)).world);
    for (const line of ['tick', 'act E vote slot=1 decree=x=2', 'tick', 'act B vote slot=1 decree=x=2', 'act C vote slot=1 decree=x=2', 'tick']) {
      const result = mustStep(world, commandOf(line));
      world = holdD(result.world);
      const learned = result.events.find((e) => e.type === 'learned' && e.node === 3);
      if (learned) expect(learned.text).toBe('D learned that x=2 is chosen in slot 2 (its tally shows 3 of 5 votes, a majority); it cannot apply it before slot 1 is decided.');
    }
    expect(durable(world, 3).learned).toEqual([null, 'x=2']);
    expect(applied(durable(world, 3).learned)).toEqual([]);
    expect(stateLines(world, 3)).toContain('learned but waiting for slot 1: slot 2');
    // D cannot vote in slot 2, though it learned it: it votes in slot 1 first.
    expect(votelog.check({ now: world.tick, config: world.config, node: world.nodes[3]! } as never, { kind: 'vote', slot: 1, decree: 'x=2' })).toMatchObject({ code: 'slot-ahead' });
    // Slot 1's votes arrive: D applies x=1, then x=2.
    while (durable(world, 3).learned[0] == null) world = mustStep(world, { type: 'tick' }).world;
    expect(applied(durable(world, 3).learned)).toEqual(['x=1', 'x=2']);
  });

  it('splits a slot for good when no update can reach a majority there, and the log stops', () => {
    const world = worldFrom([
      'config votelog nodes=3 latency=1-1',
      'propose A X',
      'propose B Y',
      'propose C Z',
      'act A vote slot=0 decree=X',
      'act B vote slot=0 decree=Y',
      'act C vote slot=0 decree=Z',
    ]);
    expect(world.global.stuck).toBe(true);
    expect(votelog.present.reveal.outcome(null, true)).toBe('The log stopped growing: the vote in one slot split, and locked votes cannot change.');
  });

  it('counts its own locked votes again after a crash, and forgets the rest', () => {
    let world = worldFrom([...START, 'tick']);
    expect((world.nodes[0]!.volatile as VotelogVolatile).ballots[0]!.tally).toEqual({ 'x=1': [0], 'x=2': [1] });
    for (const c of ['crash A', 'recover A']) world = mustStep(world, commandOf(c)).world;
    expect((world.nodes[0]!.volatile as VotelogVolatile).ballots[0]!.tally).toEqual({ 'x=1': [0] });
    expect(durable(world, 0).votes).toEqual(['x=1']);
  });

  it('catches an update chosen in two slots', () => {
    const world = worldFrom([...START, 'tick', 'act C vote slot=0 decree=x=1', 'tick']);
    const twice = { ...world, global: { ...world.global, chosen: [...world.global.chosen, { ...world.global.chosen[0]!, slot: 1 }] } };
    expect(votelog.invariants(twice)).toEqual([{ code: 'chosen-twice', message: "x=1 is chosen in slot 1 and again in slot 2 (C's vote): every node would apply it twice." }]);
    expect(votelog.invariants(world)).toEqual([]);
  });

  it('keeps every invariant over 40 seeds with faults, deciding logs and splitting some, and breaks only what a broken rule lets break in sandbox', () => {
    let decided = 0;
    let stuck = 0;
    for (let seed = 0; seed < 40; seed++) {
      const run = runSeed({ protocol: 'votelog', nodes: 3 + (seed % 7), seed, faults: true, settings: {} });
      expect(run.failures, `seed ${seed}`).toEqual([]);
      expect(run.rulesBroken).toBe(0);
      if (run.decided) decided += 1;
      if (run.stuck) stuck += 1;
      // Every node that applied anything applied a prefix of the one log.
      const log = Array.from({ length: 16 }, (_, slot) => run.world.global.chosen.find((c) => c.slot === slot)?.decree ?? null);
      for (const node of run.world.nodes) applied((node.durable as VotelogDurable).learned).forEach((u, slot) => expect(u).toBe(log[slot]));
    }
    expect(decided).toBeGreaterThan(12);
    expect(stuck).toBeGreaterThan(0);
    for (let seed = 0; seed < 20; seed++) {
      const run = runSeed({ protocol: 'votelog', nodes: 3 + (seed % 7), seed, faults: true, settings: { sandbox: true } });
      expect(run.failures, `sandbox seed ${seed}`).toEqual([]);
    }
  });
});
