/**
 * The swarm: one seed decides every bot choice and every injected fault of a whole round. A safety
 * phase with faults, then a liveness phase on a healed network with every node back up. Invariants
 * are checked after every single step. In a sandbox round some bots also break the protocol's rules
 * now and then, as a player may: what that breaks is expected, and counted apart from failures.
 */
import { checkInvariants } from '../invariants';
import { botDecide, type BotKind } from '../bots';
import type { Protocol } from '../engine/protocol';
import { Rng } from '../engine/rng';
import { step } from '../engine/step';
import type { Command, NodeId, ProtocolName, Settings, World } from '../engine/types';
import { roundStatus, ruleBreakingActions, viewOf } from '../engine/view';
import { createWorld, makeConfig } from '../engine/world';
import { protocolFor } from '../protocols';

export interface SwarmOptions {
  protocol: ProtocolName;
  nodes: number;
  seed: number;
  faults: boolean;
  /** Ticks of the safety phase (faults allowed). */
  safetyTicks?: number;
  /** Ticks the liveness phase may take before the round counts as not live. */
  livenessTicks?: number;
  settings?: Partial<Settings>;
  /** Called after every command the engine accepted, with the world it made. */
  onStep?: (world: World, command: Command) => void;
}

export interface SwarmFailure {
  step: number;
  code: string;
  message: string;
  command: Command | null;
}

export interface SeedResult {
  seed: number;
  steps: number;
  ticks: number;
  decided: boolean;
  /** The tick at which the round became decided, if it did. */
  decidedAt: number | null;
  stuck: boolean;
  failures: SwarmFailure[];
  /** Sandbox rounds: rules the bots broke on purpose. */
  rulesBroken: number;
  /**
   * Sandbox rounds: invariants broken (or a round that never decided) after a rule was broken on
   * purpose. Expected, and counted apart: they are what the rules prevent, not bugs of the engine.
   */
  sandboxBreaks: SwarmFailure[];
  log: Command[];
  world: World;
}

/** Whether the protocol promises to decide once faults stop (majority vote does not: split votes are final). */
export function mustDecide(protocol: ProtocolName): boolean {
  return protocolFor(protocol).decidesOnceHealed;
}

const FAULTS = { drop: 0.06, duplicate: 0.03, delay: 0.03, crash: 0.012, recover: 0.04, partition: 0.01, heal: 0.04 };

/** Chance per tick that a sandbox bot with a rule to break breaks it. */
const REBEL = 0.03;

/** Each node's bot temper, drawn from the seed: with faults some are flaky (they crash and come back). */
export function pickBots(protocol: Protocol, nodes: number, rng: Rng, faults: boolean): BotKind[] {
  const eager = protocol.bots.eagerShare;
  return Array.from({ length: nodes }, (): BotKind => {
    if (faults && rng.chance(0.15)) return 'flaky';
    if (eager > 0 && rng.chance(eager)) return 'eager';
    return rng.chance(0.25) ? 'slow' : 'faithful';
  });
}

