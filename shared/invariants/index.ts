import { protocolFor } from '../protocols';
import { nodeName } from '../engine/names';
import type { World } from '../engine/types';

export interface InvariantBreak {
  code: string;
  message: string;
}

/**
 * The safety properties, checked after every step. Returns what is broken; an empty list means all hold.
 * Outside sandbox mode any break is a bug in the engine.
 */
export function checkInvariants(previous: World | null, world: World): InvariantBreak[] {
  const broken: InvariantBreak[] = [];
  const chosen = world.global.chosen;
  const values = new Set(chosen.map((c) => c.decree));
  if (values.size > 1) {
    broken.push({ code: 'agreement', message: `More than one decree was chosen: ${[...values].join(' and ')}.` });
  }
  for (const c of chosen) {
    if (!world.proposed.includes(c.decree)) {
      broken.push({ code: 'validity', message: `${c.decree} was chosen but no client ever proposed it.` });
    }
  }
  if (previous) {
    const before = previous.global.chosen[0];
    if (before && world.global.chosen[0]?.decree !== before.decree) {
      broken.push({ code: 'stability', message: `The chosen decree changed from ${before.decree}.` });
    }
  }
  const protocol = protocolFor(world.config.protocol);
  for (const node of world.nodes) {
    const learned = protocol.learned(node);
    if (learned !== null && !values.has(learned)) {
      broken.push({ code: 'learned-not-chosen', message: `${nodeName(node.id)} learned ${learned}, which is not chosen.` });
    }
  }
  broken.push(...protocol.invariants(world));
  return broken;
}
