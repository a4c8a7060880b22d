import { describe, expect, it } from 'vitest';
import { arrowAt, CUT_SHORT, distanceToSegment, laneY, layoutDiagram } from '../../client/src/replay/diagram';
import type { MessageTrace } from '../../shared/engine/timeline';

const size = { width: 1000, height: 300, gutter: 100, padding: 20 };

function trace(partial: Partial<MessageTrace>): MessageTrace {
  return {
    id: 1,
    from: 0,
    to: 2,
    kind: 'prepare',
    label: 'PREPARE 1.A',
    sentStep: 3,
    sentTick: 10,
    endStep: 9,
    endTick: 20,
    fate: 'delivered',
    duplicateOf: null,
    ...partial,
  };
}

describe('space-time diagram layout', () => {
  it('puts one lane per node, evenly spaced, first and last at the padding', () => {
    expect(laneY(0, 5, size)).toBe(20);
    expect(laneY(4, 5, size)).toBe(280);
    expect(laneY(2, 5, size)).toBe(150);
    const layout = layoutDiagram(5, [], 100, size);
    expect(layout.lanes.map((l) => l.node)).toEqual([0, 1, 2, 3, 4]);
  });

  it('maps ticks linearly from the gutter to the right edge', () => {
    const layout = layoutDiagram(3, [], 100, size);
    expect(layout.xOfTick(0)).toBe(100);
    expect(layout.xOfTick(100)).toBe(980);
    expect(layout.xOfTick(50)).toBe(540);
  });

  it('shows a window of a long round, leaving out the messages outside it', () => {
    const early = trace({ id: 1, sentTick: 2, endTick: 5 });
    const late = trace({ id: 2, sentTick: 301, endTick: 306 });
    const crossing = trace({ id: 3, sentTick: 195, endTick: 205 });
    const layout = layoutDiagram(3, [early, late, crossing], 100, size, 200);
    expect(layout.arrows.map((a) => a.id)).toEqual([3]);
    expect(layout.xOfTick(200)).toBe(100);
    expect(layout.xOfTick(250)).toBe(540);
    expect(layout.arrows[0]!.x1).toBeLessThan(100);
  });

  it('draws a delivered message from sender lane at send tick to receiver lane at delivery tick', () => {
    const layout = layoutDiagram(3, [trace({})], 100, size);
    const a = layout.arrows[0]!;
    expect([a.x1, a.y1]).toEqual([layout.xOfTick(10), laneY(0, 3, size)]);
    expect([a.x2, a.y2]).toEqual([layout.xOfTick(20), laneY(2, 3, size)]);
    expect(a.seekStep).toBe(3);
  });

  it('cuts a dropped message short of its receiver', () => {
    const layout = layoutDiagram(3, [trace({ fate: 'dropped', endTick: 12 })], 100, size);
    const a = layout.arrows[0]!;
    const fullY = laneY(2, 3, size);
    expect(a.y2).toBeLessThan(fullY);
    expect(a.y2 - a.y1).toBeCloseTo((fullY - a.y1) * CUT_SHORT);
    expect(a.fate).toBe('dropped');
  });

  it('finds the arrow under a click, and nothing far from every arrow', () => {
    const layout = layoutDiagram(3, [trace({ id: 1 }), trace({ id: 2, from: 2, to: 0, sentTick: 50, endTick: 60, sentStep: 30 })], 100, size);
    const a = layout.arrows[1]!;
    const hit = arrowAt(layout, (a.x1 + a.x2) / 2, (a.y1 + a.y2) / 2);
    expect(hit?.id).toBe(2);
    expect(hit?.seekStep).toBe(30);
    expect(arrowAt(layout, 990, 5)).toBeNull();
  });

  it('measures distance to a segment, including past its ends', () => {
    expect(distanceToSegment(5, 5, 0, 0, 10, 0)).toBe(5);
    expect(distanceToSegment(-3, 4, 0, 0, 10, 0)).toBe(5);
    expect(distanceToSegment(1, 1, 1, 1, 1, 1)).toBe(0);
  });
});
