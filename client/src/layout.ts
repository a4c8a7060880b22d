/**
 * Pure layout maths for the round screen: where nodes sit, where a message is at a moment, and how
 * each kind of message looks. No Phaser and no DOM here, so every function is unit-tested.
 */
import type { PaletteColour, Shape } from '../../shared/engine/protocol';
import type { ProtocolName } from '../../shared/engine/types';
import { allProtocols, protocolFor } from '../../shared/protocols';

export type { Shape };

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

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The ring of a round: where the nodes are and how large, and the font of their labels. */
export interface RingLayout {
  positions: Point[];
  /** Radius of each node's circle. */
  radius: number;
  /** Unit vector from the ring's centre through each node: its label goes that way. */
  outwards: Point[];
  /** The label font size in px, and the height of one line of it. */
  fontSize: number;
  lineHeight: number;
}

/** What a node's label would like: the width of its widest line (px, at the ring's font size) and its line count. */
export interface LabelWish {
  width: number;
  lines: number;
}

/** Where a node's label goes: a box beside the node on its outer side, and how many lines it holds. */
export interface LabelBox extends Rect {
  lines: number;
  /** Which edge the text keeps to, so that it stays next to its node. */
  align: 'left' | 'center' | 'right';
  valign: 'top' | 'middle' | 'bottom';
}

/** Room kept free around a node's circle: the commit point's ring is drawn 9 px outside it, 5 px wide. */
export const NODE_HALO = 12;
/** Labels keep this far from each other and from the canvas's edges. */
export const LABEL_GAP = 4;
/** The most lines a label shows, and its widest and narrowest line in ems. */
export const LABEL_MAX_LINES = 6;
const LABEL_MAX_EMS = 14;
const LABEL_MIN_EMS = 4;

/** The height of one line of label text at a font size: the glyphs' ascent and descent plus one pixel. */
export function labelLineHeight(fontSize: number): number {
  return Math.ceil(fontSize * 1.3) + 1;
}

/** Shortest distance from a point to a rectangle (0 inside it). */
export function distanceToRect(p: Point, r: Rect): number {
  const dx = Math.max(r.x - p.x, 0, p.x - (r.x + r.width));
  const dy = Math.max(r.y - p.y, 0, p.y - (r.y + r.height));
  return Math.hypot(dx, dy);
}

/** Whether two rectangles come closer than `gap` to each other. */
export function rectsOverlap(a: Rect, b: Rect, gap = 0): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/** Node radius on a ring of radius `ring` with n nodes, in a box whose shorter side is `side`. */
function radiusOnRing(n: number, ring: number, side: number): number {
  const chord = 2 * ring * Math.sin(Math.PI / Math.max(n, 3));
  return Math.max(14, Math.min(46, side * 0.075, chord / 3));
}

/**
 * The ring for n nodes in a box: as large as it can be while leaving, beside each node that will
 * carry a label (all of them in the god view, a student's own node in theirs), room for a label of
 * eight ems and `lines` lines (by default four or five, by the box's size); never so small that
 * neighbours' circles touch. In a box wider than the ring needs, the ring is drawn out sideways into
 * an ellipse, as long as the labels beside it keep their widest, fourteen ems: the labels above and below
 * the nodes get the room between them. A lone node sits in the middle.
 */
export function ringLayout(n: number, box: Box, labelled: (node: number) => boolean = () => true, lines?: number): RingLayout {
  const side = Math.min(box.width, box.height);
  const fontSize = side < 480 ? 11 : 13;
  const lineHeight = labelLineHeight(fontSize);
  const budget = { width: 8 * fontSize, height: Math.min(LABEL_MAX_LINES, lines ?? (side < 480 ? 4 : 5)) * lineHeight };
  const centre = { x: box.width / 2, y: box.height / 2 };
  if (n === 1) {
    // One machine alone: at the centre, as large as a node gets, its label on the roomier side (beside it, or below it).
    const outwards = box.width >= box.height ? { x: 1, y: 0 } : { x: 0, y: 1 };
    return { positions: [centre], radius: Math.max(14, Math.min(46, side * 0.075)), outwards: [outwards], fontSize, lineHeight };
  }
  const outwards: Point[] = Array.from({ length: n }, (_, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return { x: Math.cos(angle), y: Math.sin(angle) };
  });
  /** Whether a ring of radius `ring`, drawn out sideways to `across`, leaves each label `width` px and the budget's lines. */
  const fits = (ring: number, across = ring, width = budget.width): boolean => {
    const keep = radiusOnRing(n, ring, side) + NODE_HALO;
    return outwards.every((u, i) => {
      const p = { x: centre.x + across * u.x, y: centre.y + ring * u.y };
      if (p.x - keep < 0 || p.y - keep < 0 || p.x + keep > box.width || p.y + keep > box.height) return false;
      if (!labelled(i)) return true;
      const l = labelBoxAt(p, u, width, budget.height, 0, keep);
      return l.x >= LABEL_GAP && l.y >= LABEL_GAP && l.x + l.width <= box.width - LABEL_GAP && l.y + l.height <= box.height - LABEL_GAP;
    });
  };
  let ring = 1;
  // The largest ring that leaves that room (the node radius grows with the ring: search downwards).
  for (let r = Math.floor(side / 2); r >= 1; r--) {
    if (fits(r)) {
      ring = r;
      break;
    }
  }
  // Neighbours must not touch, even if their labels then get less room.
  const sin = Math.sin(Math.PI / Math.max(n, 2));
  for (let r = ring; n > 1 && r <= side / 2; r++) {
    ring = r;
    if (2 * r * sin >= 2 * radiusOnRing(n, r, side) + NODE_HALO) break;
  }
  const radius = radiusOnRing(n, ring, side);
  // Sideways, as far as the box leaves the labels beside the ring their widest (drawn out, neighbours only move apart).
  let across = ring;
  while (across + 1 <= box.width / 2 && fits(ring, across + 1, LABEL_MAX_EMS * fontSize)) across += 1;
  const positions = outwards.map((u) => ({ x: centre.x + across * u.x, y: centre.y + ring * u.y }));
  return { positions, radius, outwards, fontSize, lineHeight };
}

