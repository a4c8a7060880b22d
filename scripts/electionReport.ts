/**
 * `npm run sim -- --election-report --nodes N (--seeds S | --seed K) [--start K] [--election naive|ranked]
 * [--crash-at T] [--watch W] [--request-rate R]`: how Multi-Paxos's election policies recover from a
 * leader's crash (shared/sim/election.ts says what is measured and how). Each seed is played under
 * each policy. A progress line goes to stderr; stdout gets one JSON summary line per policy. Exits 1
 * if an invariant broke, naming the seed.
 */
import { ELECTION_POLICIES, type ElectionPolicy } from '../shared/engine/types';
import { protocolFor } from '../shared/protocols';
import {
  ELECTION_DEFAULTS,
  electionReproduceCommand,
  runElectionTrial,
  summarizeElection,
  figuresOf,
  type ElectionFigures,
  type ElectionTrialOptions,
} from '../shared/sim/election';
import { electionPolicy, failWith, type Fail, noSeeds, readSeedFlag, seedCount, wholeNumber } from './flags';

const { min: MIN, max: MAX } = protocolFor('multipaxos').nodeRange;

const USAGE = `usage: npm run sim -- --election-report --nodes N (--seeds S | --seed K) [--start K] [--election naive|ranked]
                         [--crash-at T] [--watch W] [--request-rate R]

Multi-Paxos with bots and a stream of client requests; at tick T the leader crashes and stays down,
and the W ticks after it are watched, under each election policy from the same seed. One JSON line
per policy, with medians, p10 and p90 (nearest rank) over the seeds:
  ticksToPromises   ticks from the crash until another node leads: it holds promises from a majority
                    for a ballot above the crashed leader's
  ticksToLeader     ticks from the crash until such a leader is recognised: a majority of all N nodes,
                    itself included, are up and believe in it under that ballot
  ballotsToLeader   runs for leader (phase 1s begun) from the crash until that recognition
  newLeader         how many of the measured seeds had a recognised new leader within the ticks watched
                    (noNewLeaderSeeds: the first 20 that had none; --seed K re-runs one)
  slotsPer100       slots chosen (no-ops included) per 100 ticks watched after the crash;
                    slotsFirst100: in the first 100 ticks after the crash alone;
                    slotsPer100Before: over the ticks before the crash
  measured          seeds with a recognised leader at tick T (only these crash and are measured)

  --nodes          cluster size, ${MIN} to ${MAX}
  --seeds          how many seeds to run (seeds start..start+S-1)
  --start          first seed (default 0)
  --seed           run exactly this one seed, and print each policy's trial to stderr
  --election       run one policy only (default: both)
  --crash-at       the tick at which the leader crashes (default ${ELECTION_DEFAULTS.crashAt})
  --watch          ticks watched after the crash (default ${ELECTION_DEFAULTS.watch})
  --request-rate   chance per tick that a client sends a request, above 0 and at most 1 (default ${ELECTION_DEFAULTS.requestRate})
`;

const fail: Fail = failWith(USAGE);

interface Args {
  nodes: number;
  seeds: number;
  start: number;
  policies: ElectionPolicy[];
  crashAt: number;
  watch: number;
  requestRate: number;
  single: boolean;
}

function parseArgs(argv: string[]): Args | null {
  let nodes: number | undefined;
  const seedFlags = noSeeds();
  let policies: ElectionPolicy[] = [...ELECTION_POLICIES];
  let crashAt: number = ELECTION_DEFAULTS.crashAt;
  let watch: number = ELECTION_DEFAULTS.watch;
  let requestRate: number = ELECTION_DEFAULTS.requestRate;
  const int = (flag: string, value: string | undefined): number => wholeNumber(flag, value, fail);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (readSeedFlag(arg, () => argv[++i], seedFlags, fail)) continue;
    switch (arg) {
      case '--nodes':
        nodes = int(arg, argv[++i]);
        break;
      case '--election':
        policies = [electionPolicy(argv[++i], fail)];
        break;
      case '--crash-at':
        crashAt = int(arg, argv[++i]);
        break;
      case '--watch':
        watch = int(arg, argv[++i]);
        break;
      case '--request-rate': {
        const value = argv[++i];
        const rate = value !== undefined && /^(0|1)?(\.\d+)?$|^1$/.test(value) ? Number(value) : NaN;
        if (!(rate > 0 && rate <= 1)) fail('--request-rate must be a number above 0 and at most 1, such as 0.1');
        requestRate = rate;
        break;
      }
      case '--protocol':
        if (argv[++i] !== 'multipaxos') fail('the election report plays multipaxos only');
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return null;
      default:
        fail(`unknown argument "${arg}"`);
    }
  }
  if (nodes === undefined || nodes < MIN || nodes > MAX) fail(`--nodes must be from ${MIN} to ${MAX}`);
  const seeds = seedCount(seedFlags, fail);
  if (crashAt < 1) fail('--crash-at must be at least 1: a leader must be elected before it can crash');
  if (watch < 1) fail('--watch must be at least 1');
  return { nodes, seeds, start: seedFlags.start, policies, crashAt, watch, requestRate, single: seedFlags.single };
}

export function main(argv: string[]): number {
  const args = parseArgs(argv);
  if (args === null) return 0;
  const began = performance.now();
  const trials: ElectionFigures[] = [];
  const failedSeeds: { seed: number; election: ElectionPolicy; code: string; message: string; step: number; reproduce: string }[] = [];
  let lastProgress = 0;
  for (let i = 0; i < args.seeds; i++) {
    const seed = args.start + i;
    for (const election of args.policies) {
      const options: ElectionTrialOptions = { nodes: args.nodes, seed, election, crashAt: args.crashAt, watch: args.watch, requestRate: args.requestRate };
      const trial = runElectionTrial(options);
      if (args.single) process.stderr.write(`${JSON.stringify(figuresOf(trial))}\n`);
      if (trial.failures.length > 0) {
        const first = trial.failures[0]!;
        const reproduce = electionReproduceCommand(options);
        failedSeeds.push({ seed, election, code: first.code, message: first.message, step: first.step, reproduce });
        process.stderr.write(`\nseed ${seed} (${election}): ${first.code} at step ${first.step}: ${first.message}\n  reproduce with: ${reproduce}\n`);
        if (args.single) for (const f of trial.failures.slice(0, 20)) process.stderr.write(`  step ${f.step} ${JSON.stringify(f.command)}: ${f.message}\n`);
      }
      // The summaries need only the figures: each round is let go.
      trials.push(figuresOf(trial));
    }
    const now = performance.now();
    if (now - lastProgress > 250 || i === args.seeds - 1) {
      lastProgress = now;
      const pct = Math.round(((i + 1) / args.seeds) * 100);
      process.stderr.write(`\relection report n=${args.nodes}: ${i + 1}/${args.seeds} seeds (${pct}%), ${failedSeeds.length} failing`);
    }
  }
  process.stderr.write('\n');
  const ms = Math.round(performance.now() - began);
  for (const election of args.policies) {
    const summary = summarizeElection(trials, election);
    const failed = failedSeeds.filter((f) => f.election === election).slice(0, 20);
    process.stdout.write(`${JSON.stringify({ ...summary, start: args.start, requestRate: args.requestRate, ms, failedSeeds: failed })}\n`);
  }
  return failedSeeds.length > 0 ? 1 : 0;
}
