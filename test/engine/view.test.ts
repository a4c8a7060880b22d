import { describe, expect, it } from 'vitest';
import { godView, viewOf, eventsFor } from '../../shared/engine/view';
import { replay } from '../../shared/engine/replay';
import { step } from '../../shared/engine/step';
import { runSeed } from '../../shared/sim/swarm';
import { protocolNames } from '../../shared/protocols';
import { worldFrom } from './helpers';
import { nodesFor } from '../nodes';

describe('a node view holds only what the node can know', () => {
  it('own state in full, other nodes by name and role only', () => {
    const world = worldFrom(['config paxos nodes=3 latency=2-2', 'propose A Apples', 'propose C Pears', 'act A prepare ballot=1', 'tick 2', 'act B promise msg=1']);
    const view = viewOf(world, 2);
    expect(view.self.durable).toEqual(world.nodes[2]!.durable);
    expect(view.peers.map((p) => Object.keys(p).sort())).toEqual([['id', 'name', 'role'], ['id', 'name', 'role'], ['id', 'name', 'role']]);
    const text = JSON.stringify(view);
    // B promised ballot 1.A: C must not see that anywhere.
    expect(text).not.toContain('"promised":{"n":1,"node":0}');
    // A's request is A's volatile state: C must not see it, but sees its own.
    expect(text).not.toContain('Apples');
    expect(text).toContain('Pears');
  });

  it('messages in flight: contents only when sent by or addressed to the node', () => {
    const world = worldFrom(['config paxos nodes=3 latency=3-3', 'propose A X', 'act A prepare ballot=1', 'tick', 'propose B Y']);
    const a = viewOf(world, 0);
    const c = viewOf(world, 2);
    expect(a.inFlight.every((m) => m.payload !== null)).toBe(true);
    const toB = c.inFlight.find((m) => m.to === 1)!;
    expect(toB.payload).toBeNull();
    expect(toB.label).toBeNull();
    const toC = c.inFlight.find((m) => m.to === 2)!;
    expect(toC.label).toBe('PREPARE 1.A');
  });

  it('across whole seeded rounds, no view ever contains another node\'s state or another pair\'s message', () => {
    for (const protocol of protocolNames()) {
      const run = runSeed({ protocol, nodes: nodesFor(protocol, 4), seed: 21, faults: true, safetyTicks: 80, livenessTicks: 300 });
      const worlds = replay(run.world.config, run.log);
      for (let i = 0; i < worlds.length; i += 5) {
        const world = worlds[i]!;
        for (const node of world.nodes) {
          const view = viewOf(world, node.id);
          for (const other of view.inFlight) {
            if (other.from !== node.id && other.to !== node.id) expect(other.payload).toBeNull();
          }
          expect(view.inbox.every((m) => m.to === node.id)).toBe(true);
          const keys = Object.keys(view).sort();
          expect(keys).toEqual(['inFlight', 'inbox', 'kind', 'legal', 'node', 'nodes', 'now', 'peers', 'protocol', 'self', 'settings']);
        }
      }
    }
  });

  it('events: a node sees its own sends and deliveries, never another node\'s', () => {
    const world = worldFrom(['config majority nodes=3 latency=1-1', 'propose A X']);
    const result = step(world, { type: 'act', node: 0, action: { kind: 'vote', decree: 'X' } });
    if (!result.ok) throw new Error(result.rejection.message);
    const delivered = step(result.world, { type: 'tick' });
    if (!delivered.ok) throw new Error(delivered.rejection.message);
    expect(eventsFor(result.events, 1)).toEqual([]);
    expect(eventsFor(result.events, 0).length).toBeGreaterThan(0);
    expect(eventsFor(delivered.events, 1).every((e) => e.message?.to === 1 || e.node === 1)).toBe(true);
    expect(eventsFor(result.events, 'god')).toHaveLength(result.events.length);
  });

  it('the god view sees everything, with the round status', () => {
    const world = worldFrom(['config majority nodes=3 latency=1-1', 'propose A X', 'act A vote decree=X', 'tick', 'act B vote decree=X']);
    const god = godView(world);
    // B's own tally (A's vote and its own) shows the majority; A and C have not heard B's vote yet.
    expect(god.nodes.map((n) => n.learned)).toEqual([[], ['X'], []]);
    expect(god.status.outcome).toBe('X');
    expect(god.global.chosen[0]).toMatchObject({ decree: 'X', node: 1, nodeKnew: true });
  });
});
