/**
 * The instructor's dashboard over the god view: round controls, faults on nodes and messages, the
 * students, the class scoreboard, and the class report (downloads and charts). Every button sends a message of shared/wire/messages.ts; the
 * server and the engine decide whether it is allowed.
 */
import { MAX_DECREE_LENGTH } from '../../../shared/engine/limits';
import { nodeName } from '../../../shared/engine/names';
import type { GodView } from '../../../shared/engine/view';
import { slotName } from '../../../shared/engine/reveal';
import type { App } from '../app';
import type { ScoreRow } from '../scoreboard';
import { nodeStateLines, nodeTitle, pendingOutcomeText } from '../describe';
import { nicknamesOf } from '../picture';
import { h, replaceChildren } from './dom';
import { swatch } from './play';
import { SPEEDS, setupForm, toSetupMessage } from './setup';
import type { Lobby } from './lobby';
import { ReportPanel } from './reportPanel';
import { classLabel, projectorLink, renderGroups } from './groups';
import { lessonProgress } from '../groups';
import { lessonGrid } from './lessons';

const DELAY_TICKS = 5;

/**
 * Start, pause, resume, step, speed, end, next: for the instructor and the solo player alike. Built
 * once and updated in place, so an open speed menu or a focused button survives each tick's update.
 */
export class RoundControls {
  readonly element: HTMLElement;
  private readonly start: HTMLButtonElement;
  private readonly pause: HTMLButtonElement;
  private readonly resume: HTMLButtonElement;
  private readonly step: HTMLButtonElement;
  private readonly end: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly speed: HTMLSelectElement;
  /** In a class lesson: lets the groups waiting at an objective go on. */
  private readonly nextStep: HTMLButtonElement;

  constructor(private readonly app: App) {
    const button = (key: string, text: string, onclick: () => void, primary = false) =>
      h('button', { type: 'button', id: `control-${key}`, class: primary ? 'primary' : '', onclick }, text);
    this.start = button('start', 'Start', () => app.control('start'), true);
    this.pause = button('pause', 'Pause', () => app.control('pause'));
    this.resume = button('resume', 'Resume', () => app.control('resume'), true);
    this.step = button('step', 'Step one tick', () => app.control('stepOnce'));
    this.end = button('end', 'End round', () => app.control('endRound'));
    this.next = button('next', 'Next round', () => app.control('nextRound'), true);
    this.nextStep = button('next-step', 'Next step', () => app.control('nextStep'), true);
    this.speed = h(
      'select',
      { id: 'speed', 'aria-label': 'Speed', onchange: () => app.control('speed', { speed: Number(this.speed.value) }) },
      ...SPEEDS.map((s) => h('option', { value: s }, `${s}×`)),
    );
    this.element = h(
      'div',
      { class: 'row', role: 'group', 'aria-label': 'Round controls', id: 'round-controls' },
      this.start,
      this.nextStep,
      this.pause,
      this.resume,
      this.step,
      h('label', { class: 'inline' }, 'Speed', this.speed),
      this.end,
      this.next,
    );
  }

  update(): void {
    const r = this.app.round;
    const phase = r?.phase;
    this.start.hidden = phase !== 'setup';
    this.pause.hidden = phase === 'paused';
    this.pause.disabled = phase !== 'running';
    this.resume.hidden = phase !== 'paused';
    this.step.disabled = phase !== 'paused';
    this.end.hidden = phase === 'ended';
    this.end.disabled = phase !== 'running' && phase !== 'paused';
    this.next.hidden = phase !== 'ended';
    // A class lesson: the groups waiting at an objective, those the controls act on.
    const lesson = this.app.role === 'instructor' ? lessonProgress(this.app.groups) : null;
    const waiting = (lesson?.waiting ?? []).filter((g) => !this.app.groupOnly || g === this.app.group);
    this.nextStep.hidden = lesson === null;
    this.nextStep.disabled = waiting.length === 0;
    this.nextStep.textContent = waiting.length === 0 ? 'Next step' : `Next step (${waiting.length === 1 ? `group ${waiting[0]} waits` : `${waiting.length} groups wait`})`;
    if (r && document.activeElement !== this.speed) this.speed.value = String(r.speed);
  }
}

