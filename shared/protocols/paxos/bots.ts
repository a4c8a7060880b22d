/** How a Paxos bot plays: it answers what reaches it, proposes once it may, and retries with a randomized backoff. */
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
  const timeout = view.settings.timeoutTicks;
  const proposal = v.proposal;
  // A node with a request leads; one that saw something accepted but never learned the outcome runs a
  // ballot to find out; one that knows nothing waits long, so that it does not duel with real proposers.
  const wantsToLead = v.requests.length > 0;
  const sawAcceptance = d.accepted !== null || v.acceptances.length > 0;
  const patience = wantsToLead ? timeout : sawAcceptance ? timeout * 2 : timeout * 6;
  const since = proposal ? proposal.startedAt : wantsToLead ? -timeout : 0;
  const refused = proposal !== null && proposal.refusals.length > 0;
  // A ballot run only to learn, that found a majority with nothing accepted, has its answer: nothing
  // is chosen yet. Trying again would only preempt the real proposers.
  const answered = !wantsToLead && proposal !== null && proposal.promises.length >= majorityOf(view.nodes) && !proposal.promises.some((p) => p.accepted);
  if (answered) return undefined;
  const due = view.now - since >= patience || (wantsToLead && refused && view.now - since >= view.settings.latencyMax * 2);
  if (due && rng.chance(temper.retry)) return find(legal, 'prepare');
  return undefined;
}
