/**
 * The projector view (`/class/CODE/screen`): big type for the back of a room. Before a round, how
 * to join; while rounds run, every group as a card or one group's canvas; after them, the groups
 * compared and a group's scoreboard. Keys: arrows and digits choose a group, G shows every group, R
 * the results. What it must not give away is decided in `../projector.ts`.
 */
import { commitPointSentence, nodeTitle, outcomeSentence, protocolTitle } from '../describe';
import type { App } from '../app';
import { PHASE_WORDS, classUnderWay, groupCards, groupFromDigits, lessonProgress, neighbourGroup, seatedStudents, type GroupCard } from '../groups';
import { projectorKey, revealOf, typingTarget } from '../projector';
import { scoreboardTable, type ScoreTable } from '../results';
import { h, replaceChildren } from './dom';
import { debriefSection, lessonGrid } from './lessons';
import { joinUrl, qrSvg } from './lobby';
import { LogGridView } from './logs';
import type { RoundScoreboard } from '../../../shared/results/scoreboard';

/** Digits typed within this long of each other name one group ("1", "2": group 12). */
const DIGIT_MS = 1200;
/** Lines of the live log the projector shows. */
const LOG_LINES = 8;

export class ProjectorScreen {
  private readonly head = h('header', { class: 'pj-head' });
  private readonly body = h('div', { class: 'pj-body' });
  private digits = '';
  private digitsAt = 0;
  private qrFor = '';
  private readonly qr = h('div', { class: 'qr pj-qr', role: 'img' });
  /** The grid is built again only when a new `groups` message came. */
  private gridFrom: unknown = null;
  private gridLesson: unknown = null;
  private shown = '';
  /** Every node's log, slot by slot, beside the group's canvas (its commit points hidden until the reveal, as on the canvas). */
  private readonly logs = new LogGridView('projector-logs', () => this.render());

  constructor(
    private readonly app: App,
    readonly root: HTMLElement,
  ) {
    root.replaceChildren(this.head, this.body);
    document.addEventListener('keydown', (e) => this.onKey(e));
    // One group's canvas sits under the bar, whose height follows its wrapped lines.
    new ResizeObserver(() => document.body.style.setProperty('--projector-head', `${this.head.offsetHeight}px`)).observe(this.head);
  }

  private onKey(e: KeyboardEvent): void {
    const app = this.app;
    if (app.screen !== 'projector' || typingTarget(e.target as HTMLElement | null)) return;
    const key = projectorKey(e.key, { ctrl: e.ctrlKey, alt: e.altKey, meta: e.metaKey });
    if (!key) return;
    if (key.kind === 'grid') app.setProjectorMode('grid');
    else if (key.kind === 'results') {
      app.setProjectorMode('results');
    } else if (key.kind === 'step') {
      const next = neighbourGroup(app.groups, app.group, key.delta);
      if (next !== null) this.show(next);
    } else {
      const now = performance.now();
      this.digits = (now - this.digitsAt > DIGIT_MS ? '' : this.digits) + key.digit;
      this.digitsAt = now;
      const group = groupFromDigits(this.digits, app.groups);
      if (group !== null) this.show(group);
    }
    e.preventDefault();
  }

  /** Shows one group: its canvas, or its results when the results are shown. */
  private show(group: number): void {
    const app = this.app;
    if (group !== app.group) app.selectGroup(group);
    app.setProjectorMode(app.projectorMode === 'results' ? 'results' : 'group');
  }

  render(): void {
    const app = this.app;
    const page = app.projectorPage;
    if (page !== this.shown) {
      this.shown = page;
      this.gridFrom = null;
      this.root.dataset.page = page;
    }
    const code = app.projectorCode ?? app.classCode ?? '';
    if (page === 'problem' || page === 'connecting') {
      replaceChildren(this.head);
      replaceChildren(
        this.body,
        h(
          'div',
          { class: 'pj-problem' },
          h('h1', { id: 'projector-title' }, page === 'problem' ? `Projector view of class ${code}` : `Connecting to class ${code}…`),
          page === 'problem' ? h('p', { id: 'projector-problem', role: 'alert' }, app.projectorProblem ?? '') : null,
          page === 'problem' ? h('p', {}, h('a', { href: '/', 'data-key': 'to-menu' }, 'Open the Quorum menu')) : null,
        ),
      );
      return;
    }
    if (page === 'lobby') {
      replaceChildren(this.head);
      this.renderLobby(code);
      return;
    }
    replaceChildren(this.head, ...this.header(code, page));
    if (page === 'grid') this.renderGrid();
    else if (page === 'group') this.renderGroup();
    else this.renderResults();
  }