export class Dashboard {
  private setup: HTMLDetailsElement | null = null;
  /**
   * The decree to propose: one input kept across renders, as a new one at each tick would drop what
   * the instructor selected and put the caret back at the start (a key typed then lands in front).
   */
  private readonly decree = h('input', { id: 'propose-decree', 'data-key': 'propose-decree', value: 'X', maxlength: MAX_DECREE_LENGTH, 'aria-label': 'Decree to propose' });

  constructor(
    private readonly app: App,
    private readonly lobby: Lobby,
    controls: RoundControls,
  ) {
    this.controls = controls;
    this.report = new ReportPanel(app);
  }

  private readonly controls: RoundControls;
  private readonly report: ReportPanel;
  private readonly boxes = {
    controls: h('div', {}),
    code: h('div', { class: 'row' }),
    groups: h('section', { 'aria-labelledby': 'groups-title', id: 'groups' }),
    lesson: h('div', { id: 'dashboard-lesson' }),
    setup: h('div', {}),
    nodes: h('section', { 'aria-labelledby': 'nodes-title' }),
    messages: h('section', { 'aria-labelledby': 'flight-title' }),
    students: h('section', { 'aria-labelledby': 'students-title' }),
    scoreboard: h('section', { 'aria-labelledby': 'score-title' }),
  };
  private mounted = false;
  /** The student whose Kick button was pressed once and now asks for confirmation. */
  private kicking: string | null = null;

  render(root: HTMLElement): void {
    const app = this.app;
    const view = app.view;
    if (!view || view.kind !== 'god') return;
    if (!this.mounted) {
      root.replaceChildren(h('h2', {}, 'Instructor'), ...Object.values(this.boxes), this.report.element);
      if (app.classCode !== null) this.boxes.code.append(h('p', { class: 'class-label', id: 'class-label' }, classLabel(app.classTitle, app.classCode)), projectorLink(app.classCode));
      this.boxes.code.append(h('button', { type: 'button', id: 'show-code', onclick: () => ((app.screen = 'lobby'), app.changed()) }, 'Show the join code'));
      this.mounted = true;
    }
    // A "what if" fork of a replay is a sandbox of one: it has no class, so no join code to show.
    this.boxes.code.hidden = app.classCode === null;
    if (this.controls.element.parentElement !== this.boxes.controls) this.boxes.controls.append(this.controls.element);
    this.controls.update();
    renderGroups(app, this.boxes.groups);
    const progress = lessonProgress(app.groups);
    // The lesson panel beside the dashboard has the shown group's objectives, the script's doings and the debrief.
    replaceChildren(this.boxes.lesson, progress ? lessonGrid(progress, 'dashboard-lesson-grid') : null);
    const phase = app.round?.phase;
    if (phase === 'ended' && this.boxes.setup.childElementCount === 0) this.boxes.setup.append(this.nextSetup());
    if (phase !== 'ended' && this.boxes.setup.childElementCount > 0) this.boxes.setup.replaceChildren();
    // Building the panel moves the decree's input, which blurs it: it keeps its value, selection and caret, and gets the focus back.
    const typing = document.activeElement === this.decree;
    replaceChildren(this.boxes.nodes, ...this.nodes(view));
    if (typing) this.decree.focus({ preventScroll: true });
    replaceChildren(this.boxes.messages, ...this.messages(view));
    replaceChildren(this.boxes.students, ...this.students());
    replaceChildren(this.boxes.scoreboard, ...this.scoreboard());
    this.report.update();
  }

  /** Kept across renders, so the form stays open and keeps what the instructor typed. */
  private nextSetup(): HTMLElement {
    this.setup ??= h(
      'details',
      {},
      h('summary', { 'data-key': 'setup-summary' }, 'Change the setup for the next round'),
      setupForm(
        this.lobby.values,
        (v) => {
          this.app.control('setup', toSetupMessage(v));
          this.app.control('start');
        },
        'Start a new round with this setup',
        // The lobby's form stays in the page (hidden): this one's ids must differ from it.
        'next-',
      ),
    );
    return this.setup;
  }

