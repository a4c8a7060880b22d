import { describe, expect, it } from 'vitest';
import { botDecide } from '../../shared/bots';
import { Rng } from '../../shared/engine/rng';
import { step } from '../../shared/engine/step';
import { roundOver, roundStatus, viewOf } from '../../shared/engine/view';
import { createWorld, makeConfig } from '../../shared/engine/world';
import type { Command, World } from '../../shared/engine/types';
import type { MajorityVolatile } from '../../shared/protocols/majority';
import { protocolFor, protocolNames } from '../../shared/protocols';
import { commandOf, mustStep, worldFrom } from './helpers';
import { nodesFor } from '../nodes';

const then = (world: World, line: string): World => mustStep(world, commandOf(line)).world;

describe('a round is over', () => {
  it('after a split vote only once every vote has arrived, so that every tally can show the split', () => {
    let world = worldFrom(['config majority nodes=3 seed=5 latency=2-2', 'propose A X', 'propose B Y', 'propose C Z', 'act A vote decree=X', 'act B vote decree=Y', 'act C vote decree=Z']);
    expect(world.global.stuck).toBe(true);
    expect(roundOver(world)).toBe(false);
    world = then(world, 'tick');
    expect(roundOver(world)).toBe(false);
    world = then(world, 'tick');
    expect(roundOver(world)).toBe(true);
    for (const node of world.nodes) {
      const tally = (node.volatile as MajorityVolatile).tally;
      expect(Object.values(tally).flat().sort()).toEqual([0, 1, 2]);
    }
  });

  it('when a 2PC coordinator aborts, once every live participant has the ABORT', () => {
    let world = worldFrom(['config 2pc nodes=3 latency=1-1 timeout=5', 'propose A X', 'act A prepare decree=X', 'tick', 'act B vote msg=1 vote=no', 'tick']);
    expect(roundOver(world)).toBe(false);
    world = then(world, 'act A decide outcome=abort');
    expect(roundOver(world)).toBe(false);
    world = then(world, 'tick');
    // C never voted; the ABORT answered its PREPARE, which no longer waits in its inbox.
    expect(world.nodes[2]!.inbox).toEqual([]);
    expect(roundStatus(world)).toMatchObject({ decided: true, outcome: 'abort' });
    expect(roundOver(world)).toBe(true);
  });

  it('when a crashed participant misses the outcome, once the live ones know it', () => {
    let world = worldFrom(['config 2pc nodes=3 latency=1-1 timeout=5', 'propose A X', 'act A prepare decree=X', 'tick', 'act B vote msg=1 vote=yes', 'crash C', 'tick', 'act A decide outcome=abort']);
    expect(roundOver(world)).toBe(false);
    world = then(world, 'tick');
    expect(roundOver(world)).toBe(true);
    // Recovered, C does not know: the round is not over until it hears.
    world = then(world, 'recover C');
    expect(roundOver(world)).toBe(false);
  });

  it('not while an answer still waits in an inbox, though every node knows the outcome', () => {
    let world = worldFrom([
      'config paxos nodes=3 latency=1-1 gossip',
      'propose A X',
      'act A prepare ballot=1',
      'tick',
      'act B promise msg=1',
      'act C promise msg=2',
      'tick',
      'act A propose value=X',
      'act C prepare ballot=2',
      'tick',
      'act B accept msg=5',
      'tick',
    ]);
    expect(roundStatus(world).decided).toBe(true);
    // A and B still hold C's PREPARE 2.C; C holds A's ACCEPT.
    expect(world.nodes.map((n) => n.inbox.length)).not.toEqual([0, 0, 0]);
    expect(roundOver(world)).toBe(false);
    for (const node of world.nodes) for (const m of node.inbox) world = mustStep(world, { type: 'act', node: node.id, action: { kind: 'ignore', msg: m.id } }).world;
    expect(roundOver(world)).toBe(true);
  });

  it('never by itself in sandbox mode, where rules may still be broken after a decision', () => {
    const world = worldFrom(['config 2pc nodes=3 latency=1-1 timeout=5 sandbox', 'propose A X', 'act A prepare decree=X', 'tick', 'act B vote msg=1 vote=no', 'tick', 'act A decide outcome=abort', 'tick']);
    expect(roundStatus(world).decided).toBe(true);
    expect(roundOver(world)).toBe(false);
  });

  it('in rounds that bots play as a room does, for every protocol', () => {
    for (const protocol of protocolNames()) {
      for (const seed of [1, 2, 3, 4]) {
        const rng = Rng.fromSeed(seed);
        const config = makeConfig(protocol, nodesFor(protocol, 5), seed, { decrees: ['X', 'Y'] });
        let world = createWorld(config);
        const apply = (command: Command | null): void => {
          if (!command) return;
          const result = step(world, command);
          if (result.ok) world = result.world;
        };
        // The clients' requests, as a room opens the round.
        for (const request of protocolFor(protocol).clients.openingRequests(config.settings.decrees, config, rng)) apply({ type: 'propose', ...request });
        while (!roundOver(world) && world.tick < 2000) {
          apply({ type: 'tick' });
          for (const node of rng.shuffle(Array.from({ length: config.nodes }, (_, i) => i))) apply(botDecide('faithful', viewOf(world, node), rng, false));
        }
        expect(roundOver(world), `${protocol} seed ${seed}`).toBe(true);
        // Over means decided and known to all, or a split every tally shows.
        expect(roundStatus(world).decided || world.global.stuck).toBe(true);
      }
    }
  });
});
