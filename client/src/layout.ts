/**
 * Pure layout maths for the round screen: where nodes sit, where a message is at a moment, and how
 * each kind of message looks. No Phaser and no DOM here, so every function is unit-tested.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  width: number;
  height: number;
}

/** Radius of a node's circle for a ring of n nodes in a box: smaller nodes when there are more of them. */
export function nodeRadius(n: number, box: Box): number {
  const side = Math.min(box.width, box.height);
  const ring = ringRadius(n, box);
  // Neighbours on the ring are 2·R·sin(π/n) apart; a node takes at most a third of that gap.
  const gap = 2 * ring * Math.sin(Math.PI / Math.max(n, 3));
  return Math.max(14, Math.min(46, side * 0.075, gap / 3));
}

export function ringRadius(_n: number, box: Box): number {
  const side = Math.min(box.width, box.height);
  // Leave room around the ring for each node's circle and the state text below it.
  // Phones are narrow: the text beside the side nodes needs relatively more room there.
  const margin = side < 500 ? side * 0.27 : Math.max(64, side * 0.19);
  return Math.max(40, side / 2 - margin);
}

/**
 * Node positions on a ring, node 0 (A) at the top, going clockwise, centred in the box.
 * Works for any n >= 1; the game uses 3 to 9.
 */
export function ringPositions(n: number, box: Box): Point[] {
  const cx = box.width / 2;
  const cy = box.height / 2;
  const r = ringRadius(n, box);
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
    points.push({ x: cx + r * Math.cos(angle), y: cy + r * Math.sin(angle) });
  }
  return points;
}

/** How far along its hop a message is at time t (in ticks, fractional): 0 at sentAt, 1 at deliverAt. */
export function hopProgress(sentAt: number, deliverAt: number, t: number): number {
  const span = deliverAt - sentAt;
  if (span <= 0) return t >= deliverAt ? 1 : 0;
  return Math.min(1, Math.max(0, (t - sentAt) / span));
}

/**
 * Where a message is drawn at time t: along the link from sender to recipient, bowed slightly to the
 * right of its direction so that A->B and B->A traffic use two separate lanes.
 */
export function messagePosition(from: Point, to: Point, sentAt: number, deliverAt: number, t: number, bow = 0.12): Point {
  const p = hopProgress(sentAt, deliverAt, t);
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  // A quadratic Bézier whose control point sits off the midpoint, perpendicular to the link.
  const cx = (from.x + to.x) / 2 - dy * bow;
  const cy = (from.y + to.y) / 2 + dx * bow;
  const u = 1 - p;
  return {
    x: u * u * from.x + 2 * u * p * cx + p * p * to.x,
    y: u * u * from.y + 2 * u * p * cy + p * p * to.y,
  };
}

/**
 * The client's estimate of the server's tick between two updates, so messages glide at 60 fps.
 * It runs at the observed tick rate, never more than one tick ahead of the last update (the next
 * update corrects it), and never backwards.
 */
export class TickClock {
  private tick = 0;
  private at = 0;
  private msPerTick: number;
  private running = false;
  private shown = 0;

  constructor(defaultMsPerTick = 500) {
    this.msPerTick = defaultMsPerTick;
  }

  /** A server update: its tick, when it arrived (ms), and whether the clock runs. */
  observe(tick: number, atMs: number, running: boolean, expectedMsPerTick?: number): void {
    if (expectedMsPerTick !== undefined && expectedMsPerTick > 0) this.msPerTick = expectedMsPerTick;
    if (tick > this.tick && this.running && this.at > 0) {
      // Smooth the measured rate: updates arrive with network jitter.
      const measured = (atMs - this.at) / (tick - this.tick);
      if (measured > 0 && expectedMsPerTick === undefined) this.msPerTick = this.msPerTick * 0.7 + measured * 0.3;
    }
    if (tick !== this.tick || running !== this.running) {
      if (tick < this.tick) this.shown = tick; // a new round: start again
      this.tick = tick;
      this.at = atMs;
    }
    this.running = running;
  }

