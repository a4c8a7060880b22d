/**
 * The swarm: one seed decides every bot choice and every injected fault of a whole round. A safety
 * phase with faults, then a liveness phase on a healed network with every node back up. Invariants
 * are checked after every single step.
 */
import { checkInvariants } from '../invariants';
import { botDecide, type BotKind } from '../bots';
import { Rng } from '../engine/rng';
import { step } from '../engine/step';
import type { Command, NodeId, ProtocolName, Settings, World } from '../engine/types';
import { roundStatus, viewOf } from '../engine/view';
import { createWorld, makeConfig } from '../engine/world';

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
  log: Command[];
  world: World;
}

/** Whether the protocol promises to decide once faults stop (majority vote does not: split votes are final). */
export function mustDecide(protocol: ProtocolName): boolean {
  return protocol !== 'majority';
}

const FAULTS = { drop: 0.06, duplicate: 0.03, delay: 0.03, crash: 0.012, recover: 0.04, partition: 0.01, heal: 0.04 };

function pickBots(protocol: ProtocolName, nodes: number, rng: Rng, faults: boolean): BotKind[] {
  return Array.from({ length: nodes }, (_, id): BotKind => {
    if (faults && rng.chance(0.15)) return 'flaky';
    if (protocol === 'paxos' && rng.chance(0.3)) return 'eager';
    return rng.chance(0.25) ? 'slow' : 'faithful';
  });
}

export function runSeed(options: SwarmOptions): SeedResult {
  const { protocol, nodes, seed, faults } = options;
  const safetyTicks = options.safetyTicks ?? 120;
  const livenessTicks = options.livenessTicks ?? 1500;
  const rng = Rng.fromSeed(seed ^ 0x5eed5);
  const config = makeConfig(protocol, nodes, seed, options.settings ?? {});
  let world = createWorld(config);
  const log: Command[] = [];
  const failures: SwarmFailure[] = [];
  const bots = pickBots(protocol, nodes, rng, faults);

  const run = (command: Command): boolean => {
    const result = step(world, command);
    if (!result.ok) return false;
    const previous = world;
    world = result.world;
    log.push(command);
    for (const broken of checkInvariants(previous, world)) {
      failures.push({ step: log.length - 1, code: broken.code, message: broken.message, command });
    }
    return true;
  };

  // Clients propose: the 2PC coordinator gets one transaction; otherwise one to three nodes get decrees.
  const decrees = config.settings.decrees;
  const requests: { node: NodeId; decree: string }[] = [];
  if (protocol === '2pc') requests.push({ node: 0, decree: decrees[rng.int(0, decrees.length - 1)]! });
  else {
    const count = rng.int(1, Math.min(3, decrees.length));
    const targets = rng.shuffle(Array.from({ length: nodes }, (_, i) => i)).slice(0, count);
    targets.forEach((node, i) => requests.push({ node, decree: decrees[i]! }));
  }
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
    if (up.length > 1 && rng.chance(FAULTS.crash)) run({ type: 'crash', node: rng.pick(up)! });
    if (down.length > 0 && rng.chance(FAULTS.recover)) run({ type: 'recover', node: rng.pick(down)! });
    if (world.partition === null && rng.chance(FAULTS.partition)) {
      const shuffled = rng.shuffle(Array.from({ length: nodes }, (_, i) => i));
      const cut = rng.int(1, nodes - 1);
      run({ type: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] });
    } else if (world.partition !== null && rng.chance(FAULTS.heal)) run({ type: 'heal' });
  };

  const botsAct = (allowCrash: boolean): void => {
    const order: NodeId[] = rng.shuffle(Array.from({ length: nodes }, (_, i) => i));
    for (const id of order) {
      const command = botDecide(bots[id]!, viewOf(world, id), rng, allowCrash);
      if (command) run(command);
    }
  };

  for (let t = 0; t < safetyTicks; t++) {
    if (faults) injectFault();
    botsAct(faults);
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
    botsAct(false);
    run({ type: 'tick' });
    if (roundStatus(world).decided) decidedAt = world.tick;
  }
  const status = roundStatus(world);
  if (decidedAt === null && mustDecide(protocol) && !status.stuck) {
    failures.push({
      step: log.length,
      code: 'liveness',
      message: `Not decided within ${livenessTicks} ticks after faults stopped.`,
      command: null,
    });
  }
  return { seed, steps: log.length, ticks: world.tick, decided: decidedAt !== null, decidedAt, stuck: status.stuck, failures, log, world };
}

/** The command line that re-runs one seed. */
export function reproduceCommand(options: SwarmOptions): string {
  return `npm run sim -- --protocol ${options.protocol} --nodes ${options.nodes} --seed ${options.seed}${options.faults ? ' --faults' : ''}`;
}
