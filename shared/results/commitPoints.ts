import type { CommitPoint, World } from '../engine/types';

/**
 * The round's commit points, as the engine keeps them in the god view, in the order they happened.
 * The class's results read commit points through this function alone.
 */
export function commitPointsOf(world: World): readonly CommitPoint[] {
  return world.global.chosen;
}