  /** The expected duration of a tick (e.g. after a speed change); later updates refine it. */
  setRate(msPerTick: number): void {
    if (msPerTick > 0) this.msPerTick = msPerTick;
  }

  /** The estimated tick at `nowMs`, fractional. */
  now(nowMs: number): number {
    let t = this.tick;
    if (this.running) t += Math.min(1, Math.max(0, (nowMs - this.at) / this.msPerTick));
    // Never move backwards within a round, so messages never jump back along their link.
    if (t < this.shown && this.shown - t < 1) t = this.shown;
    this.shown = t;
    return t;
  }

  get rate(): number {
    return this.msPerTick;
  }
}

/** Okabe-Ito: eight colours told apart by the common forms of colour blindness. */
export const OKABE_ITO = {
  orange: 0xe69f00,
  skyBlue: 0x56b4e9,
  green: 0x009e73,
  yellow: 0xf0e442,
  blue: 0x0072b2,
  vermillion: 0xd55e00,
  purple: 0xcc79a7,
  grey: 0x999999,
} as const;

export type Shape = 'circle' | 'square' | 'diamond' | 'triangle' | 'hexagon';

export interface KindStyle {
  colour: number;
  shape: Shape;
  /** A word or two drawn next to the dot when the full label does not fit. */
  short: string;
}

/**
 * Each message kind gets a colour and a shape, so kinds stay apart without colour too.
 * Kinds that open a phase are circles, answers are squares, outcomes are diamonds.
 */
const KIND_STYLES: Record<string, KindStyle> = {
  // Paxos and 2PC share the names of their first phase.
  prepare: { colour: OKABE_ITO.blue, shape: 'circle', short: 'PREPARE' },
  promise: { colour: OKABE_ITO.skyBlue, shape: 'square', short: 'PROMISE' },
  refuse: { colour: OKABE_ITO.vermillion, shape: 'triangle', short: 'REFUSE' },
  accept: { colour: OKABE_ITO.orange, shape: 'circle', short: 'ACCEPT' },
  accepted: { colour: OKABE_ITO.yellow, shape: 'square', short: 'ACCEPTED' },
  chosen: { colour: OKABE_ITO.green, shape: 'diamond', short: 'CHOSEN' },
  // Majority vote.
  candidate: { colour: OKABE_ITO.blue, shape: 'circle', short: 'CANDIDATE' },
  vote: { colour: OKABE_ITO.orange, shape: 'square', short: 'VOTE' },
  victory: { colour: OKABE_ITO.green, shape: 'diamond', short: 'VICTORY' },
  // Two-phase commit.
  decision: { colour: OKABE_ITO.green, shape: 'diamond', short: 'DECISION' },
  ask: { colour: OKABE_ITO.purple, shape: 'triangle', short: 'ASK' },
  answer: { colour: OKABE_ITO.purple, shape: 'hexagon', short: 'ANSWER' },
};

const UNKNOWN_STYLE: KindStyle = { colour: OKABE_ITO.grey, shape: 'hexagon', short: 'MESSAGE' };
/** A message whose contents the viewer may not see: a plain grey dot. */
export const HIDDEN_STYLE: KindStyle = { colour: OKABE_ITO.grey, shape: 'circle', short: '' };

export function styleOf(kind: string | null | undefined): KindStyle {
  if (!kind) return HIDDEN_STYLE;
  return KIND_STYLES[kind] ?? { ...UNKNOWN_STYLE, short: kind.toUpperCase().slice(0, 12) };
}

/** Every kind with its style, for a legend. */
export function paletteEntries(): [string, KindStyle][] {
  return Object.entries(KIND_STYLES);
}

/** "#rrggbb" for a colour number, for CSS and Phaser text. */
export function cssColour(colour: number): string {
  return `#${colour.toString(16).padStart(6, '0')}`;
}

