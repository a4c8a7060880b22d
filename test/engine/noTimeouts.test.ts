/**
 * A round without timeouts (the FLP result's asynchronous network): no node's timer is set or fires
 * in any protocol, so a node can only wait; off unless set, and refused unless true or false.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent, RoundConfig, World } from '../../shared/engine/types';
import { legalActions } from '../../shared/engine/view';
import { configShapeProblem, createWorld, DEFAULT_SETTINGS, makeConfig } from '../../shared/engine/world';
import { step } from '../../shared/engine/step';
import { protocolFor, protocolNames } from '../../shared/protocols';
import type { PaxosVolatile } from '../../shared/protocols/paxos';
import { configSchema } from '../../shared/wire/commands';
import { roundSetupSchema } from '../../shared/wire/messages';
import { completeSetup, configOf, DEFAULT_SETUP } from '../../server/core/round';
import { mustStep, playedRound, worldFrom } from './helpers';

const TPC = ['config 2pc nodes=3 latency=1-1 timeout=5 no-timeouts', 'propose A X', 'act A prepare decree=X'];
const PAXOS = ['config paxos nodes=3 latency=1-1 timeout=8 no-timeouts', 'propose A X', 'act A prepare ballot=1'];

/** Ticks the world `n` times; every event on the way. */
function ticked(world: World, n: number): { world: World; events: EngineEvent[] } {
  const events: EngineEvent[] = [];
  for (let i = 0; i < n; i++) {
    const next = mustStep(world, { type: 'tick' });
    world = next.world;
    events.push(...next.events);
  }
  return { world, events };
}

