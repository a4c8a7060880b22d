/**
 * A small text language for scripted rounds: the transcript tests are written in it, and lessons can
 * script their scenarios with it. One command per line:
 *
 *   config paxos nodes=3 seed=1 latency=1-2 timeout=30 sandbox gossip no-timeouts decrees=X,Y,Z
 *   config multipaxos election=naive   (Multi-Paxos's election policy: naive or ranked)
 *   config raft election-timeout=10-20   (Raft's randomized election timeouts: from-to ticks)
 *   propose A X              a client asks node A to get X decided
 *   act A prepare ballot=1   a node's action: kind, then field=value pairs (msg=4, value=X, vote=yes)
 *   tick [N]                 advance the clock N ticks (default 1)
 *   deliver 4 | drop 4 | duplicate 4 | delay 4 10
 *   crash B | recover B | partition A,B C,D,E | heal
 *
 * Node names are letters (A is node 0). Numbers become numbers; everything else stays text.
 */
import { nodeIdFromName } from './names';
import { isProtocolName, protocolNames } from '../protocols';
import type { Action, Command, NodeId, RoundConfig, Settings } from './types';
import { makeConfig } from './world';

export type ScriptLine = { kind: 'config'; config: RoundConfig } | { kind: 'commands'; commands: Command[] };

export class ScriptError extends Error {}

function node(name: string | undefined): NodeId {
  const id = name === undefined ? null : nodeIdFromName(name);
  if (id === null) throw new ScriptError(`"${name ?? ''}" is not a node name (A to I)`);
  return id;
}

function whole(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new ScriptError(`${what} must be a whole number, not "${text ?? ''}"`);
  return Number(text);
}

function value(text: string): string | number | boolean {
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

function parseConfig(words: string[]): RoundConfig {
  const [protocol, ...options] = words;
  if (!isProtocolName(protocol)) {
    throw new ScriptError(`config needs a protocol: ${protocolNames().join(', ')}`);
  }
  let nodes = 3;
  let seed = 1;
  const settings: Partial<Settings> = {};
  for (const option of options) {
    const [key, raw = ''] = option.split('=');
    switch (key) {
      case 'nodes':
        nodes = whole(raw, 'nodes');
        break;
      case 'seed':
        seed = whole(raw, 'seed');
        break;
      case 'latency': {
        const [min, max = min] = raw.split('-');
        settings.latencyMin = whole(min, 'latency');
        settings.latencyMax = whole(max, 'latency');
        break;
      }
      case 'timeout':
        settings.timeoutTicks = whole(raw, 'timeout');
        break;
      case 'decrees':
        settings.decrees = raw.split(',');
        break;
      case 'sandbox':
        settings.sandbox = true;
        break;
      case 'gossip':
        settings.gossip = true;
        break;
      case 'no-timeouts':
        settings.noTimeouts = true;
        break;
      case 'election':
        if (raw !== 'naive' && raw !== 'ranked') throw new ScriptError(`election is naive or ranked, not "${raw}"`);
        settings.election = raw;
        break;
      case 'election-timeout': {
        const [min, max = min] = raw.split('-');
        settings.electionTimeout = { min: whole(min, 'election-timeout'), max: whole(max, 'election-timeout') };
        break;
      }
      default:
        throw new ScriptError(`unknown config option "${option}"`);
    }
  }
  return makeConfig(protocol, nodes, seed, settings);
}

export function parseScriptLine(line: string): ScriptLine {
  const words = line.trim().split(/\s+/);
  const [verb, ...args] = words;
  switch (verb) {
    case 'config':
      return { kind: 'config', config: parseConfig(args) };
    case 'propose':
      if (args.length !== 2) throw new ScriptError('propose needs a node and a decree: propose A X');
      return { kind: 'commands', commands: [{ type: 'propose', node: node(args[0]), decree: args[1]! }] };
    case 'act': {
      const [who, kind, ...fields] = args;
      if (!kind) throw new ScriptError('act needs a node and an action: act A prepare ballot=1');
      const action: Action = { kind };
      for (const field of fields) {
        const eq = field.indexOf('=');
        if (eq <= 0) throw new ScriptError(`action fields are key=value, not "${field}"`);
        action[field.slice(0, eq)] = value(field.slice(eq + 1));
      }
      return { kind: 'commands', commands: [{ type: 'act', node: node(who), action }] };
    }
    case 'tick': {
      const count = args[0] === undefined ? 1 : whole(args[0], 'tick count');
      return { kind: 'commands', commands: Array.from({ length: count }, (): Command => ({ type: 'tick' })) };
    }
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return { kind: 'commands', commands: [{ type: verb, id: whole(args[0], 'message id') }] };
    case 'delay':
      return { kind: 'commands', commands: [{ type: 'delay', id: whole(args[0], 'message id'), ticks: whole(args[1], 'delay') }] };
    case 'crash':
    case 'recover':
      return { kind: 'commands', commands: [{ type: verb, node: node(args[0]) }] };
    case 'partition':
      return { kind: 'commands', commands: [{ type: 'partition', groups: args.map((g) => g.split(',').map((n) => node(n))) }] };
    case 'heal':
      return { kind: 'commands', commands: [{ type: 'heal' }] };
    default:
      throw new ScriptError(`unknown command "${verb ?? ''}"`);
  }
}
