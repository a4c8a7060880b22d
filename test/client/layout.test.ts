import { describe, expect, it } from 'vitest';
import {
  HIDDEN_STYLE,
  OKABE_ITO,
  TickClock,
  contrastRatio,
  cssColour,
  diffInFlight,
  distanceToRect,
  fitLabelLines,
  hopProgress,
  LABEL_GAP,
  LABEL_MAX_LINES,
  LabelSieve,
  NODE_HALO,
  placeLabels,
  rectsOverlap,
  ringLayout,
  type LabelBox,
  type LabelWish,
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
import { allProtocols } from '../../shared/protocols';

const box = { width: 800, height: 600 };
const distance = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

describe('ringPositions', () => {
  for (let n = 2; n <= 9; n++) {
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

/**
 * The round canvas's sizes: a desktop's stage beside the instructor's panel and beside a student's,
 * a small laptop window, and a phone in portrait (390 x 844: the stage is the top 48% under the bar).
 */
const CANVASES = {
  'desktop instructor': { width: 820, height: 747 },
  'desktop student': { width: 900, height: 747 },
  'small window': { width: 600, height: 420 },
  phone: { width: 390, height: 405 },
  'phone landscape': { width: 844, height: 150 },
  // A 1600 x 900 projector's canvas in its magnified CSS pixels (its big type).
  projector: { width: 544, height: 364 },
};

/** A god view's labels at their largest: six lines, wider than a label may be. */
const crowded = (n: number): LabelWish[] => Array.from({ length: n }, () => ({ width: 400, lines: 6 }));
/** Labels of every size, from a seeded sequence (the same every run). */
const mixed = (n: number, seed: number): LabelWish[] =>
  Array.from({ length: n }, (_, i) => {
    const x = Math.sin(seed * 97 + i * 13) * 10_000;
    const f = x - Math.floor(x);
    return { width: 40 + Math.round(f * 200), lines: Math.round(f * 7) % 7 };
  });
/** A student's view: only their own node has a label. */
const own = (n: number, self: number): LabelWish[] => Array.from({ length: n }, (_, i) => (i === self ? { width: 120, lines: 4 } : { width: 0, lines: 0 }));

function checkLabels(n: number, box: { width: number; height: number }, wishes: LabelWish[], labelled?: (node: number) => boolean, lines?: number): LabelBox[] {
  const ring = ringLayout(n, box, labelled, lines);
  const labels = placeLabels(ring, box, wishes);
  expect(labels).toHaveLength(n);
  const keep = ring.radius + NODE_HALO;
  for (const p of ring.positions) {
    expect(p.x - ring.radius).toBeGreaterThanOrEqual(0);
    expect(p.y - ring.radius).toBeGreaterThanOrEqual(0);
    expect(p.x + ring.radius).toBeLessThanOrEqual(box.width);
    expect(p.y + ring.radius).toBeLessThanOrEqual(box.height);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      // No two nodes touch.
      const a = ring.positions[i]!;
      const b = ring.positions[j]!;
      expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThan(2 * ring.radius);
    }
  }
  const shown = labels.map((l, i) => ({ l, i })).filter(({ l }) => l.lines > 0);
  for (const { l, i } of shown) {
    // Inside the canvas, with its whole text height, and clear of every node and its halo.
    expect(l.x).toBeGreaterThanOrEqual(0);
    expect(l.y).toBeGreaterThanOrEqual(0);
    expect(l.x + l.width).toBeLessThanOrEqual(box.width);
    expect(l.y + l.height).toBeLessThanOrEqual(box.height);
    expect(l.height).toBe(l.lines * ring.lineHeight);
    expect(l.lines).toBeLessThanOrEqual(Math.max(wishes[i]!.lines, 0));
    for (const p of ring.positions) expect(distanceToRect(p, l)).toBeGreaterThanOrEqual(keep - 1e-6);
  }
  // Every pair of label boxes.
  for (const a of shown) for (const b of shown) if (a.i < b.i) expect(rectsOverlap(a.l, b.l, LABEL_GAP), `labels ${a.i} and ${b.i} overlap`).toBe(false);
  for (const [i, l] of labels.entries()) if (wishes[i]!.lines === 0) expect(l.lines).toBe(0);
  return labels;
}

describe('round layout: labels never overlap', () => {
  for (const [name, box] of Object.entries(CANVASES)) {
    // One machine alone, two generals, then the clusters.
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      it(`${n} nodes, ${name} (${box.width} x ${box.height})`, () => {
        checkLabels(n, box, crowded(n));
        for (let seed = 1; seed <= 20; seed++) checkLabels(n, box, mixed(n, seed));
        for (let self = 0; self < n; self++) {
          // The ring is laid out for the student's own label; the crowded labels of the reveal must fit it too.
          checkLabels(n, box, own(n, self), (i) => i === self);
          checkLabels(n, box, crowded(n), (i) => i === self);
        }
      });
    }
  }

  it('keeps every label of a crowded 9-node god view readable on a desktop', () => {
    const labels = checkLabels(9, CANVASES['desktop instructor'], crowded(9));
    for (const l of labels) {
      expect(l.lines).toBeGreaterThanOrEqual(4);
      expect(l.width).toBeGreaterThanOrEqual(100);
    }
  });

  it('gives a student on a phone room for their own state wherever their node is', () => {
    for (let n = 2; n <= 9; n++) {
      for (let self = 0; self < n; self++) {
        const label = checkLabels(n, CANVASES.phone, own(n, self), (i) => i === self)[self]!;
        expect(label.lines).toBe(4);
        expect(label.width).toBeGreaterThanOrEqual(70);
      }
    }
  });

  it('puts one machine alone in the middle of the canvas, full size, with its whole state beside it or below it', () => {
    for (const box of Object.values(CANVASES)) {
      const ring = ringLayout(1, box);
      expect(ring.positions).toEqual([{ x: box.width / 2, y: box.height / 2 }]);
      expect(ring.radius).toBe(ringLayout(3, box).radius);
      const [label] = checkLabels(1, box, [{ width: 200, lines: 5 }]);
      // On the roomier side: to the right of a wide canvas, below a tall one.
      if (box.width >= box.height) expect(label!.x).toBeGreaterThan(box.width / 2);
      else expect(label!.y).toBeGreaterThan(box.height / 2);
      expect(label!.lines).toBe(5);
    }
  });

  it('shows some of each label of a 9-node god view on a phone', () => {
    const labels = checkLabels(9, CANVASES.phone, crowded(9));
    for (const l of labels) expect(l.lines).toBeGreaterThanOrEqual(1);
  });

  it('reads each label of a Multi-Paxos class whole on the projector: every line, at its whole width, strips included', () => {
    const box = CANVASES.projector;
    // Widths at the projector's 11 px: "★ commit point: slot 1, 2" is the widest; each strip takes two lines.
    const commitAt = (node: number): LabelWish[] =>
      [
        { width: 73, lines: 5 }, // Ada, crashed, promised 1.A, and the strip
        { width: 87, lines: 6 }, // Grace, leader: B, leads under 2.B, promised 2.B, and the strip
        { width: 73, lines: 4 },
        { width: 73, lines: 4 },
        { width: 73, lines: 4 },
      ].map((w, i) => (i === node ? { width: 139, lines: Math.min(LABEL_MAX_LINES, w.lines + 1) } : w));
    for (let node = 0; node < 5; node++) {
      const wishes = commitAt(node);
      const labels = checkLabels(5, box, wishes, undefined, LABEL_MAX_LINES);
      labels.forEach((l, i) => {
        expect(l.lines, `label ${i} with the commit point at ${node}`).toBe(wishes[i]!.lines);
        expect(l.width, `label ${i} with the commit point at ${node}`).toBeGreaterThanOrEqual(wishes[i]!.width);
      });
    }
  });

  it('keeps each label on its own node’s outer side', () => {
    const box = CANVASES['desktop instructor'];
    const ring = ringLayout(9, box);
    const labels = placeLabels(ring, box, crowded(9));
    labels.forEach((l, i) => {
      const p = ring.positions[i]!;
      const centre = { x: l.x + l.width / 2 - p.x, y: l.y + l.height / 2 - p.y };
      const u = ring.outwards[i]!;
      expect(centre.x * u.x + centre.y * u.y).toBeGreaterThan(0);
    });
  });
});

describe('LabelSieve: message labels where they have room', () => {
  it('never shows two labels over each other, over a blocked area, or past the canvas', () => {
    const box = { width: 820, height: 747 };
    const blocked = ringLayout(9, box).positions.map((p) => ({ x: p.x - 40, y: p.y - 40, width: 80, height: 80 }));
    const sieve = new LabelSieve();
    // Three hundred labels of a busy round, in a seeded scatter; the sieve is used frame after frame.
    for (let frame = 0; frame < 5; frame++) {
      sieve.reset(box, blocked);
      const placed: { x: number; y: number; width: number; height: number }[] = [];
      for (let i = 0; i < 300; i++) {
        const f = (k: number) => {
          const x = Math.sin(frame * 7919 + i * 104_729 + k * 31) * 10_000;
          return x - Math.floor(x);
        };
        const label = { x: f(1) * 860 - 20, y: f(2) * 780 - 20, width: 40 + f(3) * 50, height: 14 };
        const shown = sieve.place(label.x, label.y, label.width, label.height);
        const fits = label.x >= 0 && label.y >= 0 && label.x + label.width <= box.width && label.y + label.height <= box.height;
        const free = fits && ![...blocked, ...placed].some((r) => rectsOverlap(label, r));
        // Shown exactly when it has room: nothing refused that fits, nothing shown that does not.
        expect(shown).toBe(free);
        if (shown) placed.push(label);
      }
      expect(placed.length).toBeGreaterThan(20);
      expect(placed.length).toBeLessThan(300);
    }
  });
});

describe('fitLabelLines', () => {
  const measure = (s: string) => s.length * 7;

  it('keeps lines that fit as they are', () => {
    expect(fitLabelLines(['voted X', 'tally X:3'], 4, 100, measure)).toEqual(['voted X', 'tally X:3']);
  });

  it('cuts a line too wide for the box short with an ellipsis, and no line is wider than the box', () => {
    const lines = fitLabelLines(['accepted SOMETHING-LONG@12.C'], 2, 84, measure);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('…')).toBe(true);
    expect(measure(lines[0]!)).toBeLessThanOrEqual(84);
  });

  it('drops the lines that do not fit and says so on the last one kept', () => {
    const lines = fitLabelLines(['★ commit point', 'Alice', 'promised 3.A', 'accepted X@3.A'], 2, 200, measure);
    expect(lines).toEqual(['★ commit point', 'Alice …']);
    expect(fitLabelLines(['a', 'b'], 0, 100, measure)).toEqual([]);
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

  it('uses only Okabe-Ito colours', () => {
    const allowed = new Set<number>(Object.values(OKABE_ITO));
    for (const [, style] of paletteEntries()) expect(allowed.has(style.colour)).toBe(true);
  });

  it('tells apart the kinds of one protocol by colour and shape together, for every registered protocol', () => {
    expect(allProtocols().length).toBeGreaterThanOrEqual(3);
    for (const protocol of allProtocols()) {
      const kinds = Object.keys(protocol.messages);
      // Every kind of message the protocol sends has a look of its own.
      expect(Object.keys(protocol.present.messages).sort()).toEqual([...kinds].sort());
      const keys = kinds.map((k) => `${styleOf(k, protocol.name).colour}/${styleOf(k, protocol.name).shape}`);
      expect(new Set(keys).size, protocol.name).toBe(kinds.length);
    }
  });

  it('gives every kind a short label and unknown kinds a readable one', () => {
    for (const protocol of allProtocols()) {
      for (const k of Object.keys(protocol.messages)) expect(styleOf(k, protocol.name).short.length).toBeGreaterThan(0);
    }
    expect(styleOf('gossip', 'paxos').short).toBe('GOSSIP');
    expect(styleOf(null, 'paxos')).toBe(HIDDEN_STYLE);
  });

  it('keeps the looks of a kind that two protocols both send apart: each protocol says how its own looks', () => {
    expect(styleOf('vote', 'majority')).toEqual({ colour: OKABE_ITO.orange, shape: 'square', short: 'VOTE' });
    expect(styleOf('prepare', '2pc')).toEqual({ colour: OKABE_ITO.blue, shape: 'circle', short: 'PREPARE' });
    // A kind a protocol does not send gets the unknown look, not another protocol's.
    expect(styleOf('candidate', 'paxos').colour).toBe(OKABE_ITO.grey);
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
