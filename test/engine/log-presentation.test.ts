/**
 * The strips of a log (`present.log`), as the canvas, the panels and the god view's grid draw them:
 * each slot's state worked out from what the node itself remembers.
 */
import { describe, expect, it } from 'vitest';
import type { LogCell, NodeFacts } from '../../shared/engine/protocol';
import type { World } from '../../shared/engine/types';
import { allProtocols, protocolFor } from '../../shared/protocols';
import { commandOf, mustStep, playedRound, worldFrom } from './helpers';
import { nodesFor } from '../nodes';

function facts(world: World, id: number): NodeFacts {
  const n = world.nodes[id]!;
  const protocol = protocolFor(world.config.protocol);
  return { role: protocol.roleOf(world.config, id), crashed: n.crashed, durable: n.durable, volatile: n.volatile, timers: n.timers, learned: protocol.learned(n) };
}

function cells(world: World, id: number): LogCell[] {
  return protocolFor(world.config.protocol).present.log!.cells(facts(world, id));
}

const states = (world: World, id: number) => cells(world, id).map((c) => `${c.state}${c.value === null ? '' : ` ${c.value}`}`);

describe('votelog\'s strip', () => {
  it('is empty before a vote, holds a vote as accepted, and a slot learned in order as applied', () => {
    let world = worldFrom(['config votelog nodes=3 latency=1-1', 'propose A x=1', 'propose B x=2']);
    expect(cells(world, 0)).toEqual([]);
    world = mustStep(world, commandOf('act A vote slot=0 decree=x=1')).world;
    expect(cells(world, 0)).toEqual([{ slot: 0, state: 'accepted', value: 'x=1' }]);
    // B has not voted: nothing in its log yet.
    expect(cells(world, 1)).toEqual([]);
    for (const line of ['act B vote slot=0 decree=x=2', 'tick', 'act C vote slot=0 decree=x=1', 'tick']) world = mustStep(world, commandOf(line)).world;
    // Slot 1 chose x=1; B voted x=2 there but learned x=1, which it applied.
    expect(states(world, 1)).toEqual(['applied x=1']);
    for (const line of ['act B vote slot=1 decree=x=2']) world = mustStep(world, commandOf(line)).world;
    expect(states(world, 1)).toEqual(['applied x=1', 'accepted x=2']);
    expect(protocolFor('votelog').present.log!.leader(facts(world, 1))).toBeNull();
  });

  it('shows a slot learned before the one ahead of it as chosen, and both applied once the hole fills', () => {
    // Five voters; D hears slot 1's votes late and slot 2's at once (the case votelog.test.ts tells in words).
    let world = worldFrom(['config votelog nodes=5 latency=1-1', 'propose A x=1', 'propose E x=2', 'act A vote slot=0 decree=x=1']);
    const holdD = (w: World): World => {
      for (const m of w.inFlight.filter((m) => m.to === 3 && (m.payload as unknown as { slot: number }).slot === 0)) w = mustStep(w, { type: 'delay', id: m.id, ticks: 30 }).world;
      return w;
    };
    world = holdD(world);
    for (const line of ['tick', 'act B vote slot=0 decree=x=1', 'act C vote slot=0 decree=x=1', 'tick', 'act E vote slot=1 decree=x=2', 'tick', 'act B vote slot=1 decree=x=2', 'act C vote slot=1 decree=x=2', 'tick']) {
      world = holdD(mustStep(world, commandOf(line)).world);
    }
    expect(states(world, 3)).toEqual(['empty', 'chosen x=2']);
    while ((world.nodes[3]!.durable as { learned: (string | null)[] }).learned[0] == null) world = mustStep(world, { type: 'tick' }).world;
    expect(states(world, 3)).toEqual(['applied x=1', 'applied x=2']);
  });
});

describe('one machine\'s strip', () => {
  it('shows a written entry as chosen (committed) until it is applied, and a crash\'s lost memory as nothing applied', () => {
    let world = worldFrom(['config machine nodes=1 latency=1-1', 'propose A deposit', 'propose A withdraw']);
    expect(cells(world, 0)).toEqual([]);
    for (const line of ['act A write update=deposit', 'act A write update=withdraw', 'act A apply update=deposit']) world = mustStep(world, commandOf(line)).world;
    expect(states(world, 0)).toEqual(['applied deposit', 'chosen withdraw']);
    world = mustStep(world, commandOf('crash A')).world;
    expect(states(world, 0)).toEqual(['chosen deposit', 'chosen withdraw']);
    world = mustStep(world, commandOf('recover A')).world;
    // Recovery replays the whole log.
    expect(states(world, 0)).toEqual(['applied deposit', 'applied withdraw']);
  });
});

describe('every protocol that keeps a log', () => {
  it('numbers its cells from slot 0, one per slot, and ends on a slot that holds something, all through played rounds', () => {
    const logs = allProtocols().filter((p) => p.present.log);
    expect(logs.map((p) => p.name)).toEqual(expect.arrayContaining(['votelog', 'machine']));
    for (const p of logs) {
      let seen = 0;
      // Multi-Paxos's first election waits a whole timeout: a short one, so that its logs fill within the round.
      const settings = p.name === 'multipaxos' ? { timeoutTicks: 8 } : {};
      for (const world of playedRound(p.name, 11, 300, settings, nodesFor(p.name, 5))) {
        for (const node of world.nodes) {
          const strip = cells(world, node.id);
          strip.forEach((c, i) => expect(c.slot).toBe(i));
          if (strip.length > 0) {
            expect(strip[strip.length - 1]!.state).not.toBe('empty');
            seen += 1;
          }
          // Applied cells come first, in order, with no gap.
          const firstNotApplied = strip.findIndex((c) => c.state !== 'applied');
          if (firstNotApplied >= 0) expect(strip.slice(firstNotApplied).some((c) => c.state === 'applied'), p.name).toBe(false);
        }
      }
      expect(seen, p.name).toBeGreaterThan(0);
    }
  });
});
