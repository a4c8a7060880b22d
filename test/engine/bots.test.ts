import { describe, expect, it } from 'vitest';
import { botDecide, BOT_KINDS, type BotKind } from '../../shared/bots';
import { Rng } from '../../shared/engine/rng';
import { step } from '../../shared/engine/step';
import type { ProtocolName, World } from '../../shared/engine/types';
import { roundStatus, viewOf } from '../../shared/engine/view';
import { createWorld, makeConfig } from '../../shared/engine/world';
import { protocolFor, protocolNames } from '../../shared/protocols';
import { nodesFor } from '../nodes';

/** Drives a round with one kind of bot on every seat; returns what they did. */
function drive(protocol: ProtocolName, kind: BotKind, seed: number, ticks: number) {
  const config = makeConfig(protocol, nodesFor(protocol, 5), seed);
  let world: World = createWorld(config);
  const rng = Rng.fromSeed(seed);
  for (const request of protocolFor(protocol).clients.openingRequests(['X'], config, rng)) {
    world = (step(world, { type: 'propose', ...request }) as { world: World }).world;
  }
  let actions = 0;
  const actors = new Set<number>();
  const offLegal: string[] = [];
  for (let t = 0; t < ticks; t++) {
    for (const node of world.nodes) {
      const view = viewOf(world, node.id);
      const command = botDecide(kind, view, rng);
      if (!command) continue;
      if (command.type === 'act') {
        actions += 1;
        actors.add(command.node);
        if (!view.legal.some((a) => JSON.stringify(a) === JSON.stringify(command.action))) offLegal.push(JSON.stringify(command));
      }
      const result = step(world, command);
      expect(result.ok ? null : result.rejection).toBeNull();
      if (result.ok) world = result.world;
    }
    world = (step(world, { type: 'tick' }) as { world: World }).world;
  }
  return { actions, actors, offLegal, world };
}

describe('bots', () => {
  it('play every registered protocol', () => {
    expect(protocolNames().length).toBeGreaterThanOrEqual(3);
  });

  for (const protocol of protocolNames()) {
    for (const kind of BOT_KINDS) {
      it(`${kind} bots in ${protocol} act, choose only legal actions, are never refused, and get rounds decided`, () => {
        const actors = new Set<number>();
        let decided = 0;
        for (let seed = 1; seed <= 5; seed++) {
          const run = drive(protocol, kind, seed, 150);
          expect(run.offLegal).toEqual([]);
          expect(run.actions).toBeGreaterThan(0);
          for (const node of run.actors) actors.add(node);
          if (roundStatus(run.world).outcome !== null) decided += 1;
        }
        // Every seat acted in some round: no bot sits idle while its node has something to do.
        expect([...actors].sort()).toEqual(Array.from({ length: nodesFor(protocol, 5) }, (_, i) => i));
        expect(decided).toBeGreaterThanOrEqual(3);
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