/**
 * A label box of w x h for the node at `p`, pushed outwards along `u` until it clears the node's
 * circle and halo by `clear` px.
 */
function labelBoxAt(p: Point, u: Point, w: number, h: number, lines: number, clear: number): LabelBox {
  const a = w / 2;
  const b = h / 2;
  const gapAt = (t: number) => Math.hypot(Math.max(0, Math.abs(u.x) * t - a), Math.max(0, Math.abs(u.y) * t - b));
  // gapAt grows with t: the smallest t that clears the node, by bisection.
  let lo = 0;
  let hi = clear + a + b;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (gapAt(mid) >= clear) hi = mid;
    else lo = mid;
  }
  return {
    x: p.x + u.x * hi - a,
    y: p.y + u.y * hi - b,
    width: w,
    height: h,
    lines,
    align: u.x > 0.3 ? 'left' : u.x < -0.3 ? 'right' : 'center',
    valign: u.y < -0.3 ? 'bottom' : u.y > 0.3 ? 'top' : 'middle',
  };
}

/**
 * Places each node's label beside it so that no label overlaps another label or any node (with its
 * halo), and none leaves the box. Each label starts at the size it wishes (at most six lines of
 * fourteen ems); while any collides, the larger of the two gives up a line or an em (whichever
 * resolves the collision sooner), down to one line of four ems, then disappears. A label that
 * wishes nothing gets no box (zero lines) and leaves its room to its neighbours.
 */
