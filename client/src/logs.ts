/**
 * Replicated logs as the client shows them, from a protocol's `present.log`: each node's strip of
 * slots on the canvas (its geometry, and the latest window of a long log with "+N earlier"), the
 * god view's grid (one row per node, one column per slot), and each slot in words. Pure: no Phaser
 * and no DOM, so every function is unit-tested. Which nodes' logs a viewer may see is decided where
 * every node's state is, in `pictureOf`.
 */
import { nodeName } from '../../shared/engine/names';
import type { LogCell, NodeFacts } from '../../shared/engine/protocol';
import { commitPointsBySlot, slotName } from '../../shared/engine/reveal';
import type { CommitPoint, NodeId, ProtocolName, Slot } from '../../shared/engine/types';
import { protocolFor } from '../../shared/protocols';
import { OKABE_ITO, contrastRatio, type Rect } from './layout';

export type { LogCell };
export type CellState = LogCell['state'];

/** A node's log as the viewer may see it: its cells, slot 0 first, and the leader it believes in. */
export interface LogPicture {
  cells: readonly LogCell[];
  leader: NodeId | null;
}

/** Whether the protocol keeps a log that its nodes show as strips. */
export function keepsLog(protocol: ProtocolName): boolean {
  return protocolFor(protocol).present.log !== undefined;
}

/** A node's log from what it knows, or null for a protocol that keeps none. */
export function logPictureOf(protocol: ProtocolName, facts: NodeFacts): LogPicture | null {
  const log = protocolFor(protocol).present.log;
  if (!log) return null;
  return { cells: log.cells(facts), leader: log.leader(facts) };
}

// ---- Looks ---------------------------------------------------------------------------------------

/**
 * How each state is told apart without colour: an empty slot is a dashed outline, an accepted one a
 * hollow box, a chosen one hatched, an applied one filled. The glyph says it again in the legend and
 * the grid.
 */
export const CELL_LOOK: Readonly<Record<CellState, { fill: 'none' | 'hatch' | 'solid'; outline: 'dashed' | 'solid'; glyph: string; word: string }>> = {
  empty: { fill: 'none', outline: 'dashed', glyph: '·', word: 'empty' },
  accepted: { fill: 'none', outline: 'solid', glyph: '?', word: 'not known chosen yet' },
  chosen: { fill: 'hatch', outline: 'solid', glyph: '✓', word: 'known chosen, not applied' },
  applied: { fill: 'solid', outline: 'solid', glyph: '✓✓', word: 'applied' },
};

/** Okabe-Ito colours a tone may take: every colour but green (known chosen) and grey (empty). */
const TONES = [OKABE_ITO.orange, OKABE_ITO.skyBlue, OKABE_ITO.yellow, OKABE_ITO.blue, OKABE_ITO.vermillion, OKABE_ITO.purple] as const;

/** A tone's colour: cells with the same tone (a ballot, a term) share it. */
export function toneColour(tone: number): number {
  const i = Math.abs(Math.trunc(tone)) % TONES.length;
  return TONES[i]!;
}

/**
 * A cell's colour: its tone's if it has one; otherwise grey when empty, orange while only accepted,
 * green once known chosen. The state itself is told by the fill, never by the colour alone.
 */
export function cellColour(cell: Pick<LogCell, 'state' | 'tone'>): number {
  if (cell.state === 'empty') return OKABE_ITO.grey;
  if (cell.tone !== undefined) return toneColour(cell.tone);
  return cell.state === 'accepted' ? OKABE_ITO.orange : OKABE_ITO.green;
}

const DARK_TEXT = 0x0b0d12;
const LIGHT_TEXT = 0xe8ecf3;

/** The colour of a cell's words: on a filled cell, whichever of dark or light reads better on it. */
export function cellTextColour(cell: Pick<LogCell, 'state' | 'tone'>): number {
  if (CELL_LOOK[cell.state].fill !== 'solid') return LIGHT_TEXT;
  const fill = cellColour(cell);
  // White, not the panels' light grey: Okabe-Ito's blue needs every bit of contrast there is.
  return contrastRatio(fill, DARK_TEXT) >= contrastRatio(fill, 0xffffff) ? DARK_TEXT : 0xffffff;
}

// ---- Words ----------------------------------------------------------------------------------------

