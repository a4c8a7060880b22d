/**
 * Engine benchmark: raw steps per second for each protocol (re-running recorded swarm logs through
 * `step`, without bots or invariant checks), and seek times into a 10,000-command round via Replay.
 * Targets: at least 200,000 steps/s for a 5-node Paxos world, and for 5-node Multi-Paxos and Raft
 * worlds whose logs grow to 50 entries; seek p99 at most 5 ms.
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
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
import type { ProtocolName } from '../../shared/engine/types';

const USAGE = [
  'usage: npm run bench -- engine [--seconds S] [--one-process] [--part KIND:PROTOCOL]',
  '  --seconds S       time each part for S seconds, after a second of warm-up (default 2)',
  '  --one-process     time every part in this process, one after another, instead of each in a fresh one',
  '  --part K:P        time one part only and print its figures: K is swarm (40 swarm rounds at N=5)',
  '                    or log50 (rounds of a 50-entry log at N=5, for multipaxos and raft), P a protocol',
  '',
].join('\n');

/** Entries in the long logs. */
const LOG_ENTRIES = 50;

/** The protocols with a leader and a log, timed with a 50-entry log. */
const LONG_LOG_PROTOCOLS: readonly ProtocolName[] = ['multipaxos', 'raft'];

/**
 * A round at N=5 that decides a log of 50 decrees: clients hand them to random nodes, a few at a
 * time, and bots play every seat until all are applied everywhere. Its command log.
 */
function longLogRound(protocol: ProtocolName, seed: number): { start: World; log: Command[] } {
  const config = makeConfig(protocol, 5, seed);
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
  if (!roundStatus(world).decided) throw new Error(`the ${protocol} round of seed ${seed} did not apply all ${LOG_ENTRIES} entries everywhere`);
  return { start, log };
}

/** Re-runs one round through `step`; returns the steps run. */
function runRound({ start, log }: { start: World; log: Command[] }): number {
  let world = start;
  for (const command of log) {
    const result = step(world, command);
    if (result.ok) world = result.world;
  }
  return log.length;
}

/** CPU milliseconds this process has used: unlike the clock, it does not run on while other processes have the cores. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * A fixed piece of work that uses no project code, to measure how fast this machine runs right now:
 * the kind of work a step does (small records made anew, short arrays copied, a sentence built).
 * Its figure changes with the machine's load, never with the engine's code, so a figure divided by
 * it compares across runs on a shared machine. Returns its checksum, so none of it is skipped.
 */
const REFERENCE_OPS = 2000;
const referenceList = Array.from({ length: 24 }, (_, i) => ({ id: i, at: i * 3 }));
function referenceWork(): number {
  let sum = 0;
  let list = referenceList;
  for (let i = 0; i < REFERENCE_OPS; i++) {
    const record = { id: i, from: i % 5, to: (i + 1) % 5, sentAt: i, deliverAt: i + 3, note: null as string | null };
    const next = list.slice(1);
    next.push({ id: record.id, at: record.deliverAt });
    list = next;
    record.note = `node ${record.from} sent ${record.id} to node ${record.to}.`;
    sum += record.note.length + list[list.length - 1]!.at;
  }
  return sum;
}

/** How long each part's rounds and the reference work run untimed before they are timed. */
const WARM_UP_SECONDS = 1;

/**
 * Steps per second of re-running these rounds through `step` for about `seconds` (after a warm-up of
 * both), each round followed by as much CPU time of the reference work, so that both are measured
 * under the same load; and reference ops per second. Steps per second by the clock, as before, and per CPU second.
 */