export function placeLabels(ring: RingLayout, box: Box, wishes: readonly LabelWish[]): LabelBox[] {
  const { positions, outwards, lineHeight, fontSize } = ring;
  const keep = ring.radius + NODE_HALO;
  const maxWidth = LABEL_MAX_EMS * fontSize;
  const minWidth = LABEL_MIN_EMS * fontSize;
  const size = positions.map((_, i) => {
    const wish = wishes[i] ?? { width: 0, lines: 0 };
    const lines = Math.max(0, Math.min(LABEL_MAX_LINES, Math.floor(wish.lines)));
    return lines === 0 ? { width: 0, lines: 0 } : { width: Math.min(maxWidth, Math.max(minWidth, Math.ceil(wish.width))), lines };
  });
  const boxOf = (i: number) => labelBoxAt(positions[i]!, outwards[i]!, size[i]!.width, size[i]!.lines * lineHeight, size[i]!.lines, keep);
  const boxes = positions.map((_, i) => boxOf(i));
  /** Gives up a line or an em; `narrower` says which helps more. A label at its smallest disappears. */
  const shrink = (i: number, narrower: boolean) => {
    const s = size[i]!;
    if (narrower && s.width > minWidth) s.width = Math.max(minWidth, s.width - fontSize);
    else if (s.lines > 1) s.lines -= 1;
    else if (s.width > minWidth) s.width = Math.max(minWidth, s.width - fontSize);
    else size[i] = { width: 0, lines: 0 };
    boxes[i] = boxOf(i);
  };
  const visible = (i: number) => size[i]!.lines > 0;
  // Every step shrinks a label, so this ends; the bound is only a guard.
  for (let guard = 0; guard < 10_000; guard++) {
    let collided = false;
    for (let i = 0; i < boxes.length && !collided; i++) {
      if (!visible(i)) continue;
      const b = boxes[i]!;
      // Outside the box: a label beside the ring gets narrower, one above or below gets shorter.
      const outX = b.x < LABEL_GAP || b.x + b.width > box.width - LABEL_GAP;
      const outY = b.y < LABEL_GAP || b.y + b.height > box.height - LABEL_GAP;
      if (outX || outY) {
        // Out of the box: narrower if that is enough, else a line less if that is, else whichever
        // the edge it crosses calls for (a diagonal label may need either).
        const s = size[i]!;
        const inside = (w: number, lines: number) => {
          const c = labelBoxAt(positions[i]!, outwards[i]!, w, lines * lineHeight, lines, keep);
          return c.x >= LABEL_GAP && c.y >= LABEL_GAP && c.x + c.width <= box.width - LABEL_GAP && c.y + c.height <= box.height - LABEL_GAP;
        };
        // A label keeps its lines if a few ems less width (down to seven) bring it inside.
        let narrower = 0;
        for (let w = s.width - fontSize; w >= Math.max(minWidth, 7 * fontSize) && narrower === 0; w -= fontSize) if (inside(w, s.lines)) narrower = w;
        if (narrower > 0) {
          s.width = narrower;
          boxes[i] = boxOf(i);
        } else {
          const shorterFits = s.lines > 1 && inside(s.width, s.lines - 1);
          shrink(i, shorterFits ? false : outX && !outY ? true : outY && !outX ? false : Math.abs(outwards[i]!.x) > Math.abs(outwards[i]!.y));
        }
        collided = true;
        break;
      }
      for (const [j, p] of positions.entries()) {
        if (j !== i && distanceToRect(p, b) < keep) {
          shrink(i, Math.abs(p.x - (b.x + b.width / 2)) > Math.abs(p.y - (b.y + b.height / 2)));
          collided = true;
          break;
        }
      }
      for (let j = 0; j < i && !collided; j++) {
        if (!visible(j) || !rectsOverlap(b, boxes[j]!, LABEL_GAP)) continue;
        const c = boxes[j]!;
        const overlapX = Math.min(b.x + b.width, c.x + c.width) - Math.max(b.x, c.x);
        const overlapY = Math.min(b.y + b.height, c.y + c.height) - Math.max(b.y, c.y);
        const bigger = b.width * b.height >= c.width * c.height ? i : j;
        shrink(bigger, overlapX < overlapY);
        collided = true;
      }
    }
    if (!collided) break;
  }
  return boxes.map((b, i) => (visible(i) ? b : { ...b, width: 0, height: 0, lines: 0 }));
}

/**
 * Decides, frame by frame, which message labels have room: a label is shown only where it overlaps
 * no label shown before it in the frame and nothing blocked (node circles and node labels), and
 * lies inside the canvas. Messages are offered oldest first, so a label that has room keeps it
 * while newer ones pass by. A grid of cells keeps each check to the few rectangles nearby; the
 * rectangles are kept as numbers, so a frame allocates nothing.
 */
export class LabelSieve {
  private cells: number[][] = [];
  private columns = 0;
  private rows = 0;
  private width = 0;
  private height = 0;

  constructor(private readonly cell = 64) {}

  /** Starts a frame: nothing placed yet, and these rectangles blocked. */
  reset(box: Box, blocked: readonly Rect[]): void {
    this.width = box.width;
    this.height = box.height;
    const columns = Math.max(1, Math.ceil(box.width / this.cell));
    const rows = Math.max(1, Math.ceil(box.height / this.cell));
    if (columns !== this.columns || rows !== this.rows) {
      this.columns = columns;
      this.rows = rows;
      this.cells = Array.from({ length: columns * rows }, () => []);
    } else {
      for (const cell of this.cells) cell.length = 0;
    }
    for (const b of blocked) if (b.width > 0 && b.height > 0) this.add(b.x, b.y, b.width, b.height);
  }

  /** Places a label's rectangle if it has room, and says whether it did. */
  place(x: number, y: number, width: number, height: number): boolean {
    if (x < 0 || y < 0 || x + width > this.width || y + height > this.height) return false;
    const c0 = this.column(x);
    const c1 = this.column(x + width);
    const r1 = this.row(y + height);
    for (let r = this.row(y); r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = this.cells[r * this.columns + c]!;
        for (let i = 0; i < cell.length; i += 4) {
          if (x < cell[i]! + cell[i + 2]! && cell[i]! < x + width && y < cell[i + 1]! + cell[i + 3]! && cell[i + 1]! < y + height) return false;
        }
      }
    }
    this.add(x, y, width, height);
    return true;
  }

  private add(x: number, y: number, width: number, height: number): void {
    const c0 = this.column(x);
    const c1 = this.column(x + width);
    const r1 = this.row(y + height);
    for (let r = this.row(y); r <= r1; r++) for (let c = c0; c <= c1; c++) this.cells[r * this.columns + c]!.push(x, y, width, height);
  }

  private column(x: number): number {
    return Math.max(0, Math.min(this.columns - 1, Math.floor(x / this.cell)));
  }

  private row(y: number): number {
    return Math.max(0, Math.min(this.rows - 1, Math.floor(y / this.cell)));
  }
}

