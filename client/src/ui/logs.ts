/**
 * Logs in the DOM: a player's own log in words, and the god view's grid (one row per node, one
 * column per slot) for the instructor, the projector, the reveal and replays. A table, so a screen
 * reader reads each cell with its node and its slot; the legend says what the fills mean.
 */
import { nodeName } from '../../../shared/engine/names';
import type { ProtocolName } from '../../../shared/engine/types';
import { commitPointSentence } from '../describe';
import { cssColour } from '../layout';
import { CELL_LOOK, GRID_WINDOW, cellColour, cellSentence, cellTextColour, logGrid, markWords, slotTitle, type CellState, type LogGrid, type LogPicture } from '../logs';
import { h, replaceChildren } from './dom';

const STATES: readonly CellState[] = ['empty', 'accepted', 'chosen', 'applied'];

/** What each look of a cell means, drawn as the cells are; and, where cells have tones, what their colour means. */
export function logLegend(toned = false): HTMLElement {
  return h(
    'ul',
    { class: 'log-legend', 'aria-label': 'What the cells show' },
    ...STATES.map((state) => {
      const cell = { state, tone: undefined };
      return h(
        'li',
        {},
        h('span', { class: `log-cell log-${state}`, style: `--cell:${cssColour(cellColour(cell))};--cell-text:${cssColour(cellTextColour(cell))}`, 'aria-hidden': 'true' }, CELL_LOOK[state].glyph),
        ` ${CELL_LOOK[state].word}`,
      );
    }),
    toned ? h('li', { class: 'log-toned' }, 'the colour: one per ballot or term, the mark under the value') : null,
  );
}

/** A node's own log in words, one item per slot, from the cells its strip draws; and the leader it believes in. */
export function ownLogList(protocol: ProtocolName, log: LogPicture, self: number): HTMLElement {
  const leader = log.leader === null ? null : log.leader === self ? 'You believe you are the leader.' : `You believe the leader is ${nodeName(log.leader)}.`;
  return h(
    'div',
    { class: 'own-log' },
    h('h3', { id: 'my-log-title' }, 'Your log'),
    leader ? h('p', { id: 'my-leader' }, leader) : null,
    log.cells.length === 0
      ? h('p', { class: 'muted', id: 'my-log-empty' }, 'Nothing in your log yet.')
      : h('ol', { id: 'my-log', class: 'log-words', 'aria-labelledby': 'my-log-title' }, ...log.cells.map((c) => h('li', { 'data-slot': c.slot, 'data-state': c.state }, cellSentence(protocol, c, log.cells)))),
  );
}

/**
 * The grid: a row per node (its name, the leader it believes in if any node believes in one), a
 * column per slot shown (the latest, with "+N earlier" when slots are left out), each cell drawn as
 * on the canvas with its glyph, value and mark, and a last row with each slot's commit point once
 * it may be shown; a button that shows every slot, or the latest again; and the legend.
 */
