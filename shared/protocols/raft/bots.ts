/**
 * How a Raft bot plays: as Raft does. It answers what waits in its inbox the way Raft answers it,
 * stands for election once its election timer fired, and as leader appends a no-op and its clients'
 * requests, sends entries to the servers that lack them, and commits as soon as it may.
 */
import type { BotView, Temper } from '../../engine/protocol';
import type { Rng } from '../../engine/rng';
import { find } from '../common';
import type { RaftAction, RaftDurable, RaftPayload, RaftVolatile } from './state';

export function raftPolicy(view: BotView<RaftDurable, RaftVolatile, RaftAction, RaftPayload>, rng: Rng, temper: Temper): RaftAction | undefined {
  const legal = view.legal;
  const v = view.self.volatile;
  const all = find(legal, 'answerAll');
  if (all) return all;
  // One message waits: the answer Raft gives is the first legal one of grant, accept or refuse.
  const answer = find(legal, 'grant') ?? find(legal, 'accept') ?? find(legal, 'refuse');
  if (answer) return answer;
  if (v.role === 'leader') return find(legal, 'commit') ?? find(legal, 'append') ?? find(legal, 'replicateAll');
  const start = find(legal, 'startElection');
  // Without timeouts nothing says when to stand: a bot that knows no leader stands now and then.
  if (start && (v.electionDue || (v.leader === null && rng.chance(temper.retry * 0.2)))) return start;
  return undefined;
}