  private renderLobby(code: string): void {
    const app = this.app;
    const url = joinUrl(code);
    if (this.qrFor !== url) {
      this.qr.innerHTML = qrSvg(url);
      this.qr.setAttribute('aria-label', `QR code for ${url}`);
      this.qrFor = url;
    }
    const students = seatedStudents(app.groups);
    const groups = app.groups?.groups.length ?? 0;
    const joined =
      students.length === 0
        ? 'Nobody has joined yet.'
        : `${students.length} student${students.length === 1 ? ' has' : 's have'} joined${groups > 1 ? `, in ${groups} groups` : ''}.`;
    replaceChildren(
      this.body,
      h(
        'div',
        { class: 'pj-lobby' },
        h('h1', { id: 'projector-title', class: 'pj-title' }, app.classTitle || 'Quorum'),
        h(
          'div',
          { class: 'pj-join' },
          h(
            'div',
            {},
            h('p', { class: 'pj-label' }, 'Join at'),
            h('p', { class: 'pj-url', id: 'projector-url' }, url),
            h('p', { class: 'pj-label' }, 'with the code'),
            h('p', { class: 'pj-code', id: 'projector-code', 'aria-label': `Join code ${[...code].join(' ')}` }, code),
          ),
          this.qr,
        ),
        h('p', { class: 'pj-joined', id: 'projector-joined', role: 'status' }, joined),
        students.length > 0 ? h('ul', { class: 'pj-names', 'aria-label': 'Students who joined' }, ...students.map((n) => h('li', {}, n))) : null,
      ),
    );
  }

  /** The bar above every page once rounds run: the class, the join code, and the group buttons. */
  private header(code: string, page: 'grid' | 'group' | 'results'): (HTMLElement | null)[] {
    const app = this.app;
    const groups = app.groups?.groups.length ?? 0;
    const summary = app.groups?.groups.find((g) => g.group === app.group) ?? null;
    const state = summary
      ? `Group ${summary.group}: ${protocolTitle(summary.round.protocol)}, ${summary.round.nodes} nodes · ${PHASE_WORDS[summary.round.phase]} · tick ${summary.round.tick}`
      : '';
    const step = (delta: number) => () => {
      const next = neighbourGroup(app.groups, app.group, delta);
      if (next !== null) this.show(next);
    };
    const button = (key: string, text: string, onclick: () => void, pressed: boolean | null, disabled = false) =>
      h('button', { type: 'button', 'data-key': key, id: `projector-${key}`, 'aria-pressed': pressed === null ? null : String(pressed), disabled, onclick }, text);
    return [
      h(
        'div',
        { class: 'pj-class' },
        h('h1', { id: 'projector-title' }, app.classTitle || 'Quorum'),
        h('p', {}, 'Join at ', h('strong', {}, joinUrl(code)), ' · code ', h('strong', { class: 'pj-inline-code' }, code)),
      ),
      h(
        'nav',
        { class: 'pj-nav', 'aria-label': 'Groups' },
        button('grid', 'All groups (G)', () => app.setProjectorMode('grid'), page === 'grid'),
        button('previous', '◀ Group', step(-1), null, groups < 2 && page !== 'grid'),
        button('group', summary ? `Group ${summary.group}` : 'One group', () => app.group !== null && this.show(app.group), page === 'group', app.group === null),
        button('next', 'Group ▶', step(1), null, groups < 2 && page !== 'grid'),
        app.comparison || revealOf(app.reveal, app.round) ? button('results', 'Results (R)', () => app.setProjectorMode('results'), page === 'results') : null,
      ),
      h('p', { class: 'pj-state', id: 'projector-state', role: 'status' }, app.connection === 'reconnecting' ? `${state} · reconnecting…` : state),
    ];
  }

