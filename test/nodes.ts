import type { ProtocolName } from '../shared/engine/types';
import { protocolFor } from '../shared/protocols';

/**
 * How many nodes a test that loops over the registry plays a protocol on: the number it asks for,
 * brought within the protocol's own range (two generals are always two).
 */
export function nodesFor(protocol: ProtocolName, wanted: number): number {
  const { min, max } = protocolFor(protocol).nodeRange;
  return Math.min(max, Math.max(min, wanted));
}
