import { isProtocolName, protocolFor, protocolNames } from '../protocols';
import { MAX_DECREE_LENGTH, MAX_DECREES, MAX_LATENCY_TICKS, MAX_SEED, MAX_TIMEOUT_TICKS } from './limits';
import { StepContext } from './context';
import { seedRng } from './rng';
import { ELECTION_POLICIES, type NodeState, type RoundConfig, type Settings, type World } from './types';

export const DEFAULT_SETTINGS: Settings = {
  latencyMin: 2,
  latencyMax: 6,
  sandbox: false,
  gossip: false,
  timeoutTicks: 30,
  decrees: ['X', 'Y', 'Z'],
};

/** The shortest timeout a round may have, in round trips (there and back, 2 × latencyMax) at the slowest latency. */
export const MIN_TIMEOUT_ROUND_TRIPS = 1;
/** The timeout a round gets unless its setup names one, in round trips at the slowest latency... */
export const DEFAULT_TIMEOUT_ROUND_TRIPS = 2;
/** ...and never below this many ticks. */
export const DEFAULT_TIMEOUT_TICKS = 30;

/**
 * The timeout that fits a latency: two round trips at the slowest latency, so that a proposer
 * (Paxos) or a coordinator (2PC) hears its answers before it gives up, and at least 30 ticks.
 */
export function timeoutForLatency(latencyMax: number): number {
  return Math.max(DEFAULT_TIMEOUT_TICKS, DEFAULT_TIMEOUT_ROUND_TRIPS * 2 * latencyMax);
}

/** A round's config; without a timeout of its own it gets the one that fits its latency. */
export function makeConfig(
  protocol: RoundConfig['protocol'],
  nodes: number,
  seed: number,
  settings: Partial<Settings> = {},
): RoundConfig {
  const merged = { ...DEFAULT_SETTINGS, ...settings };
  if (settings.timeoutTicks === undefined) merged.timeoutTicks = timeoutForLatency(merged.latencyMax);
  return { protocol, nodes, seed, settings: merged };
}

/**
 * What is wrong with a new round's config, or null: its shape (`configShapeProblem`), and settings
 * under which the round might never decide. Shared by the engine and the server's setup.
 */
export function configProblem(config: RoundConfig): string | null {
  const shape = configShapeProblem(config);
  if (shape) return shape;
  const { timeoutTicks, latencyMax } = config.settings;
  const roundTrip = 2 * latencyMax;
  if (timeoutTicks < MIN_TIMEOUT_ROUND_TRIPS * roundTrip) {
    return (
      `the timeout (${timeoutTicks} ticks) is shorter than one round trip at the slowest latency (2 × ${latencyMax} = ${roundTrip} ticks): ` +
      'nodes would give up on their ballots and votes before an answer could come back, and the round might never decide'
    );
  }
  const election = config.settings.electionTimeout;
  if (election) {
    if (election.min < roundTrip) {
      return (
        `the shortest election timeout (${election.min} ticks) is shorter than one round trip at the slowest latency (2 × ${latencyMax} = ${roundTrip} ticks): ` +
        "a candidate's timer would fire again before its votes could come back, and no election might ever be won"
      );
    }
    if (election.max - election.min < latencyMax) {
      return (
        `the election timeouts (${election.min} to ${election.max} ticks) spread over less than one hop at the slowest latency (${latencyMax} ticks): ` +
        "servers that stood for election together would often stand together again before one's RequestVote could reach the others, and split votes could go on and on"
      );
    }
  }
  return null;
}

/**
 * What makes a config impossible to run at all, or null. Round documents are loaded and replayed
 * with this check alone: a round is replayed as it was played, whatever its settings.
 */
export function configShapeProblem(config: RoundConfig): string | null {
  if (!isProtocolName(config.protocol)) return `protocol must be one of ${protocolNames().join(', ')}`;
  const { title, nodeRange } = protocolFor(config.protocol);
  if (!Number.isInteger(config.nodes) || config.nodes < nodeRange.min || config.nodes > nodeRange.max) {
    return `nodes must be a whole number from ${nodeRange.min} to ${nodeRange.max} for ${title}`;
  }
  if (!Number.isInteger(config.seed) || config.seed < 0 || config.seed > MAX_SEED) {
    return `seed must be a whole number from 0 to ${MAX_SEED}`;
  }
  const s = config.settings;
  if (!Number.isInteger(s.latencyMin) || !Number.isInteger(s.latencyMax) || s.latencyMin < 1 || s.latencyMax < s.latencyMin || s.latencyMax > MAX_LATENCY_TICKS) {
    return `latency must be whole ticks with 1 <= latencyMin <= latencyMax <= ${MAX_LATENCY_TICKS}`;
  }
  if (!Number.isInteger(s.timeoutTicks) || s.timeoutTicks < 1 || s.timeoutTicks > MAX_TIMEOUT_TICKS) {
    return `timeoutTicks must be a whole number from 1 to ${MAX_TIMEOUT_TICKS}`;
  }
  if (s.noTimeouts !== undefined && typeof s.noTimeouts !== 'boolean') return 'noTimeouts must be true or false';
  if (s.election !== undefined && !(ELECTION_POLICIES as readonly unknown[]).includes(s.election)) {
    return `election must be ${ELECTION_POLICIES.map((p) => `"${p}"`).join(' or ')}: naive (every node that suspects the leader runs at once) or ranked (in the order of names, each waiting its turn)`;
  }
  if (s.electionTimeout !== undefined) {
    const e = s.electionTimeout as { min?: unknown; max?: unknown } | null;
    const whole = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_TIMEOUT_TICKS;
    if (typeof e !== 'object' || e === null || !whole(e.min) || !whole(e.max) || e.max < e.min) {
      return `electionTimeout must be whole ticks with 1 <= min <= max <= ${MAX_TIMEOUT_TICKS}`;
    }
  }
  if (s.decrees.length < 1 || s.decrees.length > MAX_DECREES) return `there must be 1 to ${MAX_DECREES} decrees in play`;
  if (s.decrees.some((d) => d.trim().length === 0 || d.length > MAX_DECREE_LENGTH)) return `each decree is 1 to ${MAX_DECREE_LENGTH} characters`;
  if (new Set(s.decrees).size !== s.decrees.length) return 'the decrees in play must differ from each other';
  return null;
}

/** The world at tick 0: every node up with fresh state and the timers it starts with, nothing in flight. */
export function createWorld(config: RoundConfig): World {
  const problem = configShapeProblem(config);
  if (problem) throw new Error(`invalid round config: ${problem}`);
  const protocol = protocolFor(config.protocol);
  const nodes: NodeState[] = [];
  for (let id = 0; id < config.nodes; id++) {
    nodes.push({
      id,
      crashed: false,
      durable: protocol.initDurable(config, id),
      volatile: protocol.initVolatile(config, id),
      inbox: [],
      timers: [],
    });
  }
  const world: World = {
    config,
    tick: 0,
    step: 0,
    rng: seedRng(config.seed),
    nextMessageId: 1,
    nextTimerAt: null,
    nodes,
    inFlight: [],
    partition: null,
    proposed: [],
    global: { boxes: [], chosen: [], violations: [], stuck: false, downtime: [], protocol: protocol.startGlobal(config) },
  };
  if (!protocol.onStart) return world;
  // The nodes set the timers they start with; nothing of it is an event (it shows in their views).
  const ctx = new StepContext(world, protocol);
  for (let id = 0; id < config.nodes; id++) protocol.onStart(ctx, id);
  ctx.world.rng = ctx.rng.state();
  return ctx.world;
}