/** Relative luminance (WCAG) of a colour, to pick dark or light text on it. */
export function luminance(colour: number): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel((colour >> 16) & 255) + 0.7152 * channel((colour >> 8) & 255) + 0.0722 * channel(colour & 255);
}

export function contrastRatio(a: number, b: number): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Vertices of a shape centred on (0, 0) with "radius" r, for drawing textures. */
export function shapePoints(shape: Shape, r: number): Point[] {
  const polygon = (sides: number, start: number) =>
    Array.from({ length: sides }, (_, i) => {
      const a = start + (2 * Math.PI * i) / sides;
      return { x: r * Math.cos(a), y: r * Math.sin(a) };
    });
  switch (shape) {
    case 'circle':
      return polygon(24, 0);
    case 'square':
      return polygon(4, Math.PI / 4).map((p) => ({ x: p.x * 0.95, y: p.y * 0.95 }));
    case 'diamond':
      return polygon(4, 0);
    case 'triangle':
      return polygon(3, -Math.PI / 2);
    case 'hexagon':
      return polygon(6, 0);
  }
}

/** Which in-flight messages appeared, vanished early, arrived, or were forked off another. */
export interface InFlightDiff {
  added: number[];
  /** Gone before their delivery time: dropped or lost (the network ate them). */
  vanished: number[];
  /** Gone at or after their delivery time: they arrived. */
  arrived: number[];
  /** New copies of a message still in flight, keyed by copy id -> original id. */
  forks: Map<number, number>;
}

export interface FlightLike {
  id: number;
  from: number;
  to: number;
  sentAt: number;
  deliverAt: number;
}

/**
 * Compares two lists of messages in flight. `dropped` names messages the server said were dropped
 * or lost (god view); otherwise a message that leaves before its delivery tick counts as vanished.
 * `duplicates` maps copy -> original from the server's events; a new message that shares sender,
 * recipient and send time with one still in flight is taken as a copy too.
 */
export function diffInFlight(
  previous: readonly FlightLike[],
  next: readonly FlightLike[],
  now: number,
  dropped: ReadonlySet<number> = new Set(),
  duplicates: ReadonlyMap<number, number> = new Map(),
): InFlightDiff {
  const before = new Map(previous.map((m) => [m.id, m]));
  const after = new Set(next.map((m) => m.id));
  const added: number[] = [];
  const forks = new Map<number, number>();
  for (const m of next) {
    if (before.has(m.id)) continue;
    added.push(m.id);
    const original = duplicates.get(m.id) ?? [...before.values()].find((o) => o.from === m.from && o.to === m.to && o.sentAt === m.sentAt && o.id !== m.id && m.sentAt < now)?.id;
    if (original !== undefined) forks.set(m.id, original);
  }
  const vanished: number[] = [];
  const arrived: number[] = [];
  for (const m of previous) {
    if (after.has(m.id)) continue;
    if (dropped.has(m.id) || now < m.deliverAt) vanished.push(m.id);
    else arrived.push(m.id);
  }
  return { added, vanished, arrived, forks };
}

/** The link between two nodes is cut when a partition puts them in different groups. */
export function linkCut(partition: readonly number[] | null, a: number, b: number): boolean {
  return partition !== null && partition[a] !== partition[b];
}

/** Every pair of nodes (a < b), for drawing links. */
export function links(n: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) pairs.push([a, b]);
  return pairs;
}

/** Nearest message (by drawn position) to a click, within `radius` pixels; null when none is close. */
export function pick<T extends { x: number; y: number }>(items: readonly T[], at: Point, radius: number): T | null {
  let best: T | null = null;
  let bestDistance = radius * radius;
  for (const item of items) {
    const d = (item.x - at.x) ** 2 + (item.y - at.y) ** 2;
    if (d <= bestDistance) {
      best = item;
      bestDistance = d;
    }
  }
  return best;
}
