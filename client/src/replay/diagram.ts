/**
 * The space-time (Lamport) diagram under the replay timeline, as pure geometry: a horizontal lane per
 * node, time running left to right in ticks, an arrow per message from (sent tick, sender's lane) to
 * (end tick, receiver's lane). Dropped and lost messages end short of the receiver, marked with a cross.
 */
import type { MessageFate, MessageTrace } from '../../../shared/engine/timeline';

export interface DiagramSize {
  width: number;
  height: number;
  /** Space on the left for the node names. */
  gutter: number;
  /** Space above the first lane and below the last. */
  padding: number;
}

export interface DiagramArrow {
  id: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  fate: MessageFate;
  kind: string;
  label: string;
  sentStep: number;
  endStep: number;
  /** The step to seek to when the arrow is clicked: the moment it was sent. */
  seekStep: number;
  duplicate: boolean;
}

export interface DiagramLayout {
  lanes: { node: number; y: number }[];
  arrows: DiagramArrow[];
  /** x of a tick, for the cursor and the tick ruler. */
  xOfTick(tick: number): number;
  maxTick: number;
}

/**
 * The messages a point of view knew of: every one for the god view; for a node, only its own, the
 * ones it sent and the ones addressed to it (the same messages whose contents it could read live).
 */
export function tracesSeenBy(messages: readonly MessageTrace[], pov: 'god' | number): readonly MessageTrace[] {
  if (pov === 'god') return messages;
  return messages.filter((m) => m.from === pov || m.to === pov);
}

/** How far along its lane a dropped or lost message is drawn before it stops (fraction of the hop). */
export const CUT_SHORT = 0.6;

export function laneY(node: number, nodes: number, size: DiagramSize): number {
  if (nodes <= 1) return size.height / 2;
  const usable = size.height - 2 * size.padding;
  return size.padding + (usable * node) / (nodes - 1);
}

/**
 * Lays out the ticks [from, from + span] across the width; messages wholly outside are left out, and
 * those crossing an edge run past it (the canvas clips them).
 */
export function layoutDiagram(
  nodes: number,
  messages: readonly MessageTrace[],
  span: number,
  size: DiagramSize,
  from = 0,
): DiagramLayout {
  span = Math.max(1, span);
  const usable = Math.max(1, size.width - size.gutter - size.padding);
  const xOfTick = (tick: number): number => size.gutter + (usable * (tick - from)) / span;
  const lanes = Array.from({ length: nodes }, (_, node) => ({ node, y: laneY(node, nodes, size) }));
  const visible = messages.filter((m) => m.endTick >= from && m.sentTick <= from + span);
  const arrows = visible.map((m): DiagramArrow => {
    const x1 = xOfTick(m.sentTick);
    const y1 = laneY(m.from, nodes, size);
    let x2 = xOfTick(m.endTick);
    let y2 = laneY(m.to, nodes, size);
    if (m.fate === 'dropped' || m.fate === 'lost') {
      // Stop part-way: the message never reached its receiver.
      const end = Math.max(m.endTick, m.sentTick + 1);
      x2 = x1 + (xOfTick(end) - x1) * CUT_SHORT;
      y2 = y1 + (y2 - y1) * CUT_SHORT;
    }
    return {
      id: m.id,
      x1,
      y1,
      x2,
      y2,
      fate: m.fate,
      kind: m.kind,
      label: m.label,
      sentStep: m.sentStep,
      endStep: m.endStep,
      seekStep: m.sentStep,
      duplicate: m.duplicateOf !== null,
    };
  });
  return { lanes, arrows, xOfTick, maxTick: from + span };
}

/** The arrow nearest to a point, within `tolerance` pixels, for clicks on the diagram. */
export function arrowAt(layout: DiagramLayout, x: number, y: number, tolerance = 6): DiagramArrow | null {
  let best: DiagramArrow | null = null;
  let bestDistance = tolerance;
  for (const a of layout.arrows) {
    const d = distanceToSegment(x, y, a.x1, a.y1, a.x2, a.y2);
    if (d <= bestDistance) {
      best = a;
      bestDistance = d;
    }
  }
  return best;
}

export function distanceToSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / length2));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}
