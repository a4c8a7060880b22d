/** The engine's view caches are one object a caller may own: views made with it share their parts, and with another cache share nothing. */
import { describe, expect, it } from 'vitest';
import { replay, runSeed } from '../../shared';
import { godView, sentViewOf, viewOf, ViewCache } from '../../shared/engine/view';

/** Every object anywhere inside a value. */
function objectsIn(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value !== 'object' || value === null || into.has(value)) return into;
  into.add(value);
  for (const inner of Object.values(value)) objectsIn(inner, into);
  return into;
}

describe('view caches', () => {
  // The busiest moment of a round: the most messages in flight.
  const run = runSeed({ protocol: 'paxos', nodes: 5, seed: 3, faults: true });
  const world = replay(run.world.config, run.log).reduce((a, b) => (b.inFlight.length > a.inFlight.length ? b : a));

  it('share the parts of views made with the same cache', () => {
    const views = new ViewCache();
    const a = sentViewOf(world, 0, views);
    const b = sentViewOf(world, 1, views);
    expect(world.inFlight.length).toBeGreaterThan(2);
    // Messages neither node sent nor receives look the same to both: one object.
    const shared = a.inFlight.filter((m, i) => m === b.inFlight[i]);
    expect(shared.length).toBeGreaterThan(0);
    expect(a.peers).toBe(b.peers);
    expect(sentViewOf(world, 0, views).self).toBe(a.self);
    expect(viewOf(world, 2, views).legal).toBe(viewOf(world, 2, views).legal);
  });

  it('share nothing across caches, and make the same views', () => {
    const mine = new ViewCache();
    const theirs = new ViewCache();
    for (const node of world.nodes) {
      const a = viewOf(world, node.id, mine);
      const b = viewOf(world, node.id, theirs);
      expect(a).toEqual(b);
      const inA = objectsIn(a);
      // Only the world's own objects (its settings, the payloads of messages) and frozen constants
      // (a protocol's one empty "learned nothing") may be in both.
      const own = objectsIn(world);
      expect([...objectsIn(b)].filter((o) => inA.has(o) && !own.has(o) && !Object.isFrozen(o))).toEqual([]);
    }
    expect(godView(world, mine)).toEqual(godView(world, theirs));
  });
});