/** "Slot 3": the protocol's name of a slot, capitalised. */
export function slotTitle(protocol: ProtocolName, slot: Slot): string {
  const name = slotName(protocol, slot) ?? `slot ${slot + 1}`;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A cell's mark in words: "ballot 4.B" for a ballot, "term 4" for a term, else the mark itself. */
export function markWords(mark: string): string {
  if (/^\d+\.[A-Z]+$/.test(mark)) return `ballot ${mark}`;
  const term = /^t(\d+)$/.exec(mark);
  return term ? `term ${term[1]}` : mark;
}

/**
 * One slot of a node's log in words, from the same cell the strip draws: "Slot 3: 'X' accepted
 * under ballot 4.B, not known to be chosen yet." (or, with no ballot or term to name, "Slot 3: 'X',
 * not known to be chosen yet."). A chosen slot that waits names the first slot before it that is
 * not known chosen.
 */
export function cellSentence(protocol: ProtocolName, cell: LogCell, cells: readonly LogCell[] = []): string {
  const name = slotTitle(protocol, cell.slot);
  const value = `'${cell.value ?? ''}'`;
  const under = cell.mark ? ` under ${markWords(cell.mark)}` : '';
  switch (cell.state) {
    case 'empty':
      return `${name}: empty.`;
    case 'accepted':
      // "Accepted" is a ballot's word (Paxos); a slot without one (a vote) is told without it.
      return `${name}: ${value}${cell.mark ? ` accepted${under}` : ''}, not known to be chosen yet.`;
    case 'chosen': {
      const hole = cells.find((c) => c.slot < cell.slot && (c.state === 'empty' || c.state === 'accepted'));
      return `${name}: ${value} known to be chosen${under}, not applied yet${hole ? `: ${slotName(protocol, hole.slot) ?? `slot ${hole.slot + 1}`} comes first` : ''}.`;
    }
    case 'applied':
      return `${name}: ${value} chosen and applied${under}.`;
  }
}

/** The leader a node believes in, as its label says it: "leader: B", "leader: you". */
export function leaderLine(leader: NodeId | null, self: NodeId | null): string | null {
  if (leader === null) return null;
  return `leader: ${leader === self ? 'you' : nodeName(leader)}`;
}

// ---- The strip on the canvas ----------------------------------------------------------------------

/** The sizes a strip is drawn with, in CSS pixels. */
export interface StripGeometry {
  cellWidth: number;
  /** A cell's height: one label line, or two when a cell carries a mark under its value. */
  cellHeight: number;
  gap: number;
  /** The width of the "+N" marker before a window that leaves earlier slots out. */
  markerWidth: number;
}

/** How many label lines a strip takes: none without cells, two when a cell carries a mark. */
export function stripRows(log: LogPicture | null): number {
  if (!log || log.cells.length === 0) return 0;
  return log.cells.some((c) => c.mark) ? 2 : 1;
}

/**
 * A strip's sizes for a label font: a cell wide enough for the widest value or mark (measured, in
 * px), at least 1.8 ems, and at most 4 ems, or up to 7 when a few cells share a label's widest
 * fourteen; a line (or two) high.
 */
export function stripGeometry(widest: number, fontSize: number, lineHeight: number, rows: number, count = Infinity): StripGeometry {
  const most = Math.max(4, Math.min(7, 14 / Math.max(1, count))) * fontSize;
  const cellWidth = Math.round(Math.max(1.8 * fontSize, Math.min(most, widest + 8)));
  return { cellWidth, cellHeight: Math.max(1, rows) * lineHeight - 2, gap: 2, markerWidth: Math.round(2.6 * fontSize) };
}

/** The width a strip of `count` cells would like, every cell shown. */
export function stripWidth(count: number, g: StripGeometry): number {
  return count <= 0 ? 0 : count * (g.cellWidth + g.gap) - g.gap;
}

export interface StripCellBox extends Rect {
  /** Index into the node's cells. */
  index: number;
}

export interface StripLayout {
  cells: StripCellBox[];
  /** The marker for the slots left out before the window, if any. */
  earlier: (Rect & { count: number }) | null;
}

/**
 * Where a strip's cells go in its room: all of them if they fit, else the latest that fit after a
 * "+N earlier" marker. Cells keep to the side the label's text keeps to, next to their node; none
 * leaves the room.
 */
export function stripLayout(count: number, room: Rect, g: StripGeometry, align: 'left' | 'center' | 'right'): StripLayout {
  if (count <= 0 || room.width <= 0 || room.height <= 0) return { cells: [], earlier: null };
  const pitch = g.cellWidth + g.gap;
  const height = Math.min(g.cellHeight, room.height);
  const all = stripWidth(count, g);
  let shown = count;
  let marker = 0;
  if (all > room.width) {
    marker = g.markerWidth + g.gap;
    shown = Math.max(0, Math.floor((room.width - marker + g.gap) / pitch));
    if (shown === 0 && g.markerWidth > room.width) marker = 0;
  }
  const width = (marker > 0 ? marker : 0) + stripWidth(shown, g);
  const x0 = align === 'left' ? room.x : align === 'right' ? room.x + room.width - width : room.x + (room.width - width) / 2;
  const first = count - shown;
  const cells = Array.from({ length: shown }, (_, i) => ({ index: first + i, x: x0 + marker + i * pitch, y: room.y, width: g.cellWidth, height }));
  const earlier = first > 0 && marker > 0 ? { count: first, x: x0, y: room.y, width: g.markerWidth, height } : null;
  return { cells, earlier };
}

/** A label's box shared between its strip and its text: the strip on the side next to its node. */
export function splitLabelBox<B extends Rect & { lines: number; valign: 'top' | 'middle' | 'bottom' }>(box: B, rows: number, lineHeight: number): { strip: Rect | null; text: B } {
  const taken = Math.min(rows, box.lines);
  if (taken <= 0) return { strip: null, text: box };
  const stripHeight = taken * lineHeight;
  const text = { ...box, lines: box.lines - taken, height: Math.max(0, box.height - stripHeight) };
  if (box.valign === 'bottom') {
    return { strip: { x: box.x, y: box.y + box.height - stripHeight, width: box.width, height: stripHeight }, text };
  }
  return { strip: { x: box.x, y: box.y, width: box.width, height: stripHeight }, text: { ...text, y: box.y + stripHeight } };
}

// ---- The god view's grid -------------------------------------------------------------------------

/** The most slots the grid shows at once unless asked for all: the latest ones. */
export const GRID_WINDOW = 12;

export interface LogGridRow {
  node: NodeId;
  title: string;
  crashed: boolean;
  leader: string | null;
  /** One per slot shown: the node's cell there (an empty one past the end of its log). */
  cells: LogCell[];
}

export interface LogGrid {
  protocol: ProtocolName;
  /** The slots shown, in order. */
  slots: Slot[];
  /** Slots before the window, left out. */
  earlier: number;
  rows: LogGridRow[];
  /** The commit point of each slot shown that has one (none until the reveal on the projector). */
  commits: Map<Slot, CommitPoint>;
  /** Whether any node believes in a leader: else the grid has no leader column. */
  leaders: boolean;
  /** Whether any cell has a tone: its colour is then its ballot's or term's, not its state's. */
  toned: boolean;
}

export interface GridNode {
  id: NodeId;
  title: string;
  crashed: boolean | null;
  log: LogPicture | null;
}

/**
 * Every node's log lined up by slot, for the god view (the instructor, the projector, the reveal and
 * replays): null when the picture is a node's own (a student sees no other node's log) or the
 * protocol keeps none. Shows the latest `window` slots of a longer log.
 */
export function logGrid(picture: { protocol: ProtocolName; god: boolean; nodes: readonly GridNode[]; commitPoints: readonly CommitPoint[] }, window = GRID_WINDOW): LogGrid | null {
  if (!picture.god || !keepsLog(picture.protocol)) return null;
  const length = Math.max(0, ...picture.nodes.map((n) => n.log?.cells.length ?? 0), ...picture.commitPoints.map((cp) => cp.slot + 1));
  const earlier = Math.max(0, length - window);
  const slots = Array.from({ length: length - earlier }, (_, i) => earlier + i);
  const rows = picture.nodes.map((n) => ({
    node: n.id,
    title: n.title,
    crashed: n.crashed === true,
    leader: n.log?.leader != null ? nodeName(n.log.leader) : null,
    cells: slots.map((slot): LogCell => n.log?.cells[slot] ?? { slot, state: 'empty', value: null }),
  }));
  const commits = new Map(commitPointsBySlot(picture.commitPoints).filter((cp) => cp.slot >= earlier).map((cp) => [cp.slot, cp] as const));
  const toned = rows.some((r) => r.cells.some((c) => c.tone !== undefined));
  return { protocol: picture.protocol, slots, earlier, rows, commits, leaders: rows.some((r) => r.leader !== null), toned };
}

/** The diagonal lines that hatch a chosen cell, `spacing` px apart, each clipped to the cell. */
export function hatchSegments(r: Rect, spacing: number): [number, number, number, number][] {
  const segments: [number, number, number, number][] = [];
  if (r.width <= 0 || r.height <= 0 || spacing <= 0) return segments;
  // Lines x - y = c, from the bottom-left corner to the top-right one, each entered and left at the edges.
  for (let c = -r.height + spacing / 2; c < r.width; c += spacing) {
    const x1 = r.x + Math.max(0, c);
    const y1 = r.y + r.height - Math.max(0, -c);
    const run = Math.min(r.width - Math.max(0, c), r.height - Math.max(0, -c));
    segments.push([x1, y1, x1 + run, y1 - run]);
  }
  return segments;
}