  private renderGrid(): void {
    const app = this.app;
    if (this.gridFrom === app.groups && this.gridLesson === app.lesson && this.body.querySelector('.pj-grid')) return;
    this.gridFrom = app.groups;
    this.gridLesson = app.lesson;
    const cards = app.groups ? groupCards(app.groups) : [];
    // A class lesson: every group's way through the objectives first, and the shown group's debrief once it has one.
    const progress = lessonProgress(app.groups);
    const grid = h(
      'div',
      { class: `pj-grid${cards.length > 12 ? ' many' : ''}${progress ? ' pj-grid-small' : ''}`, id: 'projector-grid', role: 'list' },
      ...cards.map((card) => h('div', { role: 'listitem' }, this.card(card))),
    );
    replaceChildren(
      this.body,
      // Once the shown group has its debrief, it comes first: the room reads it together.
      progress ? h('div', { class: 'pj-lesson-page' }, debriefSection(app.lesson, app.group, 'projector-debrief'), lessonGrid(progress, 'projector-lesson'), grid) : grid,
    );
  }

  private card(card: GroupCard): HTMLElement {
    return h(
      'button',
      {
        type: 'button',
        class: `pj-card phase-${card.phase}`,
        'data-key': `card-${card.group}`,
        'data-group': card.group,
        'aria-label': [card.summary, ...card.seats.map((s) => s.words), ...card.holdUps, card.outcome ?? ''].filter((t) => t !== '').join('. '),
        onclick: () => this.show(card.group),
      },
      h('span', { class: 'pj-card-head' }, h('span', { class: 'pj-card-number' }, `Group ${card.group}`), h('span', { class: 'pj-card-phase' }, `${card.phaseText} · tick ${card.tick}`)),
      h(
        'span',
        { class: 'pj-seats' },
        ...card.seats.map((s) =>
          h(
            'span',
            { class: `pj-seat${s.crashed ? ' crashed' : ''}${s.learned ? ' learned' : ''}${s.bot ? ' bot' : ''}${s.away ? ' away' : ''}`, 'data-seat': s.node, title: s.words },
            h('span', { class: 'pj-node' }, s.name, s.crashed ? h('span', { class: 'pj-mark crash', 'aria-hidden': 'true' }, '✕') : null, s.learned ? h('span', { class: 'pj-mark learn', 'aria-hidden': 'true' }, '✓') : null),
            h('span', { class: 'pj-nick' }, s.nickname ?? 'bot'),
          ),
        ),
      ),
      card.holdUps.length > 0 ? h('span', { class: 'pj-holdups' }, ...card.holdUps.slice(0, 3).map((t) => h('span', { class: 'pj-holdup' }, t))) : null,
      card.outcome ? h('span', { class: 'pj-outcome' }, card.outcome) : null,
    );
  }

  private renderGroup(): void {
    const app = this.app;
    const summary = app.groups?.groups.find((g) => g.group === app.group) ?? null;
    const reveal = revealOf(app.reveal, app.round);
    const names = new Map((summary?.seats ?? []).flatMap((s) => (s.nickname ? [[s.node, s.nickname] as const] : [])));
    const protocol = app.round?.protocol ?? null;
    replaceChildren(
      this.body,
      // The canvas shows through this hole; the scene draws the group's god view there.
      h('div', { class: 'pj-canvas', 'aria-hidden': 'true' }),
      h(
        'aside',
        { class: 'pj-side', 'aria-label': `Group ${app.group ?? ''}` },
        reveal && protocol
          ? h(
              'section',
              { class: 'pj-reveal', id: 'projector-reveal' },
              h('h2', {}, 'The reveal'),
              h('p', { class: 'pj-big' }, outcomeSentence(protocol, reveal.outcome, reveal.god.status.stuck)),
              ...reveal.commitPoints.map((cp) => h('p', {}, commitPointSentence(protocol, cp, (id) => `node ${nodeTitle(id, names.get(id))}`, reveal.god.config.nodes))),
              app.comparison ? h('p', { class: 'muted' }, 'Press R for every group’s results.') : null,
            )
          : null,
        this.logsSection(),
        summary && summary.holdUps.length > 0
          ? h('section', { class: 'pj-waiting' }, h('h2', {}, 'Waiting for an answer'), h('ul', {}, ...summary.holdUps.map((u) => h('li', {}, u.text))))
          : null,
        h(
          'section',
          { class: 'pj-log' },
          h('h2', {}, 'What just happened'),
          h(
            'ol',
            { id: 'projector-log' },
            ...app.log.slice(0, LOG_LINES).map((e) => h('li', {}, e.tick !== null ? h('span', { class: 'tick' }, `t${e.tick}`) : null, e.text)),
          ),
        ),
      ),
    );
    this.logs.placed();
  }

