/**
 * Logs in the client: each node's strip (its geometry, the latest window of a long log), the god
 * view's grid, the words for each slot, and who may see which log.
 */
import { describe, expect, it } from 'vitest';
import { createWorld, makeConfig } from '../../shared/engine/world';
import { step } from '../../shared/engine/step';
import { godView, viewOf } from '../../shared/engine/view';
import type { Command, World } from '../../shared/engine/types';
import { nodeLabelLines, pictureOf, slotList, type NodePicture } from '../../client/src/picture';
import {
  CELL_LOOK,
  cellColour,
  cellSentence,
  cellTextColour,
  hatchSegments,
  leaderLine,
  logGrid,
  markWords,
  splitLabelBox,
  stripGeometry,
  stripLayout,
  stripRows,
  stripWidth,
  toneColour,
  type LogCell,
} from '../../client/src/logs';
import { OKABE_ITO, contrastRatio, placeLabels, ringLayout } from '../../client/src/layout';

function run(world: World, commands: Command[]): World {
  for (const command of commands) {
    const result = step(world, command);
    if (!result.ok) throw new Error(`${command.type}: ${result.rejection.message}`);
    world = result.world;
  }
  return world;
}

/** Three voters: slot 1 chooses x=1 (A and C vote for it), then A votes for its next client's x=3 in slot 2. */
function votelogRound(): World {
  let w = createWorld(makeConfig('votelog', 3, 7, { latencyMin: 1, latencyMax: 1 }));
  w = run(w, [
    { type: 'propose', node: 0, decree: 'x=1' },
    { type: 'propose', node: 1, decree: 'x=2' },
    { type: 'act', node: 0, action: { kind: 'vote', slot: 0, decree: 'x=1' } },
    { type: 'tick' },
    { type: 'act', node: 2, action: { kind: 'vote', slot: 0, decree: 'x=1' } },
    { type: 'tick' },
    { type: 'propose', node: 0, decree: 'x=3' },
    { type: 'act', node: 0, action: { kind: 'vote', slot: 1, decree: 'x=3' } },
  ]);
  return w;
}

const cells = (states: LogCell['state'][]): LogCell[] => states.map((state, slot) => ({ slot, state, value: state === 'empty' ? null : `v${slot}` }));
const G = stripGeometry(20, 13, 18, 1);

