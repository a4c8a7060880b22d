/**
 * How a Multi-Paxos bot plays: it answers what reaches it, and as leader proposes again what phase 1
 * recovered before it gives new requests their slots; it runs for leader once its timer (and, ranked,
 * its turn) says so, with a randomized backoff.
 */
import type { BotView, Temper } from '../../engine/protocol';
import type { Rng } from '../../engine/rng';
import { find } from '../common';
import type { MpAction, MpDurable, MpPayload, MpVolatile } from './state';

export function multipaxosPolicy(view: BotView<MpDurable, MpVolatile, MpAction, MpPayload>, rng: Rng, temper: Temper): MpAction | undefined {
  const legal = view.legal;
  const answer = legal.find((a) => a.kind === 'promise' || a.kind === 'accept' || a.kind === 'refuse');
  if (answer) return answer;
  // The legal list puts the slots to recover first, lowest first, then the next free slot.
  const propose = find(legal, 'propose');
  if (propose) return propose;
  const elect = find(legal, 'elect');
  if (elect && rng.chance(Math.max(temper.retry, 0.3))) return elect;
  return undefined;
}
