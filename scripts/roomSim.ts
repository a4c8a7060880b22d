/**
 * `npm run sim -- --rooms --seeds S [--start K] [--steps N]`: the room swarm (server/sim/roomSwarm.ts),
 * S seeds of a class driven through the room core. A progress line goes to stderr; the last stdout
 * line is one JSON summary with `violations`. Exits 1 on any violation, naming the seed.
 */
import { runRoomSeed, type RoomViolation } from '../server/sim/roomSwarm';
import { failWith, type Fail, noSeeds, readSeedFlag, seedCount, wholeNumber } from './flags';

const USAGE = `usage: npm run sim -- --rooms (--seeds S | --seed K) [--start K] [--steps N]

  --seeds   how many seeds to run (seeds start..start+S-1)
  --start   first seed (default 0)
  --seed    run exactly this one seed and print its violations in full
  --steps   moves per seed (default 60)
`;

const fail: Fail = failWith(USAGE);

export function main(argv: string[]): number {
  const seedFlags = noSeeds();
  let steps: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (readSeedFlag(arg, () => argv[++i], seedFlags, fail)) continue;
    if (arg === '--steps') steps = wholeNumber(arg, argv[++i], fail);
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else fail(`unknown argument "${arg}"`);
  }
  const seeds = seedCount(seedFlags, fail);
  const start = seedFlags.start;
  const began = performance.now();
  const counts: Record<string, number> = {};
  const failedSeeds: { seed: number; first: RoomViolation; reproduce: string }[] = [];
  let violations = 0;
  let lastProgress = 0;
  for (let i = 0; i < seeds; i++) {
    const seed = start + i;
    const result = runRoomSeed(seed, steps === undefined ? {} : { steps });
    for (const [k, v] of Object.entries(result.counts)) counts[k] = (counts[k] ?? 0) + v;
    if (result.violations.length > 0) {
      violations += result.counts.violations ?? result.violations.length;
      const reproduce = `npm run sim -- --rooms --seed ${seed}${steps === undefined ? '' : ` --steps ${steps}`}`;
      failedSeeds.push({ seed, first: result.violations[0]!, reproduce });
      const shown = seeds === 1 ? result.violations : result.violations.slice(0, 1);
      for (const v of shown) process.stderr.write(`\nseed ${seed}, step ${v.step}: ${v.code}: ${v.message}`);
      process.stderr.write(`\n  reproduce with: ${reproduce}\n`);
    }
    const now = performance.now();
    if (now - lastProgress > 250 || i === seeds - 1) {
      lastProgress = now;
      process.stderr.write(`\rrooms: ${i + 1}/${seeds} seeds (${Math.round(((i + 1) / seeds) * 100)}%), ${failedSeeds.length} failing`);
    }
  }
  process.stderr.write('\n');
  delete counts.violations;
  const summary = { rooms: true, seeds, start, violations, failingSeeds: failedSeeds.length, counts, ms: Math.round(performance.now() - began), failedSeeds: failedSeeds.slice(0, 20) };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return failedSeeds.length > 0 ? 1 : 0;
}