/**
 * What message labels keep off: each node's circle with room for the commit point's ring, and the
 * box kept for each node's label, a pixel larger all round (its text may pass the box by a fraction
 * of a pixel where the font's lines are a little taller than the box allows for).
 */
export function sieveBlocked(positions: readonly Point[], radius: number, labelBoxes: readonly Rect[]): Rect[] {
  const r = radius + 6;
  const blocked = positions.map((p) => ({ x: p.x - r, y: p.y - r, width: 2 * r, height: 2 * r }));
  for (const b of labelBoxes) if (b.width > 0 && b.height > 0) blocked.push({ x: b.x - 1, y: b.y - 1, width: b.width + 2, height: b.height + 2 });
  return blocked;
}

/**
 * The top-left corner, in device pixels, of a message's label of `width` x `height` device pixels:
 * centred on `x` with its bottom edge at `bottom` (both in CSS pixels), on whole device pixels, where
 * a texture is drawn without being resampled. Written into `out`: it is asked for every label in
 * every frame.
 */
export function messageLabelCorner(x: number, bottom: number, width: number, height: number, ratio: number, out: Point): Point {
  out.x = Math.round(ratio * x - width / 2);
  out.y = Math.round(ratio * bottom - height);
  return out;
}

/**
 * Fits a label's lines into `lines` lines of at most `width` px: extra lines go (the last one kept
 * ends in "…"), and a line too wide is cut short with "…". `measure` gives a text's width in px.
 */
export function fitLabelLines(text: readonly string[], lines: number, width: number, measure: (s: string) => number): string[] {
  if (lines <= 0 || width <= 0) return [];
  const shorten = (line: string, suffix: string): string => {
    if (measure(line + suffix) <= width) return line + suffix;
    let lo = 0;
    let hi = line.length;
    // The longest prefix that fits with an ellipsis.
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (measure(`${line.slice(0, mid).trimEnd()}…`) <= width) lo = mid;
      else hi = mid - 1;
    }
    return lo > 0 ? `${line.slice(0, lo).trimEnd()}…` : measure('…') <= width ? '…' : '';
  };
  const kept = text.slice(0, lines).map((line, i) => shorten(line, i === lines - 1 && text.length > lines ? ' …' : ''));
  return kept.filter((line) => line !== '');
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
export const OKABE_ITO: Readonly<Record<PaletteColour, number>> = {
  orange: 0xe69f00,
  skyBlue: 0x56b4e9,
  green: 0x009e73,
  yellow: 0xf0e442,
  blue: 0x0072b2,
  vermillion: 0xd55e00,
  purple: 0xcc79a7,
  grey: 0x999999,
};

export interface KindStyle {
  colour: number;
  shape: Shape;
  /** A word or two drawn next to the dot when the full label does not fit. */
  short: string;
}

/** A kind its protocol gives no look: a grey hexagon. */
export const UNKNOWN_STYLE: KindStyle = { colour: OKABE_ITO.grey, shape: 'hexagon', short: 'MESSAGE' };
/** A message whose contents the viewer may not see: a plain grey dot. */
export const HIDDEN_STYLE: KindStyle = { colour: OKABE_ITO.grey, shape: 'circle', short: '' };

/** Styles made once per protocol and kind: the canvas asks for them every frame. */
const styles = new Map<ProtocolName, Map<string, KindStyle>>();

/**
 * How a kind of message of a protocol looks: the protocol's own look (`present.messages`: a
 * colour and a shape, so kinds stay apart without colour too), in Okabe-Ito colours.
 */
export function styleOf(kind: string | null | undefined, protocol: ProtocolName): KindStyle {
  if (!kind) return HIDDEN_STYLE;
  let known = styles.get(protocol);
  if (!known) styles.set(protocol, (known = new Map()));
  let style = known.get(kind);
  if (!style) {
    const looks = protocolFor(protocol).present.messages;
    const look = Object.hasOwn(looks, kind) ? looks[kind]! : null;
    style = look ? { colour: OKABE_ITO[look.colour], shape: look.shape, short: look.short } : { ...UNKNOWN_STYLE, short: kind.toUpperCase().slice(0, 12) };
    known.set(kind, style);
  }
  return style;
}

/** Every kind of every registered protocol with its style ("paxos/prepare"), for a legend and the textures. */
export function paletteEntries(): [string, KindStyle][] {
  return allProtocols().flatMap((p) => Object.keys(p.present.messages).map((kind): [string, KindStyle] => [`${p.name}/${kind}`, styleOf(kind, p.name)]));
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