function timeRounds(
  rounds: { start: World; log: Command[] }[],
  seconds: number,
  label: string,
): { stepsPerSecond: number; stepsPerCpuSecond: number; referenceOpsPerCpuSecond: number } {
  let steps = 0;
  let ops = 0;
  let stepMs = 0;
  let stepCpuMs = 0;
  let referenceCpuMs = 0;
  let checksum = 0;
  // Untimed first: the code is compiled and optimized as it runs, and that start-up is not its speed.
  const warming = performance.now();
  while (performance.now() - warming < WARM_UP_SECONDS * 1000) {
    for (const round of rounds) {
      runRound(round);
      checksum += referenceWork();
    }
    progress(`engine: ${label} warming up`);
  }
  const began = performance.now();
  while (performance.now() - began < seconds * 1000) {
    for (const round of rounds) {
      const t0 = performance.now();
      const c0 = cpuMs();
      steps += runRound(round);
      const c1 = cpuMs();
      stepMs += performance.now() - t0;
      do {
        checksum += referenceWork();
        ops += REFERENCE_OPS;
      } while (cpuMs() - c1 < c1 - c0);
      referenceCpuMs += cpuMs() - c1;
      stepCpuMs += c1 - c0;
    }
    progress(`engine: ${label} ${steps} steps`);
  }
  if (checksum === 0) throw new Error('the reference work did nothing');
  return {
    stepsPerSecond: Math.round(steps / (stepMs / 1000)),
    stepsPerCpuSecond: Math.round(steps / (stepCpuMs / 1000)),
    referenceOpsPerCpuSecond: Math.round(ops / (referenceCpuMs / 1000)),
  };
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

/** A part of the benchmark: one protocol's swarm rounds, or its rounds of a 50-entry log. */
type Part = { kind: 'swarm' | 'log50'; protocol: ProtocolName };

interface PartResult {
  stepsPerSecond: number;
  stepsPerCpuSecond: number;
  referenceOpsPerCpuSecond: number;
  /** Commands per round, for the 50-entry logs. */
  commands?: number;
}

/** Records a part's rounds and times them, in this process. */
function timePart({ kind, protocol }: Part, seconds: number): PartResult {
  if (kind === 'log50') {
    progress(`engine: recording ${protocol} rounds of a 50-entry log`);
    const rounds = [1, 2, 3, 4].map((seed) => longLogRound(protocol, seed));
    return { ...timeRounds(rounds, seconds, `${protocol}, 50-entry log`), commands: rounds.reduce((n, r) => n + r.log.length, 0) / rounds.length };
  }
  // Record real rounds (bots and faults), then time only the engine re-running them.
  const rounds: { start: World; log: Command[] }[] = [];
  for (let seed = 0; seed < 40; seed++) {
    // Five nodes, or as near as the protocol allows (one machine is one node, two generals are two).
    const { min, max } = protocolFor(protocol).nodeRange;
    const r = runSeed({ protocol, nodes: Math.min(max, Math.max(min, 5)), seed, faults: true });
    rounds.push({ start: createWorld(r.world.config), log: r.log });
  }
  return timeRounds(rounds, seconds, protocol);
}

/**
 * Times a part in a process of its own (this script again, with `--part`). A process slows down as it
 * runs (the reference work too, by as much as half, by the time the eighth protocol is timed), so
 * each part gets a fresh one and no figure depends on the parts timed before it.
 */
function timePartAlone(part: Part, seconds: number): Promise<PartResult> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1]!, ['engine', '--seconds', String(seconds), '--part', `${part.kind}:${part.protocol}`], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`timing ${part.protocol} (${part.kind}) failed with exit code ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as PartResult);
    });
  });
}

function parsePart(text: string): Part | null {
  const [kind, protocol] = text.split(':');
  if ((kind !== 'swarm' && kind !== 'log50') || !(protocolNames() as readonly string[]).includes(protocol ?? '')) return null;
  if (kind === 'log50' && !LONG_LOG_PROTOCOLS.includes(protocol as ProtocolName)) return null;
  return { kind, protocol: protocol as ProtocolName };
}

export async function run(args: string[]): Promise<void> {
  let seconds = 2;
  let oneProcess = false;
  let only: Part | null = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seconds' && /^\d+(\.\d+)?$/.test(args[i + 1] ?? '')) seconds = Number(args[++i]);
    else if (args[i] === '--one-process') oneProcess = true;
    else if (args[i] === '--part') {
      only = parsePart(args[++i] ?? '');
      if (!only) {
        process.stderr.write(`--part takes swarm:P for a protocol P of ${protocolNames().join(', ')}, or log50:P for ${LONG_LOG_PROTOCOLS.join(', ')}\n${USAGE}`);
        process.exit(2);
      }
    } else {
      process.stderr.write(`unknown argument "${args[i]}"\n${USAGE}`);
      process.exit(2);
    }
  }
  if (only) {
    process.stdout.write(`${JSON.stringify(timePart(only, seconds))}\n`);
    return;
  }

  const time = (part: Part): Promise<PartResult> => (oneProcess ? Promise.resolve(timePart(part, seconds)) : timePartAlone(part, seconds));
  const stepsPerSecond: Record<string, number> = {};
  const stepsPerCpuSecond: Record<string, number> = {};
  /** The reference work's speed while each protocol was timed: the machine's speed at that moment. */
  const referenceOpsPerCpuSecond: Record<string, number> = {};
  for (const protocol of protocolNames()) {
    const timed = await time({ kind: 'swarm', protocol });
    stepsPerSecond[protocol] = timed.stepsPerSecond;
    stepsPerCpuSecond[protocol] = timed.stepsPerCpuSecond;
    referenceOpsPerCpuSecond[protocol] = timed.referenceOpsPerCpuSecond;
  }

  const longLogs = new Map<ProtocolName, PartResult>();
  for (const protocol of LONG_LOG_PROTOCOLS) longLogs.set(protocol, await time({ kind: 'log50', protocol }));
  const longLogFigures = Object.fromEntries(
    [...longLogs].flatMap(([protocol, timed]) => [
      [`${protocol}5Log50StepsPerSecond`, timed.stepsPerSecond],
      // Per CPU second, and divided by the reference work's speed measured beside it (steps per
      // reference op), and by Paxos's in the same run: figures that hold across runs when the shared
      // machine's speed does not.
      [`${protocol}5Log50StepsPerCpuSecond`, timed.stepsPerCpuSecond],
      [`${protocol}5Log50PerReference`, Number((timed.stepsPerCpuSecond / timed.referenceOpsPerCpuSecond).toFixed(4))],
      [`${protocol}5Log50PerPaxos5`, Number((timed.stepsPerCpuSecond / stepsPerCpuSecond.paxos!).toFixed(4))],
      [`${protocol}5Log50Commands`, timed.commands],
    ]),
  );

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
    // Each protocol timed in a process of its own, or all in this one (`--one-process`).
    processes: oneProcess ? 'one' : 'one per part',
    stepsPerSecond,
    paxos5StepsPerSecond: stepsPerSecond.paxos,
    paxos5StepsPerCpuSecond: stepsPerCpuSecond.paxos,
    paxos5PerReference: Number((stepsPerCpuSecond.paxos! / referenceOpsPerCpuSecond.paxos!).toFixed(4)),
    ...longLogFigures,
    referenceOpsPerCpuSecond: referenceOpsPerCpuSecond.paxos,
    loadAverage: Number(loadavg()[0]!.toFixed(2)),
    roundCommands: log.length,
    replayBuildMs: Number(buildMs.toFixed(1)),
    seekP50Ms: Number(percentile(seeks, 50).toFixed(3)),
    seekP99Ms: Number(percentile(seeks, 99).toFixed(3)),
    seekMaxMs: Number(seeks[seeks.length - 1]!.toFixed(3)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