describe('a round without timeouts', () => {
  it('sets no 2PC timer, fires none, and never lets a participant that has not voted give up', () => {
    const world = worldFrom(TPC);
    expect(world.nodes.map((n) => n.timers)).toEqual([[], [], []]);
    expect(world.nextTimerAt).toBeNull();
    // No participant votes: for 200 ticks every node waits, and can only wait.
    const later = ticked(world, 200);
    expect(later.events.filter((e) => e.type === 'timeout')).toEqual([]);
    expect(later.world.nodes.every((n) => n.timers.length === 0)).toBe(true);
    expect(legalActions(later.world, 2).map((a) => a.kind)).not.toContain('abort');
    const refused = step(later.world, { type: 'act', node: 2, action: { kind: 'abort' } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.rejection.code).toBe('too-early');
      expect(refused.rejection.message).toContain('no timeouts');
    }
    // With timeouts the same round times out: the setting is what made the difference.
    const timed = ticked(worldFrom([TPC[0]!.replace(' no-timeouts', ''), ...TPC.slice(1)]), 200);
    expect(timed.events.filter((e) => e.type === 'timeout').length).toBeGreaterThan(0);
    expect(legalActions(timed.world, 2).map((a) => a.kind)).toContain('abort');
  });

  it('sets no Paxos retry timer: a proposer starts its first ballot for a request at once, and never another by itself', () => {
    const start = worldFrom([PAXOS[0]!, PAXOS[1]!]);
    expect(start.nodes.map((n) => n.timers)).toEqual([[], [], []]);
    expect((start.nodes[0]!.volatile as PaxosVolatile).ballotDue).toBe(true);
    // B's promise never reaches A: A's ballot waits with one promise, for ever.
    let world = mustStep(start, { type: 'act', node: 0, action: { kind: 'prepare', ballot: 1 } }).world;
    world = mustStep(world, { type: 'crash', node: 1 }).world;
    const later = ticked(world, 300);
    expect(later.events.filter((e) => e.type === 'timeout')).toEqual([]);
    expect(later.world.nodes.every((n) => n.timers.length === 0)).toBe(true);
    expect(later.world.nextTimerAt).toBeNull();
    expect(later.world.nodes.map((n) => (n.volatile as PaxosVolatile).ballotDue)).toEqual([false, false, false]);
    // A person may still start a higher ballot by hand.
    expect(legalActions(later.world, 0)).toContainEqual({ kind: 'prepare', ballot: 2 });
    const timed = ticked(worldFrom([PAXOS[0]!.replace(' no-timeouts', ''), ...PAXOS.slice(1), 'crash B']), 300);
    expect(timed.events.filter((e) => e.type === 'timeout').length).toBeGreaterThan(0);
    expect((timed.world.nodes[0]!.volatile as PaxosVolatile).ballotDue).toBe(true);
  });

  it('never makes a Paxos ballot due on the clock: news after its patience would have run out does not open a retry', () => {
    let world = worldFrom([...PAXOS, 'tick 20', 'propose B Y', 'act B prepare ballot=2', 'tick']);
    const move = (node: number, kind: string): void => {
      const action = legalActions(world, node).find((a) => a.kind === kind);
      if (!action) throw new Error(`${'ABC'[node]} has no ${kind} move`);
      world = mustStep(world, { type: 'act', node, action }).world;
    };
    move(0, 'promise');
    move(2, 'promise');
    world = mustStep(world, { type: 'tick' }).world;
    // B's ACCEPT reaches A, 20 ticks after A's ballot began: with timeouts A's ballot would be due again.
    move(1, 'propose');
    world = mustStep(world, { type: 'tick' }).world;
    expect((world.nodes[0]!.volatile as PaxosVolatile).acceptances).toHaveLength(1);
    expect((world.nodes[0]!.volatile as PaxosVolatile).ballotDue).toBe(false);
  });

  it('holds in every protocol, whatever is played: no world of a round without timeouts runs a timer', () => {
    for (const protocol of protocolNames()) {
      for (let seed = 1; seed <= 4; seed++) {
        for (const world of playedRound(protocol, seed, 400, { noTimeouts: true })) {
          expect(world.nodes.every((n) => n.timers.length === 0)).toBe(true);
          expect(world.nextTimerAt).toBeNull();
        }
      }
      // The same rounds with timeouts do run timers wherever the protocol has them.
      const timers = protocolFor(protocol).timerOrder('timeout') >= 0 || protocolFor(protocol).timerOrder('retry') >= 0;
      if (timers) expect([...playedRound(protocol, 1, 400)].some((w) => w.nodes.some((n) => n.timers.length > 0))).toBe(true);
    }
  });

  it('is off unless set: the default settings and configs do not name it, so every other round is as it was', () => {
    expect('noTimeouts' in DEFAULT_SETTINGS).toBe(false);
    expect('noTimeouts' in makeConfig('paxos', 3, 1).settings).toBe(false);
    const setup = completeSetup({ protocol: 'paxos', nodes: 3 }, DEFAULT_SETUP);
    expect(typeof setup).toBe('object');
    if (typeof setup === 'object') expect('noTimeouts' in configOf(setup, 1).settings).toBe(false);
    const on = completeSetup({ protocol: 'paxos', nodes: 3, noTimeouts: true }, DEFAULT_SETUP);
    if (typeof on !== 'object') throw new Error(on);
    expect(configOf(on, 1).settings.noTimeouts).toBe(true);
    expect(createWorld(configOf(on, 1)).nodes.every((n) => n.timers.length === 0)).toBe(true);
  });

  it('is refused unless true or false, by the engine and on the wire; a stored config without it still loads', () => {
    const config = makeConfig('paxos', 3, 1);
    const bad = { ...config, settings: { ...config.settings, noTimeouts: 'yes' } } as unknown as RoundConfig;
    expect(configShapeProblem(bad)).toBe('noTimeouts must be true or false');
    expect(() => createWorld(bad)).toThrow(/noTimeouts/);
    expect(() => configSchema.parse(bad)).toThrow(/noTimeouts/);
    expect(configSchema.parse(config)).toEqual(config);
    const on = makeConfig('paxos', 3, 1, { noTimeouts: true });
    expect(configShapeProblem(on)).toBeNull();
    expect(configSchema.parse(on).settings.noTimeouts).toBe(true);
    expect(() => roundSetupSchema.parse({ protocol: 'paxos', nodes: 3, noTimeouts: 1 })).toThrow(/noTimeouts/);
    expect(roundSetupSchema.parse({ protocol: 'paxos', nodes: 3, noTimeouts: true }).noTimeouts).toBe(true);
  });
});
