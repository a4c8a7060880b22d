import { protocolFor } from '../protocols';
import { nodeName } from '../engine/names';
import type { Protocol } from '../engine/protocol';
import type { CommitPoint, Slot, World } from '../engine/types';

export interface InvariantBreak {
  code: string;
  message: string;
}

/** " in slot 3" for a protocol that decides a log of slots; nothing for a single decree. */
function inSlot(protocol: Protocol, slot: Slot): string {
  const name = protocol.present.slotName?.(slot);
  return name ? ` in ${name}` : '';
}

/** `chosenBySlot` of each list of commit points: a world shares its list with the worlds before it until a step changes the god view's books. */
const bySlotOf = new WeakMap<readonly CommitPoint[], ReadonlyMap<Slot, readonly string[]>>();

/** The values chosen in each slot, in the order they were chosen. */
function chosenBySlot(chosen: readonly CommitPoint[]): ReadonlyMap<Slot, readonly string[]> {
  const known = bySlotOf.get(chosen);
  if (known) return known;
  const bySlot = new Map<Slot, string[]>();
  for (const c of chosen) {
    const values = bySlot.get(c.slot);
    if (!values) bySlot.set(c.slot, [c.decree]);
    else if (!values.includes(c.decree)) values.push(c.decree);
  }
  bySlotOf.set(chosen, bySlot);
  return bySlot;
}

/**
 * The safety properties, checked after every step, each slot on its own. Returns what is broken; an
 * empty list means all hold. Outside sandbox mode any break is a bug in the engine.
 */
export function checkInvariants(previous: World | null, world: World): InvariantBreak[] {
  const broken: InvariantBreak[] = [];
  const protocol = protocolFor(world.config.protocol);
  const chosen = chosenBySlot(world.global.chosen);
  for (const [slot, values] of chosen) {
    if (values.length > 1) {
      broken.push({ code: 'agreement', message: `More than one decree was chosen${inSlot(protocol, slot)}: ${values.join(' and ')}.` });
    }
    for (const value of values) {
      if (!world.proposed.includes(value) && value !== protocol.noOp) {
        broken.push({ code: 'validity', message: `${value} was chosen${inSlot(protocol, slot)} but no client ever proposed it.` });
      }
    }
  }
  // The same list of commit points as before: nothing chosen can have changed.
  if (previous && previous.global.chosen.length > 0 && previous.global.chosen !== world.global.chosen) {
    const before = chosenBySlot(previous.global.chosen);
    for (const [slot, values] of before) {
      if (chosen.get(slot)?.[0] !== values[0]) {
        broken.push({ code: 'stability', message: `The chosen decree${inSlot(protocol, slot)} changed from ${values[0]}.` });
      }
    }
  }
  for (const node of world.nodes) {
    const learned = protocol.learned(node);
    for (let slot = 0; slot < learned.length; slot++) {
      const value = learned[slot];
      if (value !== null && value !== undefined && !chosen.get(slot)?.includes(value)) {
        const where = inSlot(protocol, slot);
        broken.push({ code: 'learned-not-chosen', message: `${nodeName(node.id)} learned ${value}${where}, which is not chosen${where ? ' there' : ''}.` });
      }
    }
  }
  broken.push(...protocol.invariants(world));
  return broken;
}
