/**
 * "What if": the same round with one thing changed, worked out by the engine, never written by hand.
 * The re-run repeats the round's log command for command up to the change (for a change of setting,
 * for as long as the changed round stays the same as the real one and the engine accepts each
 * command). From there on bots play every seat, one turn each per tick in an order drawn from the
 * round's seed, and, for a lesson's round, the lesson's script goes on firing as it would have
 * (without the rules the change takes away), until the round settles (an outcome known and every
 * inbox answered, or a split proven) or `WHAT_IF_TICKS` have passed.
 */
import { botDecide } from '../bots';
import { Rng } from '../engine/rng';
import { step } from '../engine/step';
import type { Command, NodeId, RoundConfig, Settings, World } from '../engine/types';
import { roundStatus, viewOf } from '../engine/view';
import { createWorld } from '../engine/world';
import { protocolFor } from '../protocols';
import { advance, applyScript, replayLesson, type LessonRun } from './run';
import type { Lesson } from './types';

export type Change =
  /** The command at this index of the log never happens (a crash, a delay...). */
  | { kind: 'omit'; step: number }
  /** Another command takes the place of the one at this index (a vote NO for a vote YES). */
  | { kind: 'replace'; step: number; command: Command }
  /** The round is played under these settings instead (votes locked, gossip off, a timeout...). */
  | { kind: 'settings'; settings: Partial<Settings> }
  /**
   * The round is played under these settings, and its log only before this index: the command there
   * and every later one are left to the bots (the player's retry, say, with timeouts on). A timer the
   * changed round runs but has not fired yet is no difference: it has changed nothing so far.
   */
  | { kind: 'settings-until'; step: number; settings: Partial<Settings> };

export interface WhatIfOptions {
  /** The lesson the round was played in: its script goes on after the change. */
  lesson?: Lesson;
  /** Rules of its script that never fire in the re-run (the crash the change takes away, say). */
  without?: readonly string[];
}

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

/** The same state, the timers that run aside. */
function sameBesideTimers(a: World, b: World): boolean {
  const strip = (w: World): unknown => [w.nodes.map((n) => ({ ...n, timers: [] })), w.inFlight, w.partition, w.nextMessageId];
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** Where the changed round leaves the real one, and the commands repeated up to there. */
function divergence(config: RoundConfig, changed: RoundConfig, log: readonly Command[], change: Change): { at: number; repeated: Command[] } {
  if (change.kind === 'omit' || change.kind === 'replace') return { at: Math.min(change.step, log.length), repeated: log.slice(0, change.step) };
  const same = change.kind === 'settings' ? sameState : sameBesideTimers;
  const until = change.kind === 'settings' ? log.length : Math.min(change.step, log.length);
  let world = createWorld(changed);
  let real = createWorld(config);
  for (let i = 0; i < until; i++) {
    const next = step(world, log[i]!);
    if (!next.ok) return { at: i, repeated: log.slice(0, i) };
    const realNext = step(real, log[i]!);
    if (!realNext.ok) throw new Error(`the round's own log is refused at command ${i}: ${realNext.rejection.message}`);
    world = next.world;
    real = realNext.world;
    if (!same(world, real)) return { at: i + 1, repeated: log.slice(0, i + 1) };
  }
  return { at: until, repeated: log.slice(0, until) };
}

/** The round `config` + `log` re-run with one change; see the module's comment for how. */
export function whatIf(config: RoundConfig, log: readonly Command[], change: Change, options: WhatIfOptions = {}): WhatIf {
  const changed: RoundConfig = change.kind === 'settings' || change.kind === 'settings-until' ? { ...config, settings: { ...config.settings, ...change.settings } } : config;
  const { at, repeated } = divergence(config, changed, log, change);
  const out: Command[] = [...repeated];
  const lesson = options.lesson ? { ...options.lesson, script: options.lesson.script.filter((r) => !options.without?.includes(r.id)) } : null;
  // Bots hold every seat from here, and the script (if any) fires after every command, as in a room.
  let run: LessonRun | null = null;
  let world: World;
  if (lesson) {
    run = replayLesson(lesson, { config: changed, log: repeated, players: [] }).run;
    world = run.world;
  } else {
    world = createWorld(changed);
    for (const command of repeated) world = mustStep(world, command);
  }
  const divergedTick = world.tick;
  if (at >= log.length && change.kind === 'settings') {
    // The change made no difference the whole round long: the re-run is the round.
    return { change, config: changed, divergedAt: at, divergedTick, log: out, world, settled: settled(world) };
  }
  const script = (): void => {
    if (!run) return;
    const done = applyScript(run);
    run = done.run;
    world = run.world;
    for (const a of done.applied) out.push(a.command);
  };
  const apply = (command: Command): void => {
    if (run) {
      const next = advance(run, command);
      run = next.run;
      world = run.world;
      if (!next.ok) return;
    } else {
      const next = step(world, command);
      if (!next.ok) return;
      world = next.world;
    }
    out.push(command);
    script();
  };
  if (change.kind === 'replace') apply(change.command);
  else script();
  const rng = Rng.fromSeed((config.seed ^ WHAT_IF_SALT) >>> 0);
  const seats: NodeId[] = Array.from({ length: changed.nodes }, (_, i) => i);
  while (!settled(world) && world.tick < divergedTick + WHAT_IF_TICKS) {
    apply({ type: 'tick' });
    for (const node of rng.shuffle(seats)) {
      const command = botDecide('faithful', viewOf(world, node), rng, false);
      if (command) apply(command);
    }
  }
  return { change, config: changed, divergedAt: at, divergedTick, log: out, world, settled: settled(world) };
}

function mustStep(world: World, command: Command): World {
  const next = step(world, command);
  if (!next.ok) throw new Error(`the round's own log is refused: ${next.rejection.message}`);
  return next.world;
}
