import { MAX_DECREE_LENGTH, MAX_DECREES, MAX_DELAY_TICKS, MAX_LATENCY_TICKS, MAX_MESSAGE_ID, MAX_NODES, MAX_SEED, MAX_TIMEOUT_TICKS, MIN_NODES } from '../engine/limits';
import { ELECTION_POLICIES, type Command, type RoundConfig, type Settings } from '../engine/types';
import { protocolNameSchema } from '../protocols';
import { bool, check, int, list, literal, object, oneOf, str, tagged, type Schema, SchemaError } from './schema';

const NODE = int(0, MAX_NODES - 1);
const MESSAGE = int(1, MAX_MESSAGE_ID);

/** An action's outer shape; the protocol checks its fields. */
export const actionShape: Schema<{ kind: string; [field: string]: unknown }> = {
  describe: 'an action object with a kind',
  parse(value, path = 'action') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SchemaError(`${path} must be an object`);
    const kind = Object.hasOwn(value, 'kind') ? (value as Record<string, unknown>).kind : undefined;
    if (typeof kind !== 'string' || kind.length === 0 || kind.length > 32) throw new SchemaError(`${path}.kind must be a short text`);
    if (Object.keys(value).length > 8) throw new SchemaError(`${path} has too many fields`);
    return value as { kind: string };
  },
};

export const commandSchema: Schema<Command> = tagged<Command>('type', {
  act: object({ type: literal('act'), node: NODE, action: actionShape }),
  tick: object({ type: literal('tick') }),
  deliver: object({ type: literal('deliver'), id: MESSAGE }),
  drop: object({ type: literal('drop'), id: MESSAGE }),
  delay: object({ type: literal('delay'), id: MESSAGE, ticks: int(1, MAX_DELAY_TICKS) }),
  duplicate: object({ type: literal('duplicate'), id: MESSAGE }),
  crash: object({ type: literal('crash'), node: NODE }),
  recover: object({ type: literal('recover'), node: NODE }),
  partition: object({ type: literal('partition'), groups: list(list(NODE, 0, MAX_NODES), 1, MAX_NODES) }),
  heal: object({ type: literal('heal') }),
  propose: object({ type: literal('propose'), node: NODE, decree: str(1, MAX_DECREE_LENGTH) }),
});

export const settingsSchema: Schema<Settings> = object({
  latencyMin: int(1, MAX_LATENCY_TICKS),
  latencyMax: int(1, MAX_LATENCY_TICKS),
  sandbox: bool,
  gossip: bool,
  timeoutTicks: int(1, MAX_TIMEOUT_TICKS),
  /** Absent in every round played before the setting existed: off. */
  noTimeouts: bool,
  /** Multi-Paxos's election policy; absent: ranked, and in every round of another protocol. */
  election: oneOf(ELECTION_POLICIES),
  /** Raft's election timeouts; absent in every round that did not set them: from the round's timeout. */
  electionTimeout: object({ min: int(1, MAX_TIMEOUT_TICKS), max: int(1, MAX_TIMEOUT_TICKS) }),
  decrees: list(str(1, MAX_DECREE_LENGTH), 1, MAX_DECREES),
}, ['noTimeouts', 'election', 'electionTimeout']);

export const configSchema: Schema<RoundConfig> = object({
  protocol: protocolNameSchema,
  nodes: int(MIN_NODES, MAX_NODES),
  seed: int(0, MAX_SEED),
  settings: settingsSchema,
});

export function parseCommand(raw: unknown): { ok: true; value: Command } | { ok: false; error: string } {
  return check(commandSchema, raw);
}
