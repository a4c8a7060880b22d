/** How a majority-vote bot plays: it votes for its own request, or for the first candidate it heard of. */
import type { BotView } from '../../engine/protocol';
import type { Rng } from '../../engine/rng';
import { find } from '../common';
import type { MajorityAction, MajorityDurable, MajorityPayload, MajorityVolatile } from './state';

export function majorityPolicy(view: BotView<MajorityDurable, MajorityVolatile, MajorityAction, MajorityPayload>, rng: Rng): MajorityAction | undefined {
  const d = view.self.durable;
  const v = view.self.volatile;
  if (d.vote !== null) return find(view.legal, 'ignore');
  // Vote for one's own request first, else for the first candidate heard of.
  const choice = v.requests[0] ?? v.candidates[0];
  if (choice === undefined) return undefined;
  if (v.requests.length === 0 && !rng.chance(0.7)) return undefined;
  return find(view.legal, 'vote', (a) => a.decree === choice);
}