function logGridParts(grid: LogGrid, options: { id: string; all: boolean; toggle: (() => void) | null }): { table: HTMLElement; toggle: HTMLElement | null; legend: HTMLElement } {
  const { protocol } = grid;
  const caption = grid.slots.length === 0 ? 'Every node’s log: no slot holds anything yet.' : 'Every node’s log, slot by slot';
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'Node'),
    grid.leaders ? h('th', { scope: 'col' }, 'Leader') : null,
    grid.earlier > 0 ? h('th', { scope: 'col', class: 'log-earlier' }, `+${grid.earlier} earlier`) : null,
    ...grid.slots.map((slot) => h('th', { scope: 'col', 'data-slot': slot }, slotTitle(protocol, slot))),
  );
  const rows = grid.rows.map((row) =>
    h(
      'tr',
      { 'data-node': row.node, class: row.crashed ? 'crashed' : '' },
      h('th', { scope: 'row' }, row.title, row.crashed ? h('span', { class: 'muted' }, ' (crashed)') : null),
      grid.leaders ? h('td', { class: 'log-leader' }, row.leader ?? '–') : null,
      grid.earlier > 0 ? h('td', { class: 'log-earlier', 'aria-hidden': 'true' }, '…') : null,
      ...row.cells.map((cell) => {
        const commit = grid.commits.get(cell.slot);
        const star = commit !== undefined && commit.node === row.node;
        return h(
          'td',
          {
            class: `log-cell log-${cell.state}${star ? ' log-commit' : ''}`,
            'data-slot': cell.slot,
            'data-state': cell.state,
            style: `--cell:${cssColour(cellColour(cell))};--cell-text:${cssColour(cellTextColour(cell))}`,
            title: cellSentence(protocol, cell, row.cells),
          },
          h('span', { class: 'log-glyph', 'aria-hidden': 'true' }, CELL_LOOK[cell.state].glyph),
          cell.value !== null ? h('span', { class: 'log-value' }, cell.value) : null,
          cell.mark ? h('span', { class: 'log-mark', 'aria-label': markWords(cell.mark) }, cell.mark) : null,
          h('span', { class: 'sr-only' }, ` ${CELL_LOOK[cell.state].word}`),
          star ? h('span', { class: 'log-star', title: 'This node’s vote or acceptance was the commit point of this slot' }, ' ★', h('span', { class: 'sr-only' }, ' commit point')) : null,
        );
      }),
    ),
  );
  const commits =
    grid.commits.size > 0
      ? h(
          'tr',
          { class: 'log-commits' },
          h('th', { scope: 'row' }, 'Commit point'),
          grid.leaders ? h('td', {}) : null,
          grid.earlier > 0 ? h('td', {}) : null,
          ...grid.slots.map((slot) => {
            const cp = grid.commits.get(slot);
            return h('td', { 'data-slot': slot, title: cp ? commitPointSentence(protocol, cp) : '' }, cp ? `★ ${nodeName(cp.node)}, tick ${cp.tick}` : '');
          }),
        )
      : null;
  return {
    table: h('table', {}, h('caption', {}, caption), h('thead', {}, head), h('tbody', {}, ...rows), commits ? h('tfoot', {}, commits) : null),
    toggle:
      options.toggle && (grid.earlier > 0 || options.all)
        ? h('button', { type: 'button', class: 'log-toggle', 'data-key': `${options.id}-toggle`, onclick: options.toggle }, options.all ? 'Show the latest slots only' : `Show all ${grid.earlier + grid.slots.length} slots`)
        : null,
    legend: logLegend(grid.toned),
  };
}

/**
 * A place that shows the god view's grid and remembers whether every slot is shown: the side
 * panel's section, the projector's, the replay's. It shows nothing for a picture that is a node's
 * own, or of a protocol without a log. Its element stays the same from one view to the next, and
 * so does the scrolled box around the table: a grid scrolled to its latest slots stays there.
 */
export class LogGridView {
  private all = false;
  private readonly scroll = h('div', { class: 'log-grid-scroll' });
  readonly root: HTMLElement;
  private toEnd = false;
  /** How far the reader had scrolled the grid sideways: kept while a panel around it is built anew. */
  private left = 0;

  constructor(
    readonly id: string,
    private readonly redraw: () => void,
  ) {
    this.root = h('div', { class: 'log-grid', id });
  }

  /** The grid for this picture, or null when there is none to show. */
  element(picture: Parameters<typeof logGrid>[0] | null): HTMLElement | null {
    const grid = picture ? logGrid(picture, this.all ? Infinity : GRID_WINDOW) : null;
    if (!grid) return null;
    if (this.scroll.isConnected) this.left = this.scroll.scrollLeft;
    const parts = logGridParts(grid, {
      id: this.id,
      all: this.all,
      toggle: () => {
        this.all = !this.all;
        // Every slot shown: the latest are at the right end, where the reader was looking.
        this.toEnd = this.all;
        this.redraw();
      },
    });
    this.scroll.replaceChildren(parts.table);
    replaceChildren(this.root, this.scroll, parts.toggle, parts.legend);
    if (this.toEnd) {
      this.toEnd = false;
      requestAnimationFrame(() => (this.scroll.scrollLeft = this.scroll.scrollWidth));
    }
    return this.root;
  }

  /**
   * To call once the grid is in the page again, when the panel that holds it was built anew around it:
   * taken out of the page, its scroll box forgot how far the reader had scrolled it.
   */
  placed(): void {
    if (!this.toEnd && this.scroll.scrollLeft !== this.left) this.scroll.scrollLeft = this.left;
  }
}

/** Puts the grid (or nothing) into its place, leaving it where it is when it is there already (moving it would lose its scroll). */
export function placeGrid(place: HTMLElement, grid: HTMLElement | null): void {
  if (grid === null) place.replaceChildren();
  else if (grid.parentElement !== place || place.childNodes.length !== 1) place.replaceChildren(grid);
}
