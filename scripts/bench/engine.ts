/**
 * Engine benchmark: raw steps per second for each protocol (re-running recorded swarm logs through
 * `step`, without bots or invariant checks), and seek times into a 10,000-command round via Replay.
 * Targets: at least 200,000 steps/s for a 5-node Paxos world, and for a 5-node Multi-Paxos world whose
 * log grows to 50 entries; seek p99 at most 5 ms.
 */
import { Replay } from '../../shared/engine/replay';
import { step } from '../../shared/engine/step';
import type { Command, World } from '../../shared/engine/types';
import { createWorld } from '../../shared/engine/world';
import { Rng } from '../../shared/engine/rng';
import { runSeed } from '../../shared/sim/swarm';
import { botDecide, type BotKind } from '../../shared/bots';
import { roundStatus, viewOf } from '../../shared/engine/view';
import { makeConfig } from '../../shared/engine/world';
import { protocolFor, protocolNames } from '../../shared/protocols';

const USAGE = 'usage: npm run bench -- engine [--seconds S]\n';

/** Entries in the long Multi-Paxos log. */
const LOG_ENTRIES = 50;

/**
 * A Multi-Paxos round at N=5 that decides a log of 50 decrees: clients hand them to random nodes, a
 * few at a time, and bots play every seat until all are applied everywhere. Its command log.
 */
function longLogRound(seed: number): { start: World; log: Command[] } {
  const config = makeConfig('multipaxos', 5, seed);
  const start = createWorld(config);
  const rng = Rng.fromSeed(seed);
  const kinds: BotKind[] = ['faithful', 'faithful', 'eager', 'slow', 'faithful'];
  let world = start;
  const log: Command[] = [];
  const run = (command: Command): void => {
    const result = step(world, command);
    if (!result.ok) return;
    world = result.world;
    log.push(command);
  };
  let asked = 0;
  for (let t = 0; t < 20_000 && !(asked === LOG_ENTRIES && roundStatus(world).decided); t++) {
    if (asked < LOG_ENTRIES && rng.chance(0.3)) run({ type: 'propose', node: rng.int(0, 4), decree: `d${++asked}` });
    for (const node of world.nodes) {
      const command = botDecide(kinds[node.id]!, viewOf(world, node.id), rng, false);
      if (command) run(command);
    }
    run({ type: 'tick' });
  }
  const entries = (world.nodes[0]!.durable as { applied: number }).applied;
  if (entries < LOG_ENTRIES) throw new Error(`the Multi-Paxos round applied only ${entries} entries`);
  return { start, log };
}

/** Steps per second of re-running these rounds through `step`, for about `seconds`. */
function timeRounds(rounds: { start: World; log: Command[] }[], seconds: number, label: string): number {
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
    progress(`engine: ${label} ${steps} steps`);
  }
  return Math.round(steps / ((performance.now() - began) / 1000));
}

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
      // Five nodes, or as near as the protocol allows (one machine is one node, two generals are two).
      const { min, max } = protocolFor(protocol).nodeRange;
      const r = runSeed({ protocol, nodes: Math.min(max, Math.max(min, 5)), seed, faults: true });
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

  progress('engine: recording Multi-Paxos rounds of a 50-entry log');
  const longLog = [1, 2, 3, 4].map(longLogRound);
  const multipaxos5Log50StepsPerSecond = timeRounds(longLog, seconds, 'multipaxos, 50-entry log');

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
    multipaxos5Log50StepsPerSecond,
    multipaxos5Log50Commands: longLog.reduce((n, r) => n + r.log.length, 0) / longLog.length,
    roundCommands: log.length,
    replayBuildMs: Number(buildMs.toFixed(1)),
    seekP50Ms: Number(percentile(seeks, 50).toFixed(3)),
    seekP99Ms: Number(percentile(seeks, 99).toFixed(3)),
    seekMaxMs: Number(seeks[seeks.length - 1]!.toFixed(3)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
