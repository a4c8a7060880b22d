/**
 * "What if": the same round with one thing changed, worked out by the engine, never written by hand.
 * The re-run repeats the round's log command for command up to the change (for a change of setting,
 * for as long as the changed round stays the same as the real one, and the engine accepts each
 * command); from there on bots play every seat, with nothing scripted, until the round settles (an
 * outcome known and every inbox answered, or a split proven) or `WHAT_IF_TICKS` have passed.
 */
import { botDecide } from '../bots';
import { Rng } from '../engine/rng';
import { step } from '../engine/step';
import type { Command, NodeId, RoundConfig, Settings, World } from '../engine/types';
import { roundStatus, viewOf } from '../engine/view';
import { createWorld } from '../engine/world';
import { protocolFor } from '../protocols';

export type Change =
  /** The command at this index of the log never happens (a crash, a delay...). */
  | { kind: 'omit'; step: number }
  /** Another command takes the place of the one at this index (a vote NO for a vote YES). */
  | { kind: 'replace'; step: number; command: Command }
  /** The round is played under these settings instead (votes locked, gossip off, a timeout...). */
  | { kind: 'settings'; settings: Partial<Settings> };

/** How many ticks the bots may play on after the change before the re-run stops. */
export const WHAT_IF_TICKS = 600;
/** Mixed into the round's seed for the bots of a re-run, so that they are the same bots every time. */
export const WHAT_IF_SALT = 0x3f1f;

export interface WhatIf {
  change: Change;
  config: RoundConfig;
  /** The index of the first command of the real log the re-run did not repeat: from there, bots played on. */
  divergedAt: number;
  /** The tick at which it left the real round. */
  divergedTick: number;
  /** The re-run's own log. */
  log: Command[];
  world: World;
  /** It ended settled, not at the tick limit. */
  settled: boolean;
}

/** Whether a round has come to rest: its outcome known by every seat that must know it with nothing left to answer, or a split proven. */
export function settled(world: World): boolean {
  const protocol = protocolFor(world.config.protocol);
  const status = roundStatus(world);
  const live = world.nodes.filter((n) => !n.crashed);
  if (status.decided && live.every((n) => n.inbox.length === 0)) return true;
  return status.stuck && !world.inFlight.some((m) => protocol.countsTowardOutcome(m.payload));
}

function sameState(a: World, b: World): boolean {
  return JSON.stringify([a.nodes, a.inFlight, a.partition, a.nextMessageId]) === JSON.stringify([b.nodes, b.inFlight, b.partition, b.nextMessageId]);
}

/** The round `config` + `log` re-run with one change; see the module's comment for how. */
export function whatIf(config: RoundConfig, log: readonly Command[], change: Change): WhatIf {
  const changed: RoundConfig = change.kind === 'settings' ? { ...config, settings: { ...config.settings, ...change.settings } } : config;
  let world = createWorld(changed);
  let real = createWorld(config);
  const out: Command[] = [];
  let divergedAt = log.length;
  for (let i = 0; i < log.length; i++) {
    const command = log[i]!;
    if (change.kind !== 'settings' && i === change.step) {
      divergedAt = i;
      if (change.kind === 'replace') {
        const replaced = step(world, change.command);
        if (replaced.ok) {
          world = replaced.world;
          out.push(change.command);
        }
      }
      break;
    }
    const next = step(world, command);
    if (!next.ok) {
      divergedAt = i;
      break;
    }
    world = next.world;
    out.push(command);
    if (change.kind === 'settings') {
      const realNext = step(real, command);
      if (!realNext.ok) throw new Error(`the round's own log is refused at command ${i}: ${realNext.rejection.message}`);
      real = realNext.world;
      if (!sameState(world, real)) {
        divergedAt = i + 1;
        break;
      }
    }
  }
  const divergedTick = world.tick;
  if (divergedAt >= log.length && change.kind === 'settings') {
    // The change made no difference the whole round long: the re-run is the round.
    return { change, config: changed, divergedAt, divergedTick, log: out, world, settled: settled(world) };
  }
  const rng = Rng.fromSeed((config.seed ^ WHAT_IF_SALT) >>> 0);
  const apply = (command: Command): void => {
    const next = step(world, command);
    if (!next.ok) return;
    world = next.world;
    out.push(command);
  };
  const seats: NodeId[] = Array.from({ length: changed.nodes }, (_, i) => i);
  while (!settled(world) && world.tick < divergedTick + WHAT_IF_TICKS) {
    apply({ type: 'tick' });
    for (const node of rng.shuffle(seats)) {
      const command = botDecide('faithful', viewOf(world, node), rng, false);
      if (command) apply(command);
    }
  }
  return { change, config: changed, divergedAt, divergedTick, log: out, world, settled: settled(world) };
}
