import { describe, expect, it } from 'vitest';
import { runBench } from '../benchRun';

const bench = (args: string[]) => runBench('engine', args);

describe('engine bench', () => {
  it('times one part alone and prints its figures as one JSON line', { timeout: 120_000 }, async () => {
    const run = await bench(['--part', 'log50:multipaxos', '--seconds', '0.2']);
    expect(run.code).toBe(0);
    const figures = JSON.parse(run.stdout.trim()) as Record<string, number>;
    expect(figures.stepsPerSecond).toBeGreaterThan(0);
    expect(figures.stepsPerCpuSecond).toBeGreaterThan(0);
    expect(figures.referenceOpsPerCpuSecond).toBeGreaterThan(0);
    // Four rounds that each decide 50 requests take hundreds of commands each.
    expect(figures.commands).toBeGreaterThan(200);
  });

  it('refuses a part it does not have, and an unknown argument, with its usage and exit code 2', { timeout: 60_000 }, async () => {
    for (const [args, said] of [
      [['--part', 'log50:paxos'], /log50:P for multipaxos, raft/],
      [['--part', 'swarm:nothing'], /--part takes swarm:P/],
      [['--part'], /--part takes swarm:P/],
      [['--fast'], /unknown argument "--fast"/],
    ] as const) {
      const run = await bench([...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(said);
      expect(run.stderr).toMatch(/usage: npm run bench -- engine/);
      expect(run.stdout).toBe('');
    }
  });
});
