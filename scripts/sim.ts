/**
 * `npm run sim -- --protocol P --nodes N --seeds S [--faults] [--gossip] [--sandbox] [--election naive|ranked] [--seed K] [--start K] [--report]`
 * runs the swarm: S seeds of bots, faults and a liveness phase, invariants after every step. A progress
 * line goes to stderr; the last stdout line is one JSON summary. Exits 1 on any violation, naming the seed.
 * In a sandbox round bots break rules on purpose: what that breaks is counted apart (`sandboxBreaks`).
 * `--report` adds, for a protocol with leaders, how many ticks it took to elect a new leader after a leader crashed.
 * `npm run sim -- --rooms --seeds S` runs the room swarm instead (scripts/roomSim.ts), and
 * `npm run sim -- --election-report --nodes N --seeds S` the Multi-Paxos election report (scripts/electionReport.ts).
 */
import { MAX_NODES, MIN_NODES } from '../shared/engine/limits';
import { type Command, type ElectionPolicy, type NodeId, type ProtocolName, type World } from '../shared/engine/types';
import { isProtocolName, protocolFor, protocolNames } from '../shared/protocols';
import { reproduceCommand, runSeed, type SwarmOptions } from '../shared/sim/swarm';
import { electionPolicy, failWith, type Fail, noSeeds, readSeedFlag, seedCount, wholeNumber } from './flags';

const PROTOCOL_CHOICES = protocolNames().join('|');

const USAGE = `usage: npm run sim -- --protocol ${PROTOCOL_CHOICES} --nodes N (--seeds S | --seed K) [--start K] [--faults] [--gossip] [--sandbox] [--election naive|ranked] [--report]
       npm run sim -- --rooms (--seeds S | --seed K) [--start K] [--steps N]
       npm run sim -- --election-report --nodes N (--seeds S | --seed K) [--election naive|ranked] ...
                    (Multi-Paxos after its leader crashes, under each election policy: --election-report --help)

  --protocol   which protocol to run
  --nodes      cluster size, ${MIN_NODES} to ${MAX_NODES}
  --seeds      how many seeds to run (seeds start..start+S-1)
  --start      first seed (default 0)
  --seed       run exactly this one seed and print its failures in full
  --faults     inject drops, duplicates, delays, crashes and partitions during the safety phase
  --gossip     a node that sees a majority announces it
  --sandbox    rule-breaking moves are allowed, and bots make some: what they break is counted apart
  --election   multipaxos only: how a node that suspects the leader runs for leader, naive (at once)
               or ranked (in the order of names, after those before it had their turn; the default)
  --report     for a protocol with leaders (one that shows the leader each node believes in): the ticks
               from a leader's crash until some live node leads again, as median, 90th percentile and
               count (leaderCrashes: crashes of the only leader; reelected: those followed by a new one)
`;

const fail: Fail = failWith(USAGE);

interface Args {
  protocol: ProtocolName;
  nodes: number;
  seeds: number;
  start: number;
  faults: boolean;
  gossip: boolean;
  sandbox: boolean;
  election: ElectionPolicy | undefined;
  report: boolean;
}

function parseArgs(argv: string[]): Args {
  let protocol: string | undefined;
  let nodes: number | undefined;
  const seedFlags = noSeeds();
  let faults = false;
  let gossip = false;
  let sandbox = false;
  let election: ElectionPolicy | undefined;
  let report = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (readSeedFlag(arg, () => argv[++i], seedFlags, fail)) continue;
    switch (arg) {
      case '--protocol':
        protocol = argv[++i];
        break;
      case '--nodes':
        nodes = wholeNumber(arg, argv[++i], fail);
        break;
      case '--faults':
        faults = true;
        break;
      case '--gossip':
        gossip = true;
        break;
      case '--sandbox':
        sandbox = true;
        break;
      case '--election':
        election = electionPolicy(argv[++i], fail);
        break;
      case '--report':
        report = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        fail(`unknown argument "${arg}"`);
    }
  }
  if (!isProtocolName(protocol)) fail(`--protocol must be one of ${protocolNames().join(', ')}`);
  if (nodes === undefined || nodes < MIN_NODES || nodes > MAX_NODES) fail(`--nodes must be from ${MIN_NODES} to ${MAX_NODES}`);
  const seeds = seedCount(seedFlags, fail);
  if (election !== undefined && protocol !== 'multipaxos') fail('--election is a setting of multipaxos only');
  return { protocol, nodes, seeds, start: seedFlags.start, faults, gossip, sandbox, election, report };
}

if (process.argv.includes('--rooms')) {
  const { main } = await import('./roomSim');
  process.exit(main(process.argv.slice(2).filter((arg) => arg !== '--rooms')));
}

