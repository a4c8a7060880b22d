/**
 * Figures for benchmarks that hold on a shared machine: frame statistics of a page and of its bare
 * baseline measured in alternating slices, the ratios between them, and the CPU time the hypervisor
 * took from this machine (steal) while they ran.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Nearest-rank percentile of an ascending list; NaN when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

export interface FrameFigures {
  frames: number;
  frameP50Ms: number;
  frameP95Ms: number;
  framesOver33Ms: number;
  /** Share of frames longer than 33 ms (two frames at 60 Hz), in percent. */
  over33Pct: number;
}

export function frameFigures(intervals: readonly number[]): FrameFigures {
  const sorted = intervals.slice().sort((a, b) => a - b);
  const over = intervals.filter((x) => x > 33).length;
  return {
    frames: intervals.length,
    frameP50Ms: round2(percentile(sorted, 50)),
    frameP95Ms: round2(percentile(sorted, 95)),
    framesOver33Ms: over,
    over33Pct: intervals.length > 0 ? round2((100 * over) / intervals.length) : NaN,
  };
}

/** a / b to two decimals; NaN when b is not positive. */
export function ratio(a: number, b: number): number {
  return b > 0 ? round2(a / b) : NaN;
}

/** How a page compares with its baseline: the goals are p95Ratio <= 1.1 and over33PointsAbove <= 1. */
export function compareFrames(page: FrameFigures, baseline: FrameFigures): { p95Ratio: number; over33PointsAbove: number } {
  return { p95Ratio: ratio(page.frameP95Ms, baseline.frameP95Ms), over33PointsAbove: round2(page.over33Pct - baseline.over33Pct) };
}

/** The machine's CPU time so far, in clock ticks: all of it, and what the hypervisor stole. */
export interface CpuTimes {
  total: number;
  steal: number;
}

/**
 * Reads the first line of /proc/stat: user nice system idle iowait irq softirq steal guest guest_nice.
 * Guest time is already counted in user and nice, so the total is the first eight columns.
 */
export function parseCpuTimes(stat: string): CpuTimes {
  const line = stat.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('no "cpu" line in /proc/stat');
  const columns = line.trim().split(/\s+/).slice(1, 9).map(Number);
  while (columns.length < 8) columns.push(0);
  return { total: columns.reduce((a, b) => a + b, 0), steal: columns[7]! };
}

export function readCpuTimes(): CpuTimes | null {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Steal between two readings, as a percentage of all CPU time in between; null when unknown. */
export function stealPercent(before: CpuTimes | null, after: CpuTimes | null): number | null {
  if (!before || !after) return null;
  const total = after.total - before.total;
  return total > 0 ? round2((100 * (after.steal - before.steal)) / total) : null;
}

/** CPU seconds (user + system) used so far by every live descendant of `root`: the browser it launched. */
export function descendantsCpuSeconds(root: number = process.pid): number {
  const parents = new Map<number, number>();
  const used = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      used.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  for (const [pid, seconds] of used) {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) {
      if (p === root) {
        total += seconds;
        break;
      }
    }
  }
  return total;
}

/** USER_HZ: /proc reports CPU times in these ticks per second (100 on Linux everywhere). */
const CLOCK_TICKS = 100;