  private nodes(view: GodView): HTMLElement[] {
    const app = this.app;
    const selected = [...app.selectedNodes].sort();
    const nicknames = nicknamesOf(app.roster);
    const seats = app.roster?.seats ?? [];
    const one = selected.length === 1 ? view.nodes[selected[0]!] : undefined;
    const live = app.round?.phase === 'running' || app.round?.phase === 'paused';
    // A finished round's clock stands: its nodes' lines tell no running timer.
    const clock = app.round?.phase === 'ended' ? undefined : view.now;
    const inject = (command: object) => app.control('inject', { command });
    const autopilotOn = one ? (seats[one.id]?.autopilot ?? false) : false;
    const decree = this.decree;
    return [
      h('h3', { id: 'nodes-title' }, 'Nodes'),
      h('p', { class: 'hint' }, 'Select one node (click it on the canvas, or here) to crash, recover or put it on autopilot; select several to partition them from the rest.'),
      h(
        'div',
        { class: 'nodes-pick', role: 'group', 'aria-label': 'Select nodes' },
        ...view.nodes.map((n) =>
          h(
            'button',
            {
              type: 'button',
              'data-key': `node-${n.id}`,
              'data-node': n.id,
              'aria-pressed': String(app.selectedNodes.has(n.id)),
              title: nodeStateLines(view.config.protocol, n, view.config.nodes, clock).join('\n'),
              onclick: () => app.selectNode(n.id, true),
            },
            `${nodeTitle(n.id, nicknames.get(n.id))}${n.crashed ? ' ✕' : ''}`,
          ),
        ),
      ),
      h(
        'div',
        { class: 'row', role: 'group', 'aria-label': 'Node faults' },
        h('button', { type: 'button', 'data-key': 'crash', id: 'crash', disabled: !live || !one || one.crashed, onclick: () => one && inject({ type: 'crash', node: one.id }) }, one ? `Crash ${one.name}` : 'Crash'),
        h('button', { type: 'button', 'data-key': 'recover', id: 'recover', disabled: !live || !one || !one.crashed, onclick: () => one && inject({ type: 'recover', node: one.id }) }, one ? `Recover ${one.name}` : 'Recover'),
        h(
          'button',
          { type: 'button', 'data-key': 'autopilot', id: 'autopilot', disabled: !one, onclick: () => one && app.control('autopilot', { node: one.id, on: !autopilotOn }) },
          one ? `Autopilot ${one.name}: ${autopilotOn ? 'on' : 'off'}` : 'Autopilot',
        ),
        h(
          'button',
          {
            type: 'button',
            'data-key': 'partition',
            id: 'partition',
            disabled: !live || selected.length === 0 || selected.length === view.nodes.length,
            onclick: () => inject({ type: 'partition', groups: [selected] }),
          },
          selected.length > 0 ? `Cut ${selected.map(nodeName).join('')} off` : 'Partition',
        ),
        h('button', { type: 'button', 'data-key': 'heal', id: 'heal', disabled: !live || view.partition === null, onclick: () => inject({ type: 'heal' }) }, 'Heal'),
      ),
      h(
        'div',
        { class: 'row' },
        h('label', {}, 'Propose a decree to the selected node', decree),
        h(
          'button',
          {
            type: 'button',
            'data-key': 'propose',
            id: 'propose',
            disabled: !live || !one,
            onclick: () => one && decree.value.trim() && inject({ type: 'propose', node: one.id, decree: decree.value.trim() }),
          },
          'Propose',
        ),
      ),
      h(
        'table',
        { id: 'god-nodes' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', {}, 'State'))),
        h(
          'tbody',
          {},
          ...view.nodes.map((n) =>
            h(
              'tr',
              { 'data-node-row': n.id },
              h('td', {}, nodeTitle(n.id, nicknames.get(n.id)), h('div', { class: 'muted' }, n.role)),
              h('td', {}, nodeStateLines(view.config.protocol, n, view.config.nodes, clock).join(' · ')),
            ),
          ),
        ),
      ),
    ];
  }

  private messages(view: GodView): HTMLElement[] {
    const app = this.app;
    const live = app.round?.phase === 'running' || app.round?.phase === 'paused';
    const chosen = view.inFlight.find((m) => m.id === app.selectedMessage);
    const inject = (command: object) => app.control('inject', { command });
    const list = [...view.inFlight].sort((a, b) => a.deliverAt - b.deliverAt).slice(0, 60);
    return [
      h('h3', { id: 'flight-title' }, `Messages in flight (${view.inFlight.length})`),
      h(
        'div',
        { class: 'row', role: 'group', 'aria-label': 'Message faults' },
        h('button', { type: 'button', 'data-key': 'drop', id: 'drop', disabled: !live || !chosen, onclick: () => chosen && inject({ type: 'drop', id: chosen.id }) }, 'Drop'),
        h('button', { type: 'button', 'data-key': 'delay', id: 'delay', disabled: !live || !chosen, onclick: () => chosen && inject({ type: 'delay', id: chosen.id, ticks: DELAY_TICKS }) }, `Delay ${DELAY_TICKS} ticks`),
        h('button', { type: 'button', 'data-key': 'duplicate', id: 'duplicate', disabled: !live || !chosen, onclick: () => chosen && inject({ type: 'duplicate', id: chosen.id }) }, 'Duplicate'),
        h('button', { type: 'button', 'data-key': 'deliver', id: 'deliver', disabled: !live || !chosen, onclick: () => chosen && inject({ type: 'deliver', id: chosen.id }) }, 'Deliver now'),
      ),
      list.length === 0
        ? h('p', { class: 'muted' }, 'Nothing in flight.')
        : h(
            'ul',
            { class: 'flight' },
            ...list.map((m) =>
              h(
                'li',
                {},
                h(
                  'button',
                  { type: 'button', class: 'msg', 'data-key': `flight-${m.id}`, 'data-flight': m.id, 'aria-pressed': String(app.selectedMessage === m.id), onclick: () => app.selectMessage(m.id) },
                  swatch(m.payload.kind, view.config.protocol),
                  `${m.label} · ${nodeName(m.from)}→${nodeName(m.to)} · arrives t${m.deliverAt}`,
                ),
              ),
            ),
          ),
    ];
  }

  private students(): HTMLElement[] {
    const app = this.app;
    const students = app.roster?.students ?? [];
    return [
      h('h3', { id: 'students-title' }, `Students (${students.length})`),
      students.length === 0
        ? h('p', { class: 'muted' }, 'No students yet.')
        : h(
            'table',
            {},
            h('thead', {}, h('tr', {}, h('th', {}, 'Nickname'), h('th', {}, 'Node'), h('th', {}, 'Refused'), h('th', {}, ''))),
            h(
              'tbody',
              {},
              ...students.map((s) =>
                h(
                  'tr',
                  {},
                  h('td', {}, `${s.nickname}${s.connected ? '' : ' (away)'}`),
                  // The picker offers the seats of the group shown; a student of another group is moved into it.
                  h(
                    'td',
                    {},
                    this.seatPicker(s.nickname, s.group === (app.roster?.group ?? s.group) ? s.node : null),
                    s.group !== null && app.roster && s.group !== app.roster.group ? ` group ${s.group}${s.node !== null ? `, ${nodeName(s.node)}` : ''}` : '',
                    s.autopilot ? ' (autopilot)' : '',
                  ),
                  h('td', {}, String(s.rejections)),
                  h(
                    'td',
                    {},
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'danger',
                        'data-key': `kick-${s.nickname}`,
                        // Each button says whom it removes (the visible "Kick" alone would be the same for every row).
                        'aria-label': this.kicking === s.nickname ? null : `Kick ${s.nickname}`,
                        // Two clicks: the first asks, the second removes (no modal dialog to trap focus).
                        onclick: () => {
                          if (this.kicking === s.nickname) {
                            this.kicking = null;
                            app.control('kick', { nickname: s.nickname, reason: 'The instructor removed you from the class.' });
                          } else {
                            this.kicking = s.nickname;
                            app.changed();
                          }
                        },
                      },
                      this.kicking === s.nickname ? `Really remove ${s.nickname}?` : 'Kick',
                    ),
                  ),
                ),
              ),
            ),
          ),
    ];
  }

  /** Moves a student to another seat held by a bot; seats of other students are shown but cannot be chosen. */
  private seatPicker(nickname: string, node: number | null): HTMLElement {
    const seats = this.app.roster?.seats ?? [];
    const select = h(
      'select',
      { 'aria-label': `Seat of ${nickname}`, 'data-key': `seat-${nickname}` },
      node === null ? h('option', { value: '', selected: true }, '—') : null,
      seats.map((seat) =>
        h(
          'option',
          { value: String(seat.node), selected: seat.node === node, disabled: seat.holder === 'student' && seat.node !== node },
          `${nodeName(seat.node)}${seat.holder === 'student' && seat.node !== node ? ` (${seat.nickname ?? 'student'})` : ''}`,
        ),
      ),
    );
    select.addEventListener('change', () => {
      if (select.value !== '') this.app.control('moveStudent', { nickname, seat: Number(select.value) });
    });
    return select;
  }

  private scoreboard(): HTMLElement[] {
    const rows = this.app.scoreboard.rows;
    const header = h(
      'tr',
      {},
      h('th', {}, '#'),
      h('th', {}, 'Round'),
      h('th', {}, 'Decided'),
      h('th', { title: 'Ticks until the commit point (2PC: the coordinator logged its decision), known or not' }, 'Ticks to decision'),
      h('th', {}, 'Messages'),
      h('th', { title: 'Moves the engine refused, per student; in sandbox rounds, the rules each node broke' }, 'Refused moves'),
    );
    const perPerson = (counts: Record<string, number>) => Object.entries(counts).map(([n, c]) => `${n}: ${c}`).join(', ') || '—';
    const body = rows.map((r) =>
      h(
        'tr',
        {},
        h('td', {}, r.group === null ? String(r.round) : `${r.round} (group ${r.group})`),
        h('td', {}, `${r.protocol}, ${r.nodes} nodes`),
        h('td', {}, decidedText(r)),
        h('td', {}, decisionTickText(r)),
        h('td', {}, String(r.messagesSent)),
        h(
          'td',
          {},
          perPerson(r.rejections),
          // A sandbox round accepts rule-breaking moves: they are counted here instead of being refused.
          Object.keys(r.rulesBroken).length > 0 ? h('div', { 'data-rules-broken': '' }, `Rules broken: ${perPerson(r.rulesBroken)}`) : null,
        ),
      ),
    );
    return [
      h('h3', { id: 'score-title' }, 'Scoreboard'),
      rows.length === 0
        ? h('p', { class: 'muted' }, 'No round played yet.')
        : h('table', { id: 'scoreboard' }, h('thead', {}, header), h('tbody', {}, ...body)),
    ];
  }
}

/** The scoreboard's "Ticks to decision" cell; a round that decided a log of slots also gives each slot's commit point. */
function decisionTickText(r: ScoreRow): string {
  const first = r.decisionTick !== null ? String(r.decisionTick) : '—';
  if (r.slotTicks.length < 2) return first;
  return `${first} (${r.slotTicks.map((s) => `${slotName(r.protocol, s.slot) ?? `slot ${s.slot}`}: ${s.tick}`).join(', ')})`;
}

/** The scoreboard's "Decided" cell, in the protocol's terms: 2PC logs an outcome, the others choose a decree. */
function decidedText(r: ScoreRow): string {
  if (r.decided) return `yes: ${r.outcome}`;
  if (r.outcome) return pendingOutcomeText(r.protocol, r.outcome);
  return r.finished ? 'no' : '…';
}
