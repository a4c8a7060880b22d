import { describe, expect, it } from 'vitest';
import { BOT_KINDS, botDecide, createWorld, makeConfig, Rng, step, viewOf, type Command, type NodeView, type World } from '../../shared';
import type { ViewFrame } from '../../shared/wire/messages';
import { applyNodePatch, diffNodeView, sameValue, ViewAssembler } from '../../shared/wire/viewPatch';

/** A busy round: bots of every kind acting, ticks, new requests, and an instructor crashing nodes and meddling with messages. */
function* busyRound(protocol: '2pc' | 'majority' | 'paxos', seed: number, steps: number): Generator<World> {
  const rng = Rng.fromSeed(seed);
  const nodes = 5;
  let world = createWorld(makeConfig(protocol, nodes, seed, { latencyMin: 1, latencyMax: 4, sandbox: false, gossip: false, decrees: ['X', 'Y'] }));
  const apply = (command: Command | null): void => {
    if (!command) return;
    const result = step(world, command);
    if (result.ok) world = result.world;
  };
  apply({ type: 'propose', node: 0, decree: 'X' });
  if (protocol !== '2pc') apply({ type: 'propose', node: 1, decree: 'Y' });
  for (let i = 0; i < steps; i++) {
    const roll = rng.int(0, 99);
    const message = world.inFlight[rng.int(0, Math.max(0, world.inFlight.length - 1))];
    if (roll < 30) apply({ type: 'tick' });
    else if (roll < 78) apply(botDecide(BOT_KINDS[rng.int(0, BOT_KINDS.length - 1)]!, viewOf(world, rng.int(0, nodes - 1)), rng, false));
    else if (roll < 80) apply({ type: 'propose', node: rng.int(0, nodes - 1), decree: rng.chance(0.5) ? 'X' : 'Y' });
    else if (roll < 84 && message) apply({ type: 'delay', id: message.id, ticks: rng.int(1, 3) });
    else if (roll < 88 && message) apply({ type: 'duplicate', id: message.id });
    else if (roll < 91 && message) apply({ type: 'drop', id: message.id });
    else if (roll < 94 && message) apply({ type: 'deliver', id: message.id });
    else if (roll < 96) apply({ type: 'crash', node: rng.int(0, nodes - 1) });
    else apply({ type: 'recover', node: rng.int(0, nodes - 1) });
    yield world;
  }
}

describe('view patches', () => {
  for (const protocol of ['2pc', 'majority', 'paxos'] as const) {
    it(`rebuild every node's view exactly, step after step, in a busy ${protocol} round`, () => {
      let patches = 0;
      let smaller = 0;
      let inboxChanges = 0;
      for (const seed of [1, 2, 3]) {
        let last: NodeView[] | null = null;
        for (const world of busyRound(protocol, seed, 300)) {
          const views = world.nodes.map((n) => viewOf(world, n.id));
          if (last) {
            for (const [i, view] of views.entries()) {
              const patch = diffNodeView(last[i]!, view);
              expect(applyNodePatch(last[i]!, patch)).toEqual(view);
              patches += 1;
              if (patch.inbox) inboxChanges += 1;
              if (JSON.stringify(patch).length < JSON.stringify(view).length / 2) smaller += 1;
            }
          }
          last = views;
        }
      }
      expect(patches).toBe(3 * 299 * 5);
      // The point of patching: most updates are well under half a whole view.
      expect(smaller / patches).toBeGreaterThan(0.8);
      // Answering one message of several, or receiving one, sends that change rather than the inbox.
      // (A majority-vote node answers its inbox all at once by voting, so these rounds seldom show one.)
      if (protocol !== 'majority') expect(inboxChanges).toBeGreaterThan(0);
    });
  }

  it('names only what changed', () => {
    const steps = [...busyRound('paxos', 9, 40)];
    const before = viewOf(steps[38]!, 2);
    expect(diffNodeView(before, before)).toEqual({ set: {}, add: [], drop: [] });
    const later = { ...before, now: before.now + 1, inFlight: before.inFlight.slice(1) };
    const patch = diffNodeView(before, later);
    expect(patch.set).toEqual({ now: before.now + 1 });
    expect(patch.drop).toEqual(before.inFlight.length > 0 ? [before.inFlight[0]!.id] : []);
    expect(patch.add).toEqual([]);
  });

  it('compares values by structure', () => {
    expect(sameValue({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameValue([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameValue({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(sameValue(null, {})).toBe(false);
  });

  it('an assembler needs a whole view before it can apply a patch', () => {
    const world = [...busyRound('majority', 4, 10)].at(-1)!;
    const view = viewOf(world, 1);
    const frame = (v: Partial<ViewFrame>): ViewFrame =>
      ({ round: { id: null, phase: 'running', protocol: 'majority', nodes: 5, speed: 1, tick: 0, sandbox: false }, events: [], lastSeq: 0, ...v }) as ViewFrame;
    const assembler = new ViewAssembler();
    expect(() => assembler.accept(frame({ patch: { set: {}, add: [], drop: [] } }))).toThrow(/before any node view/);
    expect(assembler.accept(frame({ view })).view).toBe(view);
    const next = { ...view, now: view.now + 3 };
    expect(assembler.accept(frame({ patch: diffNodeView(view, next), accepted: 4 }))).toMatchObject({ view: next, accepted: 4 });
  });
});
