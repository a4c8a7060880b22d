/**
 * The registry: every protocol the game offers, one line each, in the essay's order. Everything
 * else (the engine, the menus and the setup form, bots, the swarm, the sim and bench scripts, the
 * server's rounds, the client's words and pictures) loops over it and asks the protocol.
 */
import type { Protocol } from '../engine/protocol';
import type { ProtocolName } from '../engine/types';
import { SchemaError, type Schema } from '../wire/schema';
import { twoPhaseCommit } from './2pc';
import { twoGenerals } from './generals';
import { majorityVote } from './majority';
import { oneMachine } from './machine';
import { multipaxos } from './multipaxos';
import { paxos } from './paxos';
import { votelog } from './votelog';
import { raft } from './raft';

const registry = new Map<ProtocolName, Protocol>();

/**
 * Adds a protocol to the registry. Its name must be new; from then on rounds, bots, menus and the
 * wire accept it like any other.
 */
export function registerProtocol(protocol: Protocol): void {
  if (registry.has(protocol.name)) throw new Error(`a protocol named ${protocol.name} is registered already`);
  registry.set(protocol.name, protocol);
}

registerProtocol(oneMachine);
registerProtocol(twoGenerals);
registerProtocol(twoPhaseCommit);
registerProtocol(majorityVote);
registerProtocol(votelog);
registerProtocol(paxos);
registerProtocol(multipaxos);
registerProtocol(raft);

/** The protocol a solo round and a new class start with. */
export const DEFAULT_PROTOCOL: ProtocolName = paxos.name;

export function protocolFor(name: ProtocolName): Protocol {
  const protocol = registry.get(name);
  if (!protocol) throw new Error(`unknown protocol ${String(name)}`);
  return protocol;
}

/** Every registered protocol, in the order they were registered. */
export function allProtocols(): Protocol[] {
  return [...registry.values()];
}

export function protocolNames(): ProtocolName[] {
  return [...registry.keys()];
}

export function isProtocolName(name: unknown): name is ProtocolName {
  return typeof name === 'string' && registry.has(name);
}

/** A protocol's name in untrusted input: one of those registered when the input is read. */
export const protocolNameSchema: Schema<ProtocolName> = {
  get describe() {
    return `one of ${protocolNames().join(', ')}`;
  },
  parse(value, path = '') {
    if (!isProtocolName(value)) throw new SchemaError(`${path || 'the value'} must be one of ${protocolNames().join(', ')}`);
    return value;
  },
};
