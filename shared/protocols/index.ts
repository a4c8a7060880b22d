import type { Protocol } from '../engine/protocol';
import type { ProtocolName } from '../engine/types';
import { majorityVote } from './majorityVote';
import { paxos } from './paxos';
import { twoPhaseCommit } from './twoPhaseCommit';

const PROTOCOL_TABLE: Record<ProtocolName, Protocol> = {
  '2pc': twoPhaseCommit,
  majority: majorityVote,
  paxos,
};

export function protocolFor(name: ProtocolName): Protocol {
  const protocol = PROTOCOL_TABLE[name];
  if (!protocol) throw new Error(`unknown protocol ${String(name)}`);
  return protocol;
}