describe('a node\'s strip', () => {
  it('shows every cell when they fit, kept to the side of its text', () => {
    const room = { x: 100, y: 50, width: 200, height: 18 };
    const left = stripLayout(3, room, G, 'left');
    expect(left.earlier).toBeNull();
    expect(left.cells.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(left.cells[0]!.x).toBe(100);
    const right = stripLayout(3, room, G, 'right');
    expect(right.cells[2]!.x + right.cells[2]!.width).toBeCloseTo(300);
  });

  it('shows the latest slots of a long log after "+N earlier", never leaving its room', () => {
    for (const width of [40, 60, 100, 182, 300]) {
      const room = { x: 10, y: 0, width, height: 18 };
      const layout = stripLayout(50, room, G, 'center');
      const shown = layout.cells.length;
      expect(shown).toBeLessThan(50);
      expect(layout.earlier?.count ?? 50).toBe(50 - shown);
      // The cells shown are the last ones, in order.
      expect(layout.cells.map((c) => c.index)).toEqual(Array.from({ length: shown }, (_, i) => 50 - shown + i));
      for (const r of [...layout.cells, ...(layout.earlier ? [layout.earlier] : [])]) {
        expect(r.x).toBeGreaterThanOrEqual(room.x - 1e-9);
        expect(r.x + r.width).toBeLessThanOrEqual(room.x + room.width + 1e-9);
      }
      // One more cell would not have fitted.
      expect(stripWidth(shown + 1, G) + G.markerWidth + G.gap).toBeGreaterThan(width);
    }
  });

  it('takes a line of its node\'s label, two when cells carry marks, on the side next to the node', () => {
    expect(stripRows(null)).toBe(0);
    expect(stripRows({ cells: [], leader: null })).toBe(0);
    expect(stripRows({ cells: cells(['accepted']), leader: null })).toBe(1);
    expect(stripRows({ cells: [{ slot: 0, state: 'accepted', value: 'X', mark: '4.B' }], leader: null })).toBe(2);
    const below = { x: 0, y: 100, width: 120, height: 90, lines: 5, align: 'left' as const, valign: 'top' as const };
    const split = splitLabelBox(below, 2, 18);
    expect(split.strip).toEqual({ x: 0, y: 100, width: 120, height: 36 });
    expect(split.text).toMatchObject({ y: 136, height: 54, lines: 3 });
    const above = splitLabelBox({ ...below, valign: 'bottom' as const }, 1, 18);
    expect(above.strip).toEqual({ x: 0, y: 172, width: 120, height: 18 });
    expect(above.text).toMatchObject({ y: 100, height: 72, lines: 4 });
    expect(splitLabelBox(below, 0, 18).strip).toBeNull();
  });

  it('sizes cells from their widest words, within 1.8 to 4 ems, or 7 for a short log', () => {
    expect(stripGeometry(5, 10, 14, 1).cellWidth).toBe(18);
    expect(stripGeometry(100, 10, 14, 1).cellWidth).toBe(40);
    expect(stripGeometry(100, 10, 14, 1, 10).cellWidth).toBe(40);
    expect(stripGeometry(100, 10, 14, 1, 2).cellWidth).toBe(70);
    expect(stripGeometry(60, 10, 14, 1, 1).cellWidth).toBe(68);
    expect(stripGeometry(20, 10, 14, 2).cellHeight).toBe(26);
  });

  it('fits a 9-node god view on a phone and on a laptop: every label keeps its line for the strip', () => {
    for (const box of [{ width: 375, height: 400 }, { width: 900, height: 640 }]) {
      const ring = ringLayout(9, box);
      const g = stripGeometry(20, ring.fontSize, ring.lineHeight, 1);
      const wishes = Array.from({ length: 9 }, () => ({ width: stripWidth(50, g), lines: 4 }));
      const labels = placeLabels(ring, box, wishes);
      for (const label of labels) {
        expect(label.lines).toBeGreaterThan(0);
        const { strip } = splitLabelBox(label, 1, ring.lineHeight);
        const layout = stripLayout(50, strip!, g, label.align);
        // Always the newest slot, and the count of those left out.
        expect(layout.cells.at(-1)?.index).toBe(49);
        expect(layout.earlier!.count + layout.cells.length).toBe(50);
      }
    }
  });

  it('hatches a chosen cell with lines that stay inside it', () => {
    const r = { x: 10, y: 20, width: 30, height: 16 };
    const lines = hatchSegments(r, 5);
    expect(lines.length).toBeGreaterThan(5);
    for (const [x1, y1, x2, y2] of lines) {
      for (const [x, y] of [[x1, y1], [x2, y2]] as const) {
        expect(x).toBeGreaterThanOrEqual(r.x - 1e-9);
        expect(x).toBeLessThanOrEqual(r.x + r.width + 1e-9);
        expect(y).toBeGreaterThanOrEqual(r.y - 1e-9);
        expect(y).toBeLessThanOrEqual(r.y + r.height + 1e-9);
      }
      // Up and to the right, at 45 degrees.
      expect(x2 - x1).toBeCloseTo(y1 - y2);
    }
  });
});

describe('how cells look', () => {
  it('tells the four states apart by fill and outline, not by colour alone', () => {
    const looks = new Set(Object.values(CELL_LOOK).map((l) => `${l.fill}/${l.outline}`));
    expect(looks.size).toBe(4);
    expect(new Set(Object.values(CELL_LOOK).map((l) => l.glyph)).size).toBe(4);
  });

  it('colours cells from the Okabe-Ito palette, by tone when there is one', () => {
    const palette = new Set(Object.values(OKABE_ITO));
    expect(cellColour({ state: 'empty' })).toBe(OKABE_ITO.grey);
    expect(cellColour({ state: 'accepted' })).toBe(OKABE_ITO.orange);
    expect(cellColour({ state: 'applied' })).toBe(OKABE_ITO.green);
    expect(cellColour({ state: 'accepted', tone: 4 })).toBe(cellColour({ state: 'applied', tone: 4 }));
    expect(toneColour(3)).not.toBe(toneColour(4));
    for (let tone = 0; tone < 12; tone++) {
      expect(palette.has(toneColour(tone))).toBe(true);
      // Words on a filled cell stay readable.
      const fill = cellColour({ state: 'applied', tone });
      expect(contrastRatio(fill, cellTextColour({ state: 'applied', tone }))).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe('a slot in words', () => {
  it('says what the node knows of each slot, naming it as the protocol does', () => {
    const log: LogCell[] = [
      { slot: 0, state: 'applied', value: 'X' },
      { slot: 1, state: 'accepted', value: 'Y', mark: '4.B' },
      { slot: 2, state: 'chosen', value: 'Z', mark: 't3' },
      { slot: 3, state: 'empty', value: null },
    ];
    expect(log.map((c) => cellSentence('votelog', c, log))).toEqual([
      "Slot 1: 'X' chosen and applied.",
      "Slot 2: 'Y' accepted under ballot 4.B, not known to be chosen yet.",
      "Slot 3: 'Z' known to be chosen under term 3, not applied yet: slot 2 comes first.",
      'Slot 4: empty.',
    ]);
    expect(cellSentence('votelog', { slot: 0, state: 'accepted', value: 'x=1' })).toBe("Slot 1: 'x=1', not known to be chosen yet.");
    expect(cellSentence('machine', { slot: 1, state: 'chosen', value: 'deposit' }, [])).toBe("Log entry 2: 'deposit' known to be chosen, not applied yet.");
    expect(markWords('odd')).toBe('odd');
    expect(leaderLine(1, 0)).toBe('leader: B');
    expect(leaderLine(0, 0)).toBe('leader: you');
    expect(leaderLine(null, 0)).toBeNull();
  });
});

describe('who sees which log', () => {
  it('shows a student only their own node\'s log, and the god view every node\'s', () => {
    const w = votelogRound();
    const mine = pictureOf({ view: viewOf(w, 1) });
    expect(mine.nodes[1]!.log!.cells.map((c) => c.state)).toEqual(['applied']);
    expect(mine.nodes[0]!.log).toBeNull();
    expect(mine.nodes[2]!.log).toBeNull();
    // No grid for a node's own view: it would show the others' logs.
    expect(logGrid(mine)).toBeNull();
    const god = pictureOf({ view: godView(w), commitPoints: w.global.chosen });
    expect(god.nodes[0]!.log!.cells.map((c) => `${c.state} ${c.value}`)).toEqual(['applied x=1', 'accepted x=3']);
    const grid = logGrid(god)!;
    expect(grid.slots).toEqual([0, 1]);
    expect(grid.rows.map((r) => r.cells.map((c) => c.state))).toEqual([
      ['applied', 'accepted'],
      ['applied', 'empty'],
      ['applied', 'empty'],
    ]);
    expect(grid.leaders).toBe(false);
    expect(grid.toned).toBe(false);
    expect([...grid.commits.keys()]).toEqual([0]);
    expect(grid.commits.get(0)!.node).toBe(w.global.chosen[0]!.node);
    // The projector before the reveal: no commit point, though every log shows.
    const concealed = logGrid(pictureOf({ view: godView(w), commitPoints: w.global.chosen, conceal: true }))!;
    expect(concealed.commits.size).toBe(0);
    expect(concealed.rows[0]!.cells[1]!.state).toBe('accepted');
  });

  it('has no strip and no grid for a protocol that keeps no log', () => {
    const w = createWorld(makeConfig('paxos', 3, 1));
    const god = pictureOf({ view: godView(w) });
    expect(god.nodes.every((n) => n.log === null)).toBe(true);
    expect(logGrid(god)).toBeNull();
  });

  it('lines long logs up by slot and shows the latest window, counting those left out', () => {
    const node = (id: number, length: number) => ({ id, title: String(id), crashed: false, log: { cells: cells(Array.from({ length }, () => 'applied' as const)), leader: id === 0 ? null : 0 } });
    const grid = logGrid({ protocol: 'votelog', god: true, nodes: [node(0, 50), node(1, 47)], commitPoints: [] }, 12)!;
    expect(grid.earlier).toBe(38);
    expect(grid.slots).toEqual(Array.from({ length: 12 }, (_, i) => 38 + i));
    expect(grid.rows[1]!.cells.map((c) => c.state).slice(-3)).toEqual(['empty', 'empty', 'empty']);
    expect(grid.leaders).toBe(true);
    expect(grid.rows.map((r) => r.leader)).toEqual([null, 'A']);
    const all = logGrid({ protocol: 'votelog', god: true, nodes: [node(0, 50)], commitPoints: [] }, Infinity)!;
    expect(all.slots.length).toBe(50);
    expect(all.earlier).toBe(0);
  });

  it('names the slots of a node\'s commit points on its label', () => {
    const w = votelogRound();
    const picture = pictureOf({ view: godView(w), commitPoints: w.global.chosen });
    const maker = picture.nodes.find((n) => n.commit)!;
    expect(maker.id).toBe(w.global.chosen[0]!.node);
    expect(nodeLabelLines(maker, picture)[0]).toBe('★ commit point: slot 1');
    expect(slotList(['slot 1', 'slot 2', 'slot 4'])).toBe('slot 1, 2, 4');
    expect(slotList(['log entry 3'])).toBe('log entry 3');
    expect(slotList(['slot 1', 'entry 2'])).toBe('slot 1, entry 2');
  });

  it('puts the leader a node believes in on its label', () => {
    const w = votelogRound();
    const picture = pictureOf({ view: godView(w) });
    const n: NodePicture = { ...picture.nodes[1]!, log: { cells: [], leader: 0 } };
    expect(nodeLabelLines(n, picture)).toContain('leader: A');
    // votelog believes in no leader: no line.
    expect(nodeLabelLines(picture.nodes[1]!, picture).some((l) => l.startsWith('leader'))).toBe(false);
  });
});
