/**
 * The election report: how Multi-Paxos's election policies recover from a leader's crash. One trial
 * plays one seed under one policy: bots play every node, clients send a stream of requests, and at
 * tick `crashAt` the trial crashes the leader, keeps it down, and watches what follows:
 *
 * - the leader at the crash: an up node that leads (it won phase 1 for its ballot) and is recognised,
 *   that is, a majority of all N nodes, itself included, are up and believe in it under that ballot;
 * - a new leader: the first node other than the crashed one to lead under a ballot higher than the
 *   crashed leader's (it holds promises from a majority for it: `wonAfter`), and then the first moment
 *   such a leader is recognised as above (`recognisedAfter`), both in ticks after the crash;
 * - ballots started: the runs for leader (`elect` moves, each one a phase 1 begun) from the crash up
 *   to that recognition, or to the end of the watch when none came;
 * - slots chosen in the `watch` ticks after the crash, per 100 ticks, no-ops included, and in the
 *   first 100 of them alone (held requests reach the new leader, so a long watch hides the outage);
 *   the same figure over the ticks before the crash is the steady state it is compared with.
 *
 * Both policies of one seed get the same bots (tempers and rng) and the same requests at the same
 * ticks; the first election already follows the policy, so the leader that crashes may differ.
 * Invariants are checked after every step, as in the swarm.
 */
import { botDecide } from '../bots';
import { checkInvariants } from '../invariants';
import { majorityOf } from '../engine/names';
import { Rng } from '../engine/rng';
import { step } from '../engine/step';
import type { Command, ElectionPolicy, NodeId, Settings, World } from '../engine/types';
import { viewOf } from '../engine/view';
import { createWorld, makeConfig } from '../engine/world';
import { protocolFor } from '../protocols';
import { NOOP, type MpVolatile } from '../protocols/multipaxos';
import { pickBots, type SwarmFailure } from './swarm';

/** The ticks right after the crash in which the slots chosen are also counted apart (`slotsFirst100`). */
const FIRST_TICKS_WATCHED = 100;

export const ELECTION_DEFAULTS = {
  /** The tick at which the leader crashes. */
  crashAt: 200,
  /** How many ticks after the crash are watched. */
  watch: 300,
  /** The chance per tick that a client sends a request. */
  requestRate: 0.1,
} as const;

export interface ElectionTrialOptions {
  nodes: number;
  seed: number;
  election: ElectionPolicy;
  crashAt?: number;
  watch?: number;
  requestRate?: number;
  /** Other round settings (latency, timeout); the election is `election`. */
  settings?: Partial<Settings>;
}

interface Ballot {
  n: number;
  node: NodeId;
}

/** What one trial measured. */
export interface ElectionFigures {
  seed: number;
  nodes: number;
  election: ElectionPolicy;
  crashAt: number;
  watch: number;
  /** The recognised leader at `crashAt`, which crashed; null when none was (then nothing crashed and nothing is measured). */
  leader: NodeId | null;
  leaderBallot: Ballot | null;
  /** The new leader that was first recognised after the crash, within the ticks watched. */
  newLeader: NodeId | null;
  newBallot: Ballot | null;
  /** Ticks from the crash until a node other than the crashed one led under a higher ballot (a majority of promises). */
  wonAfter: number | null;
  /** Ticks from the crash until such a leader was recognised by a majority of all nodes, itself included. */
  recognisedAfter: number | null;
  /** Runs for leader (phase 1s begun) from the crash until `recognisedAfter`, or until the end of the watch without one. */
  ballots: number;
  /** Runs for leader in all the ticks watched. */
  ballotsWatched: number;
  /** Slots first chosen in the ticks watched (no-ops included), and those that hold a client's request. */
  slotsChosen: number;
  requestsChosen: number;
  /** Slots chosen per 100 ticks watched after the crash, and over the ticks before it. */
  slotsPer100: number;
  slotsPer100Before: number;
  /** Slots chosen in the first 100 ticks after the crash, when the outage weighs most (per 100 ticks, should the watch be shorter). */
  slotsFirst100: number;
  failures: SwarmFailure[];
  /** Indices in `log` of the crash and of the step that made the new leader recognised. */
  crashStep: number | null;
  recognisedStep: number | null;
}

/** A trial: its figures, and the round it played (its command log and last world) to check them against. */
export interface ElectionTrial extends ElectionFigures {
  log: Command[];
  world: World;
}

/** A trial's figures without its round. */
export function figuresOf(trial: ElectionTrial): ElectionFigures {
  const { log: _log, world: _world, ...figures } = trial;
  return figures;
}

function compare(a: Ballot, b: Ballot): number {
  return a.n - b.n || a.node - b.node;
}

function mpVolatile(world: World, id: NodeId): MpVolatile {
  return world.nodes[id]!.volatile as MpVolatile;
}

/**
 * The leader a majority recognises: an up node that leads under ballot b, while at least a majority
 * of all nodes (counting itself) are up and believe in it under b. Among several, the highest ballot.
 * `above`: only a leader under a ballot higher than this one counts.
 */
