import { describe, expect, it } from 'vitest';
import { compareFrames, frameFigures, parseCpuTimes, percentile, ratio, stealPercent } from '../../scripts/bench/paired';
import { BENCH_IN_FLIGHT, BENCH_NODES, benchParams, syntheticWorld } from '../../client/src/benchFeed';
import { Shelves } from '../../client/src/game/atlas';

describe('paired bench figures', () => {
  it('counts the frames over 33 ms and their share', () => {
    const figures = frameFigures([16.7, 16.6, 33.4, 16.7, 50, 16.7, 16.7, 16.8, 33, 16.7]);
    expect(figures).toMatchObject({ frames: 10, framesOver33Ms: 2, over33Pct: 20, frameP50Ms: 16.7 });
    expect(figures.frameP95Ms).toBe(50);
  });

  it('compares a page with its baseline as a p95 ratio and the points of long frames above it', () => {
    const page = frameFigures([...Array(94).fill(16.7), ...Array(6).fill(50)]);
    const baseline = frameFigures([...Array(98).fill(16.7), ...Array(2).fill(40)]);
    expect(compareFrames(page, baseline)).toEqual({ p95Ratio: 2.99, over33PointsAbove: 4 });
    expect(ratio(1, 0)).toBeNaN();
  });

  it('reads steal from the cpu line of /proc/stat, guest time not counted twice', () => {
    const stat = (user: number, idle: number, steal: number, guest: number) => `cpu  ${user} 0 100 ${idle} 0 0 0 ${steal} ${guest} 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n`;
    const before = parseCpuTimes(stat(1000, 5000, 100, 50));
    expect(before).toEqual({ total: 6200, steal: 100 });
    // 1,000 ticks pass: 600 busy, 300 idle, 100 stolen.
    const after = parseCpuTimes(stat(1600, 5300, 200, 400));
    expect(stealPercent(before, after)).toBe(10);
    expect(stealPercent(before, before)).toBeNull();
    expect(stealPercent(null, after)).toBeNull();
    expect(() => parseCpuTimes('intr 1 2 3')).toThrow(/cpu/);
  });

  it('takes nearest-rank percentiles of an empty list as NaN', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('bench pages', () => {
  it('take the node and message counts and the canvas size from the query, within bounds', () => {
    expect(benchParams('?bench=baseline&nodes=5&messages=12&width=760&height=759')).toEqual({ nodes: 5, messages: 12, width: 760, height: 759 });
    expect(benchParams('?bench=1')).toEqual({ nodes: BENCH_NODES, messages: BENCH_IN_FLIGHT, width: null, height: null });
    expect(benchParams('?nodes=40&messages=-1&width=1.5')).toEqual({ nodes: BENCH_NODES, messages: BENCH_IN_FLIGHT, width: null, height: null });
  });

  it('feed both pages the same messages for a tick', () => {
    const a = syntheticWorld(42, 300, 9);
    const b = syntheticWorld(42, 300, 9);
    expect(a.inFlight).toHaveLength(300);
    expect(a.inFlight).toEqual(b.inFlight);
    expect(syntheticWorld(43, 300, 9).inFlight).not.toEqual(a.inFlight);
  });
});

describe('atlas shelves', () => {
  it('place frames inside the canvas without overlap, and refuse one that does not fit', () => {
    const shelves = new Shelves(100, 40);
    const placed: { x: number; y: number; w: number; h: number }[] = [];
    for (;;) {
      const w = 20 + ((placed.length * 7) % 25);
      const at = shelves.place(w, 10);
      if (!at) break;
      placed.push({ ...at, w, h: 10 });
    }
    expect(placed.length).toBeGreaterThan(4);
    for (const a of placed) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.y).toBeGreaterThanOrEqual(0);
      expect(a.x + a.w).toBeLessThanOrEqual(100);
      expect(a.y + a.h).toBeLessThanOrEqual(40);
      for (const b of placed) if (a !== b) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
    }
    expect(shelves.place(200, 5)).toBeNull();
    shelves.reset();
    expect(shelves.place(20, 10)).toEqual(placed[0] && { x: placed[0].x, y: placed[0].y });
  });
});
