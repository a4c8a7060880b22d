import { createWorld } from './world';
import { step } from './step';
import type { Command, EngineEvent, RoundConfig, World } from './types';

export class ReplayError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

function apply(world: World, command: Command, index: number): { world: World; events: EngineEvent[] } {
  const result = step(world, command);
  if (!result.ok) {
    throw new ReplayError(index, `command ${index} (${command.type}) is refused by the engine: ${result.rejection.message}`);
  }
  return result;
}

/**
 * Every intermediate world of a round: worlds[i] is the world after the first i commands. All of them
 * are held at once, so this is for tests and tools on short rounds; `rerun` and `Replay` keep less.
 */
export function replay(config: RoundConfig, log: readonly Command[]): World[] {
  const worlds = [createWorld(config)];
  for (let i = 0; i < log.length; i++) worlds.push(apply(worlds[i]!, log[i]!, i).world);
  return worlds;
}

/**
 * Re-runs a whole log, holding only the current world, and throws a ReplayError at the first command
 * the engine refuses. Returns the last world, and the world after `at` commands when asked.
 */
export function rerun(config: RoundConfig, log: readonly Command[], at?: number): { last: World; at: World | null } {
  let world = createWorld(config);
  let kept = at === 0 ? world : null;
  for (let i = 0; i < log.length; i++) {
    world = apply(world, log[i]!, i).world;
    if (i + 1 === at) kept = world;
  }
  return { last: world, at: kept };
}

/**
 * Random access into a round. Keeps a snapshot every `every` commands, so reaching command i re-runs
 * at most `every - 1` commands. Worlds share structure, so a snapshot costs little memory.
 */
export class Replay {
  private readonly snapshots: World[] = [];

  constructor(
    readonly config: RoundConfig,
    readonly log: readonly Command[],
    readonly every = 64,
  ) {
    let world = createWorld(config);
    this.snapshots.push(world);
    for (let i = 0; i < log.length; i++) {
      world = apply(world, log[i]!, i).world;
      if ((i + 1) % every === 0) this.snapshots.push(world);
    }
  }

  /** How many commands the round holds; worldAt accepts 0..length. */
  get length(): number {
    return this.log.length;
  }

  /** The world after the first `index` commands. */
  worldAt(index: number): World {
    const i = Math.max(0, Math.min(this.log.length, Math.floor(index)));
    const base = Math.floor(i / this.every);
    let world = this.snapshots[base]!;
    for (let c = base * this.every; c < i; c++) world = apply(world, this.log[c]!, c).world;
    return world;
  }

  /** The events that command `index` produced. */
  eventsOf(index: number): EngineEvent[] {
    if (index < 0 || index >= this.log.length) return [];
    return apply(this.worldAt(index), this.log[index]!, index).events;
  }
}