export function recognisedLeader(world: World, above: Ballot | null = null): { node: NodeId; ballot: Ballot } | null {
  let best: { node: NodeId; ballot: Ballot } | null = null;
  for (const node of world.nodes) {
    const lead = node.crashed ? null : (node.volatile as MpVolatile).lead;
    if (!lead || (above && compare(lead.ballot, above) <= 0)) continue;
    if (best && compare(lead.ballot, best.ballot) <= 0) continue;
    let believers = 0;
    for (const other of world.nodes) {
      if (other.crashed) continue;
      const v = other.volatile as MpVolatile;
      if (v.leader === node.id && v.leaderBallot && compare(v.leaderBallot, lead.ballot) === 0) believers += 1;
    }
    if (believers >= majorityOf(world.config.nodes)) best = { node: node.id, ballot: lead.ballot };
  }
  return best;
}

/** An up node other than `except` that leads (won phase 1) under a ballot above `above`; the highest such. */
export function leaderAbove(world: World, above: Ballot, except: NodeId): { node: NodeId; ballot: Ballot } | null {
  let best: { node: NodeId; ballot: Ballot } | null = null;
  for (const node of world.nodes) {
    if (node.crashed || node.id === except) continue;
    const lead = (node.volatile as MpVolatile).lead;
    if (lead && compare(lead.ballot, above) > 0 && (!best || compare(lead.ballot, best.ballot) > 0)) best = { node: node.id, ballot: lead.ballot };
  }
  return best;
}

/** The slots first chosen in ticks (from, to], and how many of them hold a request rather than a no-op. */
export function slotsChosenBetween(world: World, from: number, to: number): { slots: number; requests: number } {
  const seen = new Set<number>();
  let slots = 0;
  let requests = 0;
  for (const c of world.global.chosen) {
    if (seen.has(c.slot)) continue;
    seen.add(c.slot);
    if (c.tick <= from || c.tick > to) continue;
    slots += 1;
    if (c.decree !== NOOP) requests += 1;
  }
  return { slots, requests };
}

const per100 = (count: number, ticks: number): number => (ticks > 0 ? Math.round((count * 10000) / ticks) / 100 : 0);

/** One seed under one election policy: a steady state, the leader's crash at `crashAt`, and `watch` ticks after it. */
export function runElectionTrial(options: ElectionTrialOptions): ElectionTrial {
  const { nodes, seed, election } = options;
  const crashAt = options.crashAt ?? ELECTION_DEFAULTS.crashAt;
  const watch = options.watch ?? ELECTION_DEFAULTS.watch;
  const requestRate = options.requestRate ?? ELECTION_DEFAULTS.requestRate;
  const config = makeConfig('multipaxos', nodes, seed, { ...options.settings, election });
  let world = createWorld(config);
  // The bots' rng is the swarm's; the clients' has a stream of its own, so both policies get the same requests.
  const rng = Rng.fromSeed(seed ^ 0x5eed5);
  const clients = Rng.fromSeed(seed ^ 0xc11e47);
  const bots = pickBots(protocolFor('multipaxos'), nodes, rng, false);
  const log: Command[] = [];
  const failures: SwarmFailure[] = [];

  let crashStep: number | null = null;
  let leader: { node: NodeId; ballot: Ballot } | null = null;
  let won: number | null = null;
  let recognised: { node: NodeId; ballot: Ballot; tick: number; step: number } | null = null;
  let ballots = 0;
  let ballotsWatched = 0;

  const run = (command: Command): boolean => {
    const result = step(world, command);
    if (!result.ok) return false;
    const previous = world;
    world = result.world;
    log.push(command);
    for (const broken of checkInvariants(previous, world)) failures.push({ step: log.length - 1, code: broken.code, message: broken.message, command });
    if (leader === null) return true;
    if (command.type === 'act' && command.action.kind === 'elect') {
      ballotsWatched += 1;
      if (recognised === null) ballots += 1;
    }
    if (won === null && leaderAbove(world, leader.ballot, leader.node)) won = world.tick - crashAt;
    if (recognised === null) {
      const now = recognisedLeader(world, leader.ballot);
      if (now && now.node !== leader.node) recognised = { ...now, tick: world.tick, step: log.length - 1 };
    }
    return true;
  };

  let requests = 0;
  const clientsAsk = (): void => {
    // The same draws every tick, whatever the world holds, so that both policies see the same stream.
    const asks = clients.chance(requestRate);
    const to = clients.int(0, nodes - 1);
    if (!asks) return;
    requests += 1;
    // A client whose node is down asks the next one up.
    for (let k = 0; k < nodes; k++) {
      const node = (to + k) % nodes;
      if (!world.nodes[node]!.crashed) {
        run({ type: 'propose', node, decree: `r${requests}` });
        return;
      }
    }
  };

  const botsAct = (): void => {
    for (const id of rng.shuffle(Array.from({ length: nodes }, (_, i) => i))) {
      const command = botDecide(bots[id]!, viewOf(world, id), rng, false);
      if (command) run(command);
    }
  };

  const end = crashAt + watch;
  while (world.tick < end) {
    if (world.tick === crashAt) {
      leader = recognisedLeader(world);
      if (leader === null) break;
      run({ type: 'crash', node: leader.node });
      crashStep = log.length - 1;
    }
    clientsAsk();
    botsAct();
    run({ type: 'tick' });
  }

  const after = slotsChosenBetween(world, crashAt, end);
  const before = slotsChosenBetween(world, 0, crashAt);
  const early = Math.min(FIRST_TICKS_WATCHED, watch);
  const first = slotsChosenBetween(world, crashAt, crashAt + early);
  const measured = leader !== null;
  const r = recognised as { node: NodeId; ballot: Ballot; tick: number; step: number } | null;
  return {
    seed,
    nodes,
    election,
    crashAt,
    watch,
    leader: leader?.node ?? null,
    leaderBallot: leader?.ballot ?? null,
    newLeader: r?.node ?? null,
    newBallot: r?.ballot ?? null,
    wonAfter: won,
    recognisedAfter: r ? r.tick - crashAt : null,
    ballots,
    ballotsWatched,
    slotsChosen: measured ? after.slots : 0,
    requestsChosen: measured ? after.requests : 0,
    slotsPer100: measured ? per100(after.slots, watch) : 0,
    slotsPer100Before: per100(before.slots, crashAt),
    slotsFirst100: measured ? per100(first.slots, early) : 0,
    failures,
    crashStep,
    recognisedStep: r?.step ?? null,
    log,
    world,
  };
}

