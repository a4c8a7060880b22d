import { botDecide } from '../../shared/bots';
import { Rng } from '../../shared/engine/rng';
import { step } from '../../shared/engine/step';
import type { Action, Command, RoundConfig, Settings, World } from '../../shared/engine/types';
import { roundStatus, viewOf, type NodeView } from '../../shared/engine/view';
import { createWorld } from '../../shared/engine/world';
import { protocolFor } from '../../shared/protocols';
import { playLesson, type Lesson, type PlayedLesson, type PlayerMoves } from '../../shared/lessons';

/** The bot seeds every lesson is played with: the objectives must be reached whatever the bots do. */
export const BOT_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** Plays a lesson with the player's scripted moves, and fails with the objectives' state if it does not end with every one reached. */
export function playToEnd(lesson: Lesson, player: PlayerMoves | undefined, botSeed: number): PlayedLesson {
  const played = playLesson(lesson, { player, botSeed, nickname: 'Ada' });
  const missing = played.run.objectives.filter((o) => o.reached === null).map((o) => o.id);
  if (played.run.status !== 'done') {
    throw new Error(
      `lesson ${lesson.id} (bot seed ${botSeed}) ended ${played.run.status} at tick ${played.run.world.tick}` +
        `${played.run.deadEnd ? ` (${played.run.deadEnd.text})` : ''}; objectives not reached: ${missing.join(', ')}`,
    );
  }
  return played;
}

/** The first legal move of a kind that passes `extra`, or null. */
export function legal(view: NodeView, kind: string, extra: (a: Action) => boolean = () => true): Action | null {
  return view.legal.find((a) => a.kind === kind && extra(a)) ?? null;
}

/** Re-runs a log as it was, holding every world: worlds[i] is the world after i commands. */
export function worldsOf(config: RoundConfig, log: readonly Command[]): World[] {
  const worlds = [createWorld(config)];
  for (const command of log) {
    const result = step(worlds[worlds.length - 1]!, command);
    if (!result.ok) throw new Error(`refused ${JSON.stringify(command)}: ${result.rejection.message}`);
    worlds.push(result.world);
  }
  return worlds;
}

/**
 * A what-if re-run written out on its own, to check the debriefs against: the log up to `at`, then
 * `instead` (if any), then faithful bots on every seat, one tick and one turn each, seeded from the
 * round's seed mixed with 0x3f1f, until the outcome is known and every inbox empty, or a split is
 * proven with no counting message in flight, or 600 ticks pass.
 */
export function rerunFrom(config: RoundConfig, log: readonly Command[], at: number, instead: Command | null, settings: Partial<Settings> = {}): World {
  const changed: RoundConfig = { ...config, settings: { ...config.settings, ...settings } };
  let world = createWorld(changed);
  for (const command of log.slice(0, at)) {
    const result = step(world, command);
    if (!result.ok) throw new Error(`refused ${JSON.stringify(command)}`);
    world = result.world;
  }
  if (instead) {
    const result = step(world, instead);
    if (result.ok) world = result.world;
  }
  const protocol = protocolFor(changed.protocol);
  const rng = Rng.fromSeed((config.seed ^ 0x3f1f) >>> 0);
  const from = world.tick;
  const done = (): boolean => {
    const status = roundStatus(world);
    if (status.decided && world.nodes.every((n) => n.crashed || n.inbox.length === 0)) return true;
    return status.stuck && !world.inFlight.some((m) => protocol.countsTowardOutcome(m.payload));
  };
  while (!done() && world.tick < from + 600) {
    const ticked = step(world, { type: 'tick' });
    if (ticked.ok) world = ticked.world;
    for (const node of rng.shuffle(Array.from({ length: changed.nodes }, (_, i) => i))) {
      const command = botDecide('faithful', viewOf(world, node), rng, false);
      if (!command) continue;
      const result = step(world, command);
      if (result.ok) world = result.world;
    }
  }
  return world;
}

/** The text of a debrief's lines of one topic. */
export function linesOf(debrief: { lines: { topic: string; text: string }[] }, topic: string): string[] {
  return debrief.lines.filter((l) => l.topic === topic).map((l) => l.text);
}