  private logsSection(): HTMLElement | null {
    const grid = this.logs.element(this.app.picture());
    return grid ? h('section', { class: 'pj-logs', 'aria-label': 'Every node’s log' }, grid) : null;
  }

  private renderResults(): void {
    const app = this.app;
    const board = boardOf(app.comparison?.scoreboards ?? [], app.group) ?? revealOf(app.reveal, app.round)?.scoreboard ?? null;
    replaceChildren(
      this.body,
      h(
        'div',
        { class: 'pj-results' },
        debriefSection(app.lesson, app.group, 'projector-results-debrief'),
        app.comparison && app.comparison.sentences.length > 0
          ? h('section', { id: 'projector-comparison' }, h('h2', {}, 'The groups compared'), ...app.comparison.sentences.map((t) => h('p', { class: 'pj-sentence' }, t)))
          : null,
        board ? scoreTableElement(scoreboardTable(board)) : h('p', { class: 'muted' }, classUnderWay(app.groups) ? 'This group’s round has no scoreboard yet.' : ''),
        (app.comparison?.scoreboards.length ?? 0) > 1 ? h('p', { class: 'muted' }, 'Arrows or a group’s number show another group’s scoreboard.') : null,
      ),
    );
  }
}

function boardOf(boards: readonly RoundScoreboard[], group: number | null): RoundScoreboard | null {
  return boards.find((b) => b.group === group) ?? null;
}

/** A group's scoreboard as a table for the wall: the commit point first, then moves by the rules and refusals, then learning. */
export function scoreTableElement(table: ScoreTable): HTMLElement {
  return h(
    'section',
    { class: 'pj-scoreboard', 'data-group': table.group },
    h('h2', {}, table.caption),
    h('p', { class: 'pj-big' }, table.outcome),
    ...table.commitPoints.map((t) => h('p', {}, t)),
    h(
      'table',
      { id: `scoreboard-group-${table.group}` },
      h('caption', { class: 'sr-only' }, `Scoreboard of ${table.caption}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Player'),
          h('th', { scope: 'col' }, 'Node'),
          h('th', { scope: 'col' }, 'Commit point'),
          h('th', { scope: 'col' }, 'Moves by the rules'),
          h('th', { scope: 'col' }, 'Refused, by rule'),
          table.sandbox ? h('th', { scope: 'col' }, 'Rules broken') : null,
          h('th', { scope: 'col' }, 'Learned the outcome'),
        ),
      ),
      h(
        'tbody',
        {},
        ...table.rows.map((r) =>
          h(
            'tr',
            { class: `${r.bot ? 'bot' : ''}${r.commitPoint ? ' commit-row' : ''}` },
            h('th', { scope: 'row' }, r.player),
            h('td', {}, r.seats),
            h('td', {}, r.commitPoint ? '★ their move' : ''),
            h('td', {}, String(r.movesByRules)),
            h('td', {}, r.refused),
            table.sandbox ? h('td', {}, r.rulesBroken ?? '') : null,
            h('td', {}, r.learned),
          ),
        ),
      ),
    ),
  );
}