/** A distribution in a few figures; percentiles by nearest rank (the smallest value with at least p of them at or below it). */
export interface Spread {
  median: number;
  p10: number;
  p90: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  return { median: percentile(sorted, 0.5), p10: percentile(sorted, 0.1), p90: percentile(sorted, 0.9), max: sorted[sorted.length - 1]! };
}

export interface ElectionSummary {
  report: 'election';
  election: ElectionPolicy;
  nodes: number;
  seeds: number;
  crashAt: number;
  watch: number;
  /** Seeds with a recognised leader at the crash tick: the only ones measured. */
  measured: number;
  /** Measured seeds in which a new leader was recognised within the ticks watched. */
  newLeader: number;
  /** The first 20 measured seeds without one, to re-run. */
  noNewLeaderSeeds: number[];
  /** Over the seeds with a new leader: ticks to a majority of promises, ticks to recognition, ballots started until then. */
  ticksToPromises: Spread | null;
  ticksToLeader: Spread | null;
  ballotsToLeader: Spread | null;
  /** Over every measured seed. */
  ballotsWatched: Spread | null;
  slotsPer100: Spread | null;
  slotsPer100Before: Spread | null;
  slotsFirst100: Spread | null;
  /** Seeds in which an invariant broke. */
  violations: number;
}

/** The figures of many trials of one policy. */
export function summarizeElection(trials: readonly ElectionFigures[], election: ElectionPolicy): ElectionSummary {
  const mine = trials.filter((t) => t.election === election);
  const measured = mine.filter((t) => t.leader !== null);
  const found = measured.filter((t) => t.recognisedAfter !== null);
  const first = mine[0];
  return {
    report: 'election',
    election,
    nodes: first?.nodes ?? 0,
    seeds: mine.length,
    crashAt: first?.crashAt ?? ELECTION_DEFAULTS.crashAt,
    watch: first?.watch ?? ELECTION_DEFAULTS.watch,
    measured: measured.length,
    newLeader: found.length,
    noNewLeaderSeeds: measured.filter((t) => t.recognisedAfter === null).slice(0, 20).map((t) => t.seed),
    ticksToPromises: spreadOf(found.map((t) => t.wonAfter!)),
    ticksToLeader: spreadOf(found.map((t) => t.recognisedAfter!)),
    ballotsToLeader: spreadOf(found.map((t) => t.ballots)),
    ballotsWatched: spreadOf(measured.map((t) => t.ballotsWatched)),
    slotsPer100: spreadOf(measured.map((t) => t.slotsPer100)),
    slotsPer100Before: spreadOf(measured.map((t) => t.slotsPer100Before)),
    slotsFirst100: spreadOf(measured.map((t) => t.slotsFirst100)),
    violations: mine.filter((t) => t.failures.length > 0).length,
  };
}

/** The command line that re-runs one seed of the report. */
export function electionReproduceCommand(options: ElectionTrialOptions): string {
  const extra = [
    options.crashAt !== undefined && options.crashAt !== ELECTION_DEFAULTS.crashAt && ` --crash-at ${options.crashAt}`,
    options.watch !== undefined && options.watch !== ELECTION_DEFAULTS.watch && ` --watch ${options.watch}`,
    options.requestRate !== undefined && options.requestRate !== ELECTION_DEFAULTS.requestRate && ` --request-rate ${options.requestRate}`,
  ];
  return `npm run sim -- --election-report --nodes ${options.nodes} --seed ${options.seed} --election ${options.election}${extra.filter(Boolean).join('')}`;
}
