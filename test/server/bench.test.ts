import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench } from '../benchRun';
import { parseOptions } from '../../scripts/bench/server';

const bench = (args: string[]) => runBench('server', args);

const WINDOW_FIELDS = [
  'clients',
  'actionsPerSecond',
  'framesPerSecond',
  'kbPerSecond',
  'p50Ms',
  'p99Ms',
  'cpuPercent',
  'rssMb',
  'errors',
  'lateViews',
  'leaves',
  'joinFailures',
  'loopDelayP99Ms',
  'loopDelayMaxMs',
  'clientCpuPercent',
  'loadAverage',
];
const CLASS_FIELDS = [...WINDOW_FIELDS, 'instructorFramesPerSecond', 'instructorKbPerSecond', 'roundsCompleted', 'refusedControls', 'refusedActs'];

describe('server bench options', () => {
  it('take rooms by default, or one class of at most 200 students', () => {
    expect(parseOptions([])).toEqual({ students: null, rooms: 200, seconds: 30, profileDir: null });
    expect(parseOptions(['--class', '200', '--seconds', '20'])).toEqual({ students: 200, rooms: 200, seconds: 20, profileDir: null });
    expect(parseOptions(['--rooms', '5'])).toMatchObject({ students: null, rooms: 5 });
    expect(parseOptions(['--class', '10', '--profile', 'prof'])).toMatchObject({ students: 10, profileDir: resolve('prof') });
  });

  it('refuse what they cannot run, saying why', () => {
    expect(parseOptions(['--class', '201'])).toMatch(/at most 200/);
    expect(parseOptions(['--class', '0'])).toMatch(/positive whole number/);
    expect(parseOptions(['--class', '2.5'])).toMatch(/positive whole number/);
    expect(parseOptions(['--seconds', 'ten'])).toMatch(/positive whole number/);
    expect(parseOptions(['--class'])).toMatch(/needs a value/);
    expect(parseOptions(['--class', '--seconds', '3'])).toMatch(/needs a value/);
    expect(parseOptions(['--rooms', '3', '--class', '10'])).toMatch(/give one/);
    expect(parseOptions(['--groups', '3'])).toMatch(/unknown option "--groups"/);
  });

  it('end the run with the usage and exit code 2 when they are wrong', async () => {
    const run = await bench(['--class', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--class needs a positive whole number/);
    expect(run.stderr).toMatch(/usage: npm run bench -- server/);
    expect(run.stdout).toBe('');
  });
});

describe('server bench, class mode', () => {
  it('puts 10 students in 2 groups and prints both speeds, the echo baseline and the ratios as the last JSON line', { timeout: 240_000 }, async () => {
    const run = await bench(['--class', '10', '--seconds', '2']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(result).toMatchObject({ bench: 'server-class', students: 10, groups: 2, seconds: 2 });
    expect(typeof result.roundsCompleted).toBe('number');
    for (const speed of ['speed1', 'speed4'] as const) {
      const window = result[speed] as Record<string, unknown>;
      for (const field of CLASS_FIELDS) expect(typeof window[field], `${speed}.${field}`).toBe('number');
      expect(window.clients).toBe(10);
      expect(window.joinFailures).toBe(0);
      expect(window.stealPercent === null || typeof window.stealPercent === 'number').toBe(true);
    }
    const baseline = result.baseline as Record<string, unknown>;
    for (const field of WINDOW_FIELDS) expect(typeof baseline[field], `baseline.${field}`).toBe('number');
    expect(baseline.clients).toBe(10);
    expect(typeof result.p99Ratio1).toBe('number');
    expect(typeof result.p99Ratio4).toBe('number');
    // The students acted and their views came back, at both speeds and in the echo room.
    expect((result.speed1 as { actionsPerSecond: number }).actionsPerSecond).toBeGreaterThan(0);
    expect((result.speed4 as { p50Ms: number }).p50Ms).toBeGreaterThan(0);
    expect((baseline as { p50Ms: number }).p50Ms).toBeGreaterThan(0);
  });
});