export function runSeed(options: SwarmOptions): SeedResult {
  const { protocol, nodes, seed, faults } = options;
  const safetyTicks = options.safetyTicks ?? 120;
  const livenessTicks = options.livenessTicks ?? 1500;
  const rng = Rng.fromSeed(seed ^ 0x5eed5);
  const config = makeConfig(protocol, nodes, seed, options.settings ?? {});
  const rules = protocolFor(protocol);
  const sandbox = config.settings.sandbox;
  let world = createWorld(config);
  const log: Command[] = [];
  const failures: SwarmFailure[] = [];
  const sandboxBreaks: SwarmFailure[] = [];
  const bots = pickBots(rules, nodes, rng, faults);

  const run = (command: Command): boolean => {
    const result = step(world, command);
    if (!result.ok) return false;
    const previous = world;
    world = result.world;
    log.push(command);
    options.onStep?.(world, command);
    // Once a rule was broken on purpose, what breaks is what the rule prevents.
    const expected = world.global.violations.length > 0 ? sandboxBreaks : failures;
    for (const broken of checkInvariants(previous, world)) {
      expected.push({ step: log.length - 1, code: broken.code, message: broken.message, command });
    }
    return true;
  };

  // Clients propose: a protocol that takes one request gets one decree; otherwise one to three nodes get decrees.
  const decrees = config.settings.decrees;
  const asked = rules.clients.oneRequest ? [rng.pick(decrees)!] : decrees.slice(0, rng.int(1, Math.min(3, decrees.length)));
  const requests = rules.clients.openingRequests(asked, config, rng);
  for (const request of requests) run({ type: 'propose', ...request });

  const injectFault = (): void => {
    const inFlight = world.inFlight;
    if (inFlight.length > 0 && rng.chance(FAULTS.drop)) run({ type: 'drop', id: rng.pick(inFlight)!.id });
    if (world.inFlight.length > 0 && rng.chance(FAULTS.duplicate)) run({ type: 'duplicate', id: rng.pick(world.inFlight)!.id });
    if (world.inFlight.length > 0 && rng.chance(FAULTS.delay)) {
      run({ type: 'delay', id: rng.pick(world.inFlight)!.id, ticks: rng.int(1, config.settings.timeoutTicks) });
    }
    const up = world.nodes.filter((n) => !n.crashed).map((n) => n.id);
    const down = world.nodes.filter((n) => n.crashed).map((n) => n.id);
    // A cluster keeps one node up; one machine alone may crash outright, which is the fault it is about.
    if (up.length > (nodes === 1 ? 0 : 1) && rng.chance(FAULTS.crash)) run({ type: 'crash', node: rng.pick(up)! });
    if (down.length > 0 && rng.chance(FAULTS.recover)) run({ type: 'recover', node: rng.pick(down)! });
    if (world.partition === null && rng.chance(FAULTS.partition)) {
      const shuffled = rng.shuffle(Array.from({ length: nodes }, (_, i) => i));
      const cut = rng.int(1, nodes - 1);
      run({ type: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] });
    } else if (world.partition !== null && rng.chance(FAULTS.heal)) run({ type: 'heal' });
  };

  /** A sandbox bot sometimes breaks a rule: one of the moves a player is offered, marked as such. */
  const rebel = (id: NodeId): boolean => {
    const moves = ruleBreakingActions(world, id);
    if (moves.length === 0 || !rng.chance(REBEL)) return false;
    return run({ type: 'act', node: id, action: rng.pick(moves)!.action });
  };

  const botsAct = (allowCrash: boolean, rebels: boolean): void => {
    const order: NodeId[] = rng.shuffle(Array.from({ length: nodes }, (_, i) => i));
    for (const id of order) {
      if (rebels && rebel(id)) continue;
      const command = botDecide(bots[id]!, viewOf(world, id), rng, allowCrash);
      if (command) run(command);
    }
  };

  for (let t = 0; t < safetyTicks; t++) {
    if (faults) injectFault();
    botsAct(faults, sandbox);
    run({ type: 'tick' });
  }

  // Liveness: faults stop, the network heals, every node comes back.
  if (world.partition !== null) run({ type: 'heal' });
  for (const node of world.nodes) if (node.crashed) run({ type: 'recover', node: node.id });
  // Clients whose request may have been lost with a crashed node ask again, as real clients retry.
  if (!roundStatus(world).decided) for (const request of requests) run({ type: 'propose', ...request });
  let decidedAt: number | null = roundStatus(world).decided ? world.tick : null;
  const deadline = world.tick + livenessTicks;
  while (decidedAt === null && world.tick < deadline) {
    botsAct(false, false);
    run({ type: 'tick' });
    if (roundStatus(world).decided) decidedAt = world.tick;
  }
  const status = roundStatus(world);
  if (decidedAt === null && rules.decidesOnceHealed && !status.stuck) {
    (world.global.violations.length > 0 ? sandboxBreaks : failures).push({
      step: log.length,
      code: 'liveness',
      message: `Not decided within ${livenessTicks} ticks after faults stopped.`,
      command: null,
    });
  }
  return {
    seed,
    steps: log.length,
    ticks: world.tick,
    decided: decidedAt !== null,
    decidedAt,
    stuck: status.stuck,
    failures,
    rulesBroken: world.global.violations.length,
    sandboxBreaks,
    log,
    world,
  };
}

/** The command line that re-runs one seed. */
export function reproduceCommand(options: SwarmOptions): string {
  const election = options.settings?.election;
  const flags = [options.faults && ' --faults', options.settings?.gossip && ' --gossip', options.settings?.sandbox && ' --sandbox', election && ` --election ${election}`];
  return `npm run sim -- --protocol ${options.protocol} --nodes ${options.nodes} --seed ${options.seed}${flags.filter(Boolean).join('')}`;
}