if (process.argv.includes('--election-report')) {
  const { main } = await import('./electionReport');
  process.exit(main(process.argv.slice(2).filter((arg) => arg !== '--election-report')));
}

const args = parseArgs(process.argv.slice(2));
const leaders = protocolFor(args.protocol).present.log;
/** Ticks from each crash of the only leader until some live node led again. */
const electionTicks: number[] = [];
let leaderCrashes = 0;

/** The nodes that believe they lead: the leader each believes in is itself. */
function leading(world: World): NodeId[] {
  if (!leaders) return [];
  const out: NodeId[] = [];
  // What a node believes reads its own state only: the god view's other facts are not needed.
  for (const n of world.nodes) if (!n.crashed && leaders.leader({ role: '', crashed: false, durable: n.durable, volatile: n.volatile, timers: n.timers, learned: [] }) === n.id) out.push(n.id);
  return out;
}

/** Watches a round for crashes of its only leader, and times how long until another leads. */
function electionWatch(): (world: World, command: Command) => void {
  let before: NodeId[] = [];
  let crashedAt: number | null = null;
  return (world, command) => {
    const now = leading(world);
    if (crashedAt === null && command.type === 'crash' && before.length === 1 && before[0] === command.node && now.length === 0) {
      crashedAt = world.tick;
      leaderCrashes += 1;
    } else if (crashedAt !== null && now.length > 0) {
      electionTicks.push(world.tick - crashedAt);
      crashedAt = null;
    }
    before = now;
  };
}
const began = performance.now();
let steps = 0;
let decided = 0;
let stuck = 0;
let rulesBroken = 0;
let sandboxBreaks = 0;
const failedSeeds: { seed: number; code: string; message: string; step: number; reproduce: string }[] = [];
let lastProgress = 0;

for (let i = 0; i < args.seeds; i++) {
  const seed = args.start + i;
  const settings = { ...(args.gossip ? { gossip: true } : {}), ...(args.sandbox ? { sandbox: true } : {}), ...(args.election ? { election: args.election } : {}) };
  const options: SwarmOptions = { protocol: args.protocol, nodes: args.nodes, seed, faults: args.faults, settings, ...(args.report ? { onStep: electionWatch() } : {}) };
  const result = runSeed(options);
  steps += result.steps;
  if (result.decided) decided += 1;
  if (result.stuck) stuck += 1;
  rulesBroken += result.rulesBroken;
  if (result.sandboxBreaks.length > 0) sandboxBreaks += 1;
  if (result.failures.length > 0) {
    const first = result.failures[0]!;
    const reproduce = reproduceCommand(options);
    failedSeeds.push({ seed, code: first.code, message: first.message, step: first.step, reproduce });
    process.stderr.write(`\nseed ${seed}: ${first.code} at step ${first.step}: ${first.message}\n  reproduce with: ${reproduce}\n`);
    if (args.seeds === 1) {
      for (const f of result.failures.slice(0, 20)) process.stderr.write(`  step ${f.step} ${JSON.stringify(f.command)}: ${f.message}\n`);
    }
  }
  const now = performance.now();
  if (now - lastProgress > 250 || i === args.seeds - 1) {
    lastProgress = now;
    const pct = Math.round(((i + 1) / args.seeds) * 100);
    process.stderr.write(`\r${args.protocol} n=${args.nodes}: ${i + 1}/${args.seeds} seeds (${pct}%), ${failedSeeds.length} failing, ${steps} steps`);
  }
}
process.stderr.write('\n');

function electionReport(): object {
  if (!leaders) return { leaders: `${args.protocol} has no leader` };
  const sorted = electionTicks.slice().sort((a, b) => a - b);
  const at = (p: number): number | null => (sorted.length > 0 ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : null);
  return { leaderCrashes, reelected: sorted.length, medianTicksToElect: at(0.5), p90TicksToElect: at(0.9) };
}

const summary = {
  protocol: args.protocol,
  nodes: args.nodes,
  seeds: args.seeds,
  faults: args.faults,
  gossip: args.gossip,
  sandbox: args.sandbox,
  ...(args.election ? { election: args.election } : {}),
  steps,
  violations: failedSeeds.length,
  stuck,
  decided,
  // Sandbox rounds: rules the bots broke on purpose, and the seeds in which that broke an invariant or liveness.
  rulesBroken,
  sandboxBreaks,
  ms: Math.round(performance.now() - began),
  failedSeeds: failedSeeds.slice(0, 20),
  ...(args.report ? { report: electionReport() } : {}),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(failedSeeds.length > 0 ? 1 : 0);
