/** How a bot plays a log decided by majority vote: in the slot it votes in, for its own client's update, or for the first candidate it heard of there. */
import type { BotView } from '../../engine/protocol';
import type { Rng } from '../../engine/rng';
import { find } from '../common';
import { ballotOf, openSlot, type VotelogAction, type VotelogDurable, type VotelogPayload, type VotelogVolatile } from './state';

export function votelogPolicy(view: BotView<VotelogDurable, VotelogVolatile, VotelogAction, VotelogPayload>, rng: Rng): VotelogAction | undefined {
  const d = view.self.durable;
  const v = view.self.volatile;
  const slot = openSlot(d.learned);
  if (d.votes[slot] != null) return find(view.legal, 'ignore');
  const choice = v.requests[0] ?? ballotOf(v, slot).candidates[0];
  if (choice === undefined) return find(view.legal, 'ignore');
  if (v.requests.length === 0 && !rng.chance(0.7)) return undefined;
  return find(view.legal, 'vote', (a) => a.decree === choice && a.slot === slot);
}
