import { describe, expect, it } from 'vitest';
import {
  HIDDEN_STYLE,
  OKABE_ITO,
  TickClock,
  contrastRatio,
  cssColour,
  diffInFlight,
  hopProgress,
  linkCut,
  links,
  messagePosition,
  nodeRadius,
  paletteEntries,
  pick,
  ringPositions,
  shapePoints,
  styleOf,
} from '../../client/src/layout';

const box = { width: 800, height: 600 };
const distance = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

describe('ringPositions', () => {
  for (let n = 3; n <= 9; n++) {
    it(`puts ${n} nodes on a circle inside the box, evenly spaced, none overlapping`, () => {
      const points = ringPositions(n, box);
      expect(points).toHaveLength(n);
      const centre = { x: 400, y: 300 };
      const radii = points.map((p) => distance(p, centre));
      for (const r of radii) expect(r).toBeCloseTo(radii[0]!, 6);
      const r = nodeRadius(n, box);
      for (const p of points) {
        expect(p.x - r).toBeGreaterThanOrEqual(0);
        expect(p.x + r).toBeLessThanOrEqual(box.width);
        expect(p.y - r).toBeGreaterThanOrEqual(0);
        expect(p.y + r).toBeLessThanOrEqual(box.height);
      }
      const gaps = points.map((p, i) => distance(p, points[(i + 1) % n]!));
      for (const g of gaps) {
        expect(g).toBeCloseTo(gaps[0]!, 6);
        expect(g).toBeGreaterThan(2 * r);
      }
    });
  }

  it('puts node A at the top and goes clockwise', () => {
    const [a, b] = ringPositions(4, box);
    expect(a!.x).toBeCloseTo(400);
    expect(a!.y).toBeLessThan(300);
    expect(b!.x).toBeGreaterThan(400);
    expect(b!.y).toBeCloseTo(300);
  });

  it('fits a phone in portrait', () => {
    const phone = { width: 360, height: 420 };
    const points = ringPositions(9, phone);
    const r = nodeRadius(9, phone);
    for (const p of points) expect(p.x - r).toBeGreaterThanOrEqual(0);
    expect(r).toBeGreaterThanOrEqual(14);
  });
});

describe('message interpolation', () => {
  const from = { x: 0, y: 0 };
  const to = { x: 100, y: 0 };

  it('runs from 0 at sentAt to 1 at deliverAt and clamps outside', () => {
    expect(hopProgress(10, 14, 9)).toBe(0);
    expect(hopProgress(10, 14, 10)).toBe(0);
    expect(hopProgress(10, 14, 12)).toBe(0.5);
    expect(hopProgress(10, 14, 14)).toBe(1);
    expect(hopProgress(10, 14, 20)).toBe(1);
    expect(hopProgress(10, 10, 10)).toBe(1);
  });

  it('starts at the sender, ends at the recipient, and moves monotonically towards it', () => {
    expect(messagePosition(from, to, 0, 4, 0)).toEqual({ x: 0, y: 0 });
    const end = messagePosition(from, to, 0, 4, 4);
    expect(end.x).toBeCloseTo(100);
    expect(end.y).toBeCloseTo(0);
    let last = -1;
    for (let t = 0; t <= 4; t += 0.25) {
      const p = messagePosition(from, to, 0, 4, t);
      expect(p.x).toBeGreaterThan(last);
      last = p.x;
    }
  });

  it('puts the two directions of a link on separate lanes', () => {
    const there = messagePosition(from, to, 0, 4, 2);
    const back = messagePosition(to, from, 0, 4, 2);
    expect(Math.abs(there.y - back.y)).toBeGreaterThan(10);
    expect(there.x).toBeCloseTo(back.x);
  });
});

describe('TickClock', () => {
  it('advances smoothly between updates at the expected rate, at most one tick ahead', () => {
    const clock = new TickClock();
    clock.observe(10, 1000, true, 500);
    expect(clock.now(1000)).toBe(10);
    expect(clock.now(1250)).toBeCloseTo(10.5);
    expect(clock.now(1500)).toBeCloseTo(11);
    expect(clock.now(3000)).toBeCloseTo(11);
  });

  it('stands still while paused', () => {
    const clock = new TickClock();
    clock.observe(5, 1000, false, 500);
    expect(clock.now(5000)).toBe(5);
  });

  it('never goes backwards when a late update arrives', () => {
    const clock = new TickClock();
    clock.observe(10, 1000, true, 500);
    expect(clock.now(1400)).toBeCloseTo(10.8);
    clock.observe(10, 1400, true, 500);
    expect(clock.now(1401)).toBeGreaterThanOrEqual(10.8);
    clock.observe(11, 1500, true, 500);
    expect(clock.now(1500)).toBeGreaterThanOrEqual(11);
  });

  it('learns the tick rate from updates when none is given', () => {
    const clock = new TickClock(1000);
    clock.observe(0, 1000, true);
    clock.observe(1, 1100, true);
    for (let i = 2; i < 20; i++) clock.observe(i, 1000 + i * 100, true);
    expect(clock.rate).toBeLessThan(150);
    expect(clock.rate).toBeGreaterThan(90);
  });

  it('starts over when a new round resets the tick', () => {
    const clock = new TickClock();
    clock.observe(50, 1000, true, 500);
    clock.now(1200);
    clock.observe(0, 2000, true, 500);
    expect(clock.now(2000)).toBe(0);
  });
});

