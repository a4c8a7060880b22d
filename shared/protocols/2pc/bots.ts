/** How a two-phase-commit bot plays: the coordinator prepares and decides; a participant votes, gives up, or asks its peers. */
import type { BotView, Temper } from '../../engine/protocol';
import type { Rng } from '../../engine/rng';
import { find } from '../common';
import type { TpcAction, TpcDurable, TpcPayload, TpcVolatile } from './state';

export function twoPhasePolicy(view: BotView<TpcDurable, TpcVolatile, TpcAction, TpcPayload>, rng: Rng, temper: Temper): TpcAction | undefined {
  const legal = view.legal;
  const d = view.self.durable;
  const v = view.self.volatile;
  if (d.role === 'coordinator' && v.role === 'coordinator') {
    const start = find(legal, 'prepare');
    if (start) return start;
    const commit = find(legal, 'decide', (a) => a.outcome === 'commit');
    if (commit) return commit;
    if (d.decision === null && d.decree !== null) {
      // Its timeout fired, or it came back from a crash without the votes: abort is the only safe choice.
      if (v.preparedAt === null || v.timedOut) return find(legal, 'decide', (a) => a.outcome === 'abort');
      return undefined;
    }
    if (d.decision !== null && rng.chance(1 / view.settings.timeoutTicks)) return find(legal, 'resend');
    return undefined;
  }
  if (v.role !== 'participant') return undefined;
  const vote = find(legal, 'vote');
  if (vote) return find(legal, 'vote', (a) => a.vote === (rng.chance(temper.no) ? 'no' : 'yes'));
  const abort = find(legal, 'abort');
  if (abort && rng.chance(temper.retry)) return abort;
  // In doubt, it asks its peers each time its timeout fires.
  const ask = find(legal, 'askPeers');
  if (ask && v.timedOut && rng.chance(temper.retry)) return ask;
  return undefined;
}
