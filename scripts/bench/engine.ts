/**
 * Engine benchmark: raw steps per second for each protocol (re-running recorded swarm logs through
 * `step`, without bots or invariant checks), and seek times into a 10,000-command round via Replay.
 * Targets: at least 200,000 steps/s for a 5-node Paxos world; seek p99 at most 5 ms. A second case
 * per protocol has clients ask for 50 decrees, so that a protocol that keeps a log (Raft) runs with a
 * 50-entry log: at least 200,000 steps/s for Raft at N = 5.
 */
import { Replay } from '../../shared/engine/replay';
import { step } from '../../shared/engine/step';
import type { Command, World } from '../../shared/engine/types';
import { createWorld } from '../../shared/engine/world';
import { Rng } from '../../shared/engine/rng';
import { runSeed } from '../../shared/sim/swarm';
import { protocolFor, protocolNames } from '../../shared/protocols';
import { botDecide } from '../../shared/bots';
import { roundStatus, viewOf } from '../../shared/engine/view';
import { makeConfig } from '../../shared/engine/world';
import type { ProtocolName } from '../../shared/engine/types';

/** Five nodes, or as near as the protocol allows (one machine is one node, two generals two). */
function fiveOr(protocol: ProtocolName): number {
  const { min, max } = protocolFor(protocol).nodeRange;
  return Math.min(max, Math.max(min, 5));
}

/** How many decrees clients ask for in the long-log case. */
const LONG_LOG_DECREES = 50;

/**
 * A round of faithful bots, without faults, in which clients ask for 50 decrees, one after another
 * to the nodes in turn: until the round decides them (or 3,000 ticks pass).
 */
function longLogRound(protocol: ProtocolName, seed: number): { start: World; log: Command[] } {
  const config = makeConfig(protocol, fiveOr(protocol), seed);
  const start = createWorld(config);
  const rng = Rng.fromSeed(seed);
  const log: Command[] = [];
  let world = start;
  const run = (command: Command): void => {
    const result = step(world, command);
    if (!result.ok) return;
    world = result.world;
    log.push(command);
  };
  for (let i = 0; i < LONG_LOG_DECREES; i++) run({ type: 'propose', node: i % config.nodes, decree: `d${i + 1}` });
  for (let t = 0; t < 3000 && !roundStatus(world).decided; t++) {
    for (const node of world.nodes) {
      const command = botDecide('faithful', viewOf(world, node.id), rng, false);
      if (command) run(command);
    }
    run({ type: 'tick' });
  }
  return { start, log };
}

/** Steps per second re-running recorded rounds through `step`, for about `seconds`. */
function timeRounds(rounds: readonly { start: World; log: Command[] }[], seconds: number, what: string): number {
  let steps = 0;
  const began = performance.now();
  while (performance.now() - began < seconds * 1000) {
    for (const { start, log } of rounds) {
      let world = start;
      for (const command of log) {
        const result = step(world, command);
        if (result.ok) world = result.world;
      }
      steps += log.length;
    }
    progress(`engine: ${what} ${steps} steps`);
  }
  return Math.round(steps / ((performance.now() - began) / 1000));
}

const USAGE = 'usage: npm run bench -- engine [--seconds S]\n';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

let lastProgress = 0;
function progress(text: string): void {
  const now = performance.now();
  if (now - lastProgress < 250) return;
  lastProgress = now;
  process.stderr.write(`\r${text}`.padEnd(72));
}

export async function run(args: string[]): Promise<void> {
  let seconds = 2;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seconds' && /^\d+(\.\d+)?$/.test(args[i + 1] ?? '')) seconds = Number(args[++i]);
    else {
      process.stderr.write(`unknown argument "${args[i]}"\n${USAGE}`);
      process.exit(2);
    }
  }

  const stepsPerSecond: Record<string, number> = {};
  for (const protocol of protocolNames()) {
    // Record real rounds (bots and faults), then time only the engine re-running them.
    const rounds: { start: World; log: Command[] }[] = [];
    for (let seed = 0; seed < 40; seed++) {
      const r = runSeed({ protocol, nodes: fiveOr(protocol), seed, faults: true });
      rounds.push({ start: createWorld(r.world.config), log: r.log });
    }
    let steps = 0;
    const began = performance.now();
    while (performance.now() - began < seconds * 1000) {
      for (const { start, log } of rounds) {
        let world = start;
        for (const command of log) {
          const result = step(world, command);
          if (result.ok) world = result.world;
        }
        steps += log.length;
      }
      progress(`engine: ${protocol} ${steps} steps`);
    }
    stepsPerSecond[protocol] = Math.round(steps / ((performance.now() - began) / 1000));
  }

  const longLogStepsPerSecond: Record<string, number> = {};
  for (const protocol of protocolNames()) {
    progress(`engine: recording ${protocol} rounds of ${LONG_LOG_DECREES} decrees`);
    const rounds = [1, 2, 3, 4].map((seed) => longLogRound(protocol, seed));
    longLogStepsPerSecond[protocol] = timeRounds(rounds, seconds, `${protocol}, ${LONG_LOG_DECREES} decrees,`);
  }

  // A 10,000-command round: a long faulty Paxos run, cut to exactly 10,000 commands.
  progress('engine: recording a 10,000-command round');
  const long = runSeed({ protocol: 'paxos', nodes: 5, seed: 2024, faults: true, safetyTicks: 9600 });
  const log = long.log.slice(0, 10_000);
  if (log.length < 10_000) throw new Error(`the long round has only ${log.length} commands`);
  const built = performance.now();
  const replay = new Replay(long.world.config, log);
  const buildMs = performance.now() - built;
  const rng = Rng.fromSeed(7);
  const seeks: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const target = rng.int(0, log.length);
    const t = performance.now();
    replay.worldAt(target);
    seeks.push(performance.now() - t);
  }
  seeks.sort((a, b) => a - b);
  process.stderr.write('\n');
  const result = {
    stepsPerSecond,
    paxos5StepsPerSecond: stepsPerSecond.paxos,
    longLogStepsPerSecond,
    roundCommands: log.length,
    replayBuildMs: Number(buildMs.toFixed(1)),
    seekP50Ms: Number(percentile(seeks, 50).toFixed(3)),
    seekP99Ms: Number(percentile(seeks, 99).toFixed(3)),
    seekMaxMs: Number(seeks[seeks.length - 1]!.toFixed(3)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
