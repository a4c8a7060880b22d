/** How a Paxos bot plays: it answers what reaches it, proposes once it may, and runs a ballot when its retry timer says so, with a randomized backoff. */
import { majorityOf } from '../../engine/names';
import type { BotView, Temper } from '../../engine/protocol';
import type { Rng } from '../../engine/rng';
import { find } from '../common';
import type { PaxosAction, PaxosDurable, PaxosPayload, PaxosVolatile } from './state';

export function paxosPolicy(view: BotView<PaxosDurable, PaxosVolatile, PaxosAction, PaxosPayload>, rng: Rng, temper: Temper): PaxosAction | undefined {
  const legal = view.legal;
  const answer = legal.find((a) => a.kind === 'promise' || a.kind === 'accept' || a.kind === 'refuse');
  if (answer) return answer;
  const propose = find(legal, 'propose');
  if (propose) return propose;
  const d = view.self.durable;
  const v = view.self.volatile;
  if (d.learned !== null) return undefined;
  const proposal = v.proposal;
  // A ballot run only to learn, that found a majority with nothing accepted, has its answer: nothing
  // is chosen yet. Trying again would only preempt the real proposers.
  const answered = v.requests.length === 0 && proposal !== null && proposal.promises.length >= majorityOf(view.nodes) && !proposal.promises.some((p) => p.accepted);
  if (answered) return undefined;
  // A node tries when its patience ran out (its retry timer fired, or a client waits on it), with a randomized backoff.
  if (v.ballotDue && rng.chance(temper.retry)) return find(legal, 'prepare');
  return undefined;
}
