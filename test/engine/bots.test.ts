import { describe, expect, it } from 'vitest';
import { botDecide, BOT_KINDS, type BotKind } from '../../shared/bots';
import { Rng } from '../../shared/engine/rng';
import { step } from '../../shared/engine/step';
import type { World } from '../../shared/engine/types';
import { viewOf } from '../../shared/engine/view';
import { createWorld, makeConfig } from '../../shared/engine/world';

/** Drives a round with one kind of bot on every seat; returns how many actions each took. */
function drive(protocol: '2pc' | 'majority' | 'paxos', kind: BotKind, seed: number, ticks: number) {
  let world: World = createWorld(makeConfig(protocol, 5, seed));
  const rng = Rng.fromSeed(seed);
  world = (step(world, { type: 'propose', node: 0, decree: 'X' }) as { world: World }).world;
  let actions = 0;
  const offLegal: string[] = [];
  for (let t = 0; t < ticks; t++) {
    for (const node of world.nodes) {
      const view = viewOf(world, node.id);
      const command = botDecide(kind, view, rng);
      if (!command) continue;
      if (command.type === 'act') {
        actions += 1;
        if (!view.legal.some((a) => JSON.stringify(a) === JSON.stringify(command.action))) offLegal.push(JSON.stringify(command));
      }
      const result = step(world, command);
      expect(result.ok ? null : result.rejection).toBeNull();
      if (result.ok) world = result.world;
    }
    world = (step(world, { type: 'tick' }) as { world: World }).world;
  }
  return { actions, offLegal, world };
}

describe('bots', () => {
  for (const protocol of ['2pc', 'majority', 'paxos'] as const) {
    for (const kind of BOT_KINDS) {
      it(`${kind} bots in ${protocol} choose only legal actions and are never refused`, () => {
        for (let seed = 1; seed <= 5; seed++) expect(drive(protocol, kind, seed, 150).offLegal).toEqual([]);
      });
    }
  }

  it('a slow bot takes longer than an eager one to get a round decided', () => {
    const decidedAt = (kind: BotKind) => {
      let total = 0;
      for (let seed = 1; seed <= 20; seed++) {
        const { world } = drive('paxos', kind, seed, 200);
        const chosen = world.global.chosen[0];
        total += chosen ? chosen.tick : 200;
      }
      return total;
    };
    expect(decidedAt('slow')).toBeGreaterThan(decidedAt('eager'));
  });

  it('a flaky bot crashes and comes back', () => {
    const rng = Rng.fromSeed(3);
    let world = createWorld(makeConfig('paxos', 3, 3));
    let crashes = 0;
    let recoveries = 0;
    for (let t = 0; t < 3000; t++) {
      const command = botDecide('flaky', viewOf(world, 1), rng);
      if (command?.type === 'crash') crashes += 1;
      if (command?.type === 'recover') recoveries += 1;
      if (command && (command.type === 'crash' || command.type === 'recover')) world = (step(world, command) as { world: World }).world;
    }
    expect(crashes).toBeGreaterThan(0);
    expect(recoveries).toBeGreaterThan(0);
  });

  it('is a pure function of view and rng state', () => {
    const world = createWorld(makeConfig('paxos', 5, 1));
    const w = (step(world, { type: 'propose', node: 2, decree: 'X' }) as { world: World }).world;
    const a = Array.from({ length: 50 }, (_, i) => botDecide('eager', viewOf(w, 2), Rng.fromSeed(i)));
    const b = Array.from({ length: 50 }, (_, i) => botDecide('eager', viewOf(w, 2), Rng.fromSeed(i)));
    expect(b).toEqual(a);
    expect(a.some((c) => c !== null)).toBe(true);
  });
});