describe('palette', () => {
  const kinds = ['prepare', 'promise', 'refuse', 'accept', 'accepted', 'chosen', 'candidate', 'vote', 'victory', 'decision', 'ask', 'answer'];

  it('uses only Okabe-Ito colours', () => {
    const allowed = new Set<number>(Object.values(OKABE_ITO));
    for (const [, style] of paletteEntries()) expect(allowed.has(style.colour)).toBe(true);
  });

  it('tells apart the kinds of one protocol by colour and shape together', () => {
    const protocols = [
      ['prepare', 'promise', 'refuse', 'accept', 'accepted', 'chosen'],
      ['candidate', 'vote', 'victory'],
      ['prepare', 'vote', 'decision', 'ask', 'answer'],
    ];
    for (const group of protocols) {
      const keys = group.map((k) => `${styleOf(k).colour}/${styleOf(k).shape}`);
      expect(new Set(keys).size).toBe(group.length);
    }
  });

  it('gives every kind a short label and unknown kinds a readable one', () => {
    for (const k of kinds) expect(styleOf(k).short.length).toBeGreaterThan(0);
    expect(styleOf('gossip').short).toBe('GOSSIP');
    expect(styleOf(null)).toBe(HIDDEN_STYLE);
  });

  it('keeps message colours visible on the dark background', () => {
    const background = 0x1b1f27;
    for (const [, style] of paletteEntries()) expect(contrastRatio(style.colour, background)).toBeGreaterThan(2.5);
  });

  it('formats CSS colours', () => {
    expect(cssColour(0x0072b2)).toBe('#0072b2');
    expect(cssColour(0)).toBe('#000000');
  });

  it('draws closed shapes of the right size', () => {
    expect(shapePoints('triangle', 10)).toHaveLength(3);
    expect(shapePoints('diamond', 10)).toHaveLength(4);
    for (const p of shapePoints('hexagon', 10)) expect(Math.hypot(p.x, p.y)).toBeCloseTo(10);
  });
});

describe('diffInFlight', () => {
  const m = (id: number, from: number, to: number, sentAt: number, deliverAt: number) => ({ id, from, to, sentAt, deliverAt });

  it('tells arrivals from messages that vanished on the way', () => {
    const before = [m(1, 0, 1, 0, 4), m(2, 0, 2, 0, 9), m(3, 1, 2, 2, 6)];
    const diff = diffInFlight(before, [m(3, 1, 2, 2, 6), m(4, 2, 0, 5, 8)], 5);
    expect(diff.arrived).toEqual([1]);
    expect(diff.vanished).toEqual([2]);
    expect(diff.added).toEqual([4]);
    expect(diff.forks.size).toBe(0);
  });

  it('takes the server’s word for drops even at the delivery tick', () => {
    const diff = diffInFlight([m(1, 0, 1, 0, 4)], [], 4, new Set([1]));
    expect(diff.vanished).toEqual([1]);
    expect(diff.arrived).toEqual([]);
  });

  it('sees a duplicate fork off its original', () => {
    const before = [m(1, 0, 1, 0, 6)];
    expect(diffInFlight(before, [m(1, 0, 1, 0, 6), m(2, 0, 1, 0, 9)], 3).forks.get(2)).toBe(1);
    expect(diffInFlight(before, [m(1, 0, 1, 0, 6), m(7, 0, 1, 3, 9)], 3, new Set(), new Map([[7, 1]])).forks.get(7)).toBe(1);
    // A fresh message on the same link is not a copy.
    expect(diffInFlight(before, [m(1, 0, 1, 0, 6), m(3, 0, 1, 3, 9)], 3).forks.size).toBe(0);
  });
});

describe('links and picking', () => {
  it('lists every pair once', () => {
    expect(links(4)).toHaveLength(6);
    expect(links(9)).toHaveLength(36);
  });

  it('cuts links across partition groups only', () => {
    expect(linkCut(null, 0, 1)).toBe(false);
    expect(linkCut([0, 0, 1], 0, 1)).toBe(false);
    expect(linkCut([0, 0, 1], 1, 2)).toBe(true);
  });

  it('picks the nearest item within the radius', () => {
    const items = [{ x: 0, y: 0, id: 1 }, { x: 10, y: 0, id: 2 }];
    expect(pick(items, { x: 8, y: 0 }, 5)?.id).toBe(2);
    expect(pick(items, { x: 50, y: 50 }, 5)).toBeNull();
  });
});
