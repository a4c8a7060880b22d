/**
 * The Replays screen: the list of finished rounds (a class's, this browser's solo rounds, a file),
 * and the viewer: play, pause, speed, step, a scrubber with markers, jump to the commit point, the
 * point of view (god or one node), the space-time diagram, export, and "what if" forks.
 */
import { nodeName } from '../../../shared/engine/names';
import type { RoundDocument } from '../../../shared/engine/round';
import type { MarkerKind } from '../../../shared/engine/timeline';
import type { CommitPoint, NodeId, ProtocolName } from '../../../shared/engine/types';
import { eventsFor, type GodView, type NodeView } from '../../../shared/engine/view';
import { commitPointSentence, nodeStateLines } from '../describe';
import { cellSentence, logPictureOf } from '../logs';
import { LogGridView, placeGrid } from '../ui/logs';
import type { MessageEffects, ReplayStep } from '../picture';
import { h, patchChildren, replaceChildren } from '../ui/dom';
import { ReplayController, REPLAY_SPEEDS, type PointOfView } from './controller';
import { DiagramCanvas } from './diagramCanvas';
import { downloadRound, readRoundFile, roundDigest } from './io';
import { isLessonProblem, lessonMarksSeenBy, lessonReplayOf, objectivesReachedBy, type LessonMark, type LessonProblem, type LessonReplay } from './lesson';
import { describeSummary, fetchRound, lessonLabel, rowSummary, soloRounds, type ClassRoundRow, type RoundSummary } from './library';

export interface ReplayHost {
  /**
   * Shows a view on the round canvas, with the commit points highlighted once they have happened.
   * `step` says which step of which replay it is, and `effects` what the commands since the step
   * shown before did to messages, so that only a step forward shows messages dropped or copied.
   */
  showView(view: GodView | NodeView, commitPoints: readonly CommitPoint[], step: ReplayStep, effects: MessageEffects): void;
  /** Base URL of the HTTP API ('' for the page's own origin). */
  apiBase: string;
  /** Classes this browser hosts: their rounds are listed. */
  hostedClasses(): { code: string; instructorKey: string }[];
  /** Starts a solo sandbox round from the world after `step` commands of `doc`. */
  fork(doc: RoundDocument, step: number): Promise<void>;
  /** An error the user should read. */
  error(text: string): void;
}

const MARKER_LABEL: Record<MarkerKind, string> = {
  fault: 'fault',
  proposal: 'proposal',
  decision: 'decision',
  'commit-point': 'commit point',
  violation: 'violation',
  rejection: 'rejection',
};

const LESSON_MARK_LABEL: Record<LessonMark['kind'], string> = {
  objective: 'objective reached',
  script: 'lesson script',
};

export class ReplayPanel {
  readonly root = h('section', { id: 'replays', 'aria-labelledby': 'replays-heading' });
  private controller: ReplayController | null = null;
  /** Counts the replays shown on the canvas: each opening, and each change of the point of view. */
  private shownReplay = 0;
  /** The step last shown on the canvas, of replay `shownReplay`. */
  private shownStep = -1;
  private doc: RoundDocument | null = null;
  /** The lesson the open round played, re-run from its log; null when it played none. */
  private lesson: LessonReplay | LessonProblem | null = null;
  private diagram: DiagramCanvas | null = null;
  private frame = 0;
  private lastFrame = 0;
  private classRounds: { code: string; rounds: RoundSummary[] | string }[] = [];
  /** Every node's log, slot by slot, at the step shown (through the god view only). */
  private readonly logs = new LogGridView('replay-logs', () => this.update());
  /** The last error shown under "Open a file", drawn again whenever the library is. */
  private libraryError = '';

  constructor(private readonly host: ReplayHost) {}

  get current(): ReplayController | null {
    return this.controller;
  }

  // ---- The library ----------------------------------------------------------------------------

  async showLibrary(): Promise<void> {
    this.close();
    this.libraryError = '';
    this.renderLibrary();
    this.classRounds = [];
    for (const c of this.host.hostedClasses()) {
      try {
        const response = await fetch(`${this.host.apiBase}/api/rounds?class=${encodeURIComponent(c.code)}`, {
          headers: { 'x-instructor-key': c.instructorKey },
        });
        const body = (await response.json()) as { rounds?: ClassRoundRow[]; error?: string };
        if (!response.ok) throw new Error(body.error ?? `The server answered ${response.status}.`);
        this.classRounds.push({ code: c.code, rounds: (body.rounds ?? []).filter((r) => r.state !== 'running').map((r) => rowSummary(r, c.code)) });
      } catch (error) {
        this.classRounds.push({ code: c.code, rounds: (error as Error).message });
      }
    }
    if (!this.controller) this.renderLibrary();
  }

  private renderLibrary(): void {
    const solo = soloRounds();
    const fileInput = h('input', { type: 'file', accept: '.json,application/json', id: 'replay-file', 'aria-label': 'Open a round file' });
    fileInput.addEventListener('change', () => {
      const file = fileInput.files?.[0];
      if (file) void this.importFile(file);
    });
    const drop = h('div', { class: 'dropzone', id: 'replay-drop', tabindex: 0 }, 'Drop a round file here, or ', h('label', { class: 'inline' }, 'choose one: ', fileInput));
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      const file = (e as DragEvent).dataTransfer?.files?.[0];
      if (file) void this.importFile(file);
    });
    const classLists = this.classRounds.map(({ code, rounds }) =>
      h(
        'div',
        {},
        h('h3', {}, `Class ${code}`),
        typeof rounds === 'string'
          ? h('p', { class: 'error', role: 'alert' }, rounds)
          : rounds.length === 0
            ? h('p', { class: 'muted' }, 'No finished rounds yet.')
            : h('ul', { class: 'rounds' }, rounds.map((r) => h('li', {}, h('button', { type: 'button', 'data-round': r.id, onclick: () => void this.openById(r.id) }, describeSummary(r))))),
      ),
    );
    replaceChildren(
      this.root,
      h('h2', { id: 'replays-heading' }, 'Replays'),
      h('p', { class: 'hint' }, 'Re-run any finished round step by step, through the god view or any node\'s eyes.'),
      ...classLists,
      h('h3', {}, 'Your solo rounds'),
      solo.length === 0
        ? h('p', { class: 'muted' }, 'Rounds you play solo appear here.')
        : h('ul', { class: 'rounds' }, solo.map((r) => h('li', {}, h('button', { type: 'button', 'data-round': r.summary.id, onclick: () => this.open(r.doc) }, describeSummary(r.summary))))),
      h('h3', {}, 'Open a file'),
      drop,
      h('p', { class: 'error', id: 'replay-error', role: 'alert' }, this.libraryError),
    );
  }

  private showError(text: string): void {
    // Kept, so the library drawn again when the class lists arrive still shows it.
    this.libraryError = text;
    const box = this.root.querySelector('#replay-error');
    if (box) box.textContent = text;
    this.host.error(text);
  }

  async importFile(file: File): Promise<void> {
    const parsed = await readRoundFile(file);
    if (!parsed.ok) {
      this.showError(`${file.name}: ${parsed.error}`);
      return;
    }
    this.open(parsed.round);
  }

  async openById(id: string): Promise<void> {
    try {
      this.open(await fetchRound(this.host.apiBase, id));
    } catch (error) {
      this.showError((error as Error).message);
    }
  }

  // ---- The viewer -----------------------------------------------------------------------------

  open(doc: RoundDocument): void {
    this.close();
    this.doc = doc;
    this.lesson = lessonReplayOf(doc);
    const controller = new ReplayController(doc, doc.meta.rejections ?? []);
    this.controller = controller;
    this.shownReplay += 1;
    this.shownStep = -1;
    const ticks = controller.timeline.ticks;
    this.diagram = new DiagramCanvas(doc.config.protocol, doc.config.nodes, controller.messages(), ticks[ticks.length - 1] ?? 1, (step) => this.seek(step));
    this.renderViewer();
    this.seek(0);
    this.lastFrame = performance.now();
    const loop = (now: number) => {
      this.frame = requestAnimationFrame(loop);
      const elapsed = now - this.lastFrame;
      this.lastFrame = now;
      if (this.controller?.advance(elapsed)) this.update(true);
    };
    this.frame = requestAnimationFrame(loop);
  }

  close(): void {
    cancelAnimationFrame(this.frame);
    this.controller = null;
    this.doc = null;
    this.lesson = null;
    this.diagram = null;
  }

  /** Moves to a step and redraws everything that depends on it. */
  seek(step: number): void {
    this.controller?.seek(step);
    this.update();
  }

  private renderViewer(): void {
    const c = this.controller!;
    const doc = this.doc!;
    const s = doc.meta;
    const povSelect = h(
      'select',
      { id: 'replay-pov', 'aria-label': 'Point of view' },
      h('option', { value: 'god' }, 'God view: everything'),
      Array.from({ length: doc.config.nodes }, (_, id) => h('option', { value: String(id) }, `What ${nodeName(id)} knew`)),
    );
    povSelect.addEventListener('change', () => {
      c.setPointOfView(povSelect.value === 'god' ? 'god' : (Number(povSelect.value) as PointOfView));
      this.shownReplay += 1;
      this.shownStep = -1;
      // Through a node's eyes, the diagram and the markers show only what that node knew.
      this.diagram?.setMessages(c.messages());
      this.renderMarkers();
      this.renderLesson();
      this.update();
    });
    const speed = h('select', { id: 'replay-speed', 'aria-label': 'Playback speed' }, REPLAY_SPEEDS.map((v) => h('option', { value: String(v), selected: v === 1 }, `${v}x`)));
    speed.addEventListener('change', () => c.setSpeed(Number(speed.value)));
    const scrubber = h('input', { type: 'range', id: 'replay-scrubber', min: 0, max: c.length, value: 0, step: 1, 'aria-label': 'Timeline: command number' });
    scrubber.addEventListener('input', () => this.seek(Number(scrubber.value)));
    const markers = h('div', { class: 'markers', id: 'replay-markers', 'aria-hidden': 'true' });
    const lessonMarks = this.lesson && !isLessonProblem(this.lesson) ? h('div', { class: 'lesson-marks', id: 'replay-lesson-marks', role: 'group', 'aria-label': 'Lesson steps' }) : null;
    const markerList = h('ol', { class: 'marker-list', id: 'replay-marker-list', 'aria-label': 'Markers' });
    const exportButton = h('button', { type: 'button', id: 'replay-export', onclick: () => downloadRound(doc) }, 'Export file');
    const forkButton = h(
      'button',
      {
        type: 'button',
        id: 'replay-fork',
        onclick: () => {
          this.controller?.pause();
          void this.host.fork(doc, c.step).catch((error: unknown) => this.showError((error as Error).message));
        },
      },
      'What if? Play on from here',
    );
    const diagramBox = h('div', { class: 'diagram-box' }, this.diagram!.element);
    replaceChildren(
      this.root,
      h('h2', { id: 'replays-heading' }, 'Replay'),
      h(
        'p',
        { class: 'hint', id: 'replay-summary', 'data-digest': roundDigest(doc) },
        `${s.lesson !== undefined ? `${lessonLabel(s.lesson)} · ` : ''}${doc.config.protocol} · ${doc.config.nodes} nodes · ${c.length} commands${s.outcome ? ` · outcome ${s.outcome}` : ''}${s.players?.length ? ` · ${s.players.map((p) => `${nodeName(p.node)}: ${p.nickname}`).join(', ')}` : ''}${s.interrupted ? ' · interrupted' : ''}`,
      ),
      h(
        'div',
        { class: 'row', role: 'toolbar', 'aria-label': 'Playback' },
        h('button', { type: 'button', id: 'replay-back', 'aria-label': 'One step back', onclick: () => this.stepBy(-1) }, '◀ Step'),
        h('button', { type: 'button', id: 'replay-play', onclick: () => this.togglePlay() }, 'Play'),
        h('button', { type: 'button', id: 'replay-forward', 'aria-label': 'One step forward', onclick: () => this.stepBy(1) }, 'Step ▶'),
        speed,
      ),
      h('div', { class: 'scrub' }, markers, scrubber),
      lessonMarks,
      h('p', { id: 'replay-position', role: 'status', 'aria-live': 'polite' }),
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'button', id: 'replay-commit', onclick: () => this.jumpToCommitPoint() }, 'Jump to the commit point'),
        h('label', {}, 'Point of view', povSelect),
      ),
      this.lesson ? h('section', { id: 'replay-lesson', 'aria-labelledby': 'replay-lesson-title' }) : null,
      diagramBox,
      h('div', { id: 'replay-log-grid' }),
      h('div', { id: 'replay-now' }),
      h('details', {}, h('summary', { id: 'replay-marker-count' }), markerList),
      h('div', { class: 'row' }, exportButton, forkButton, h('button', { type: 'button', id: 'replay-close', onclick: () => void this.showLibrary() }, 'All replays')),
    );
    this.renderMarkers();
    this.renderLesson();
    // The diagram takes the panel's width once it is in the document.
    requestAnimationFrame(() => {
      const width = Math.max(240, diagramBox.clientWidth || 400);
      this.diagram?.resize(width, 24 + doc.config.nodes * 22);
      this.update();
    });
  }

  /** The markers on the scrubber and in the list: those the point of view could know of. */
  private renderMarkers(): void {
    const c = this.controller;
    if (!c) return;
    const markers = c.markers();
    const lessonMarks = this.lessonMarks();
    const strip = this.root.querySelector<HTMLElement>('#replay-markers');
    const list = this.root.querySelector<HTMLElement>('#replay-marker-list');
    const count = this.root.querySelector<HTMLElement>('#replay-marker-count');
    const lessonStrip = this.root.querySelector<HTMLElement>('#replay-lesson-marks');
    const left = (step: number): string => `left: ${(100 * step) / Math.max(1, c.length)}%`;
    if (strip) replaceChildren(strip, markers.map((m) => h('span', { class: `marker ${m.kind}`, style: left(m.step), title: m.text })));
    // The lesson's moments are buttons on a strip of their own: each seeks to its step, by pointer or keyboard.
    if (lessonStrip) {
      replaceChildren(
        lessonStrip,
        lessonMarks.map((m, i) =>
          h('button', { type: 'button', class: `lesson-mark ${m.kind}`, style: left(m.step), 'data-step': m.step, 'data-key': `lesson-mark-${i}`, title: `Step ${m.step}: ${m.text}`, 'aria-label': `Step ${m.step}, ${LESSON_MARK_LABEL[m.kind]}: ${m.text}`, onclick: () => this.seekTo(m.step) }),
        ),
      );
    }
    const items = [
      ...markers.map((m, i) => ({ step: m.step, kind: m.kind, key: `marker-${i}`, text: `${m.step} · ${MARKER_LABEL[m.kind]}: ${m.text}` })),
      ...lessonMarks.map((m, i) => ({ step: m.step, kind: `lesson ${m.kind}`, key: `lesson-${i}`, text: `${m.step} · ${LESSON_MARK_LABEL[m.kind]}: ${m.text}` })),
    ].sort((a, b) => a.step - b.step);
    if (list) {
      replaceChildren(
        list,
        items.map((m) => h('li', {}, h('button', { type: 'button', class: `marker-button ${m.kind}`, 'data-key': m.key, onclick: () => this.seek(m.step) }, m.text))),
      );
    }
    if (count) count.textContent = `Markers (${items.length})`;
  }

  /** The lesson's marks the point of view may see (none for a round that played no lesson). */
  private lessonMarks(): LessonMark[] {
    const lesson = this.lesson;
    const c = this.controller;
    return lesson && c && !isLessonProblem(lesson) ? lessonMarksSeenBy(lesson.marks, c.pointOfView) : [];
  }

  /** Seeks from a lesson's mark: playback stops there, so the moment stays on screen. */
  private seekTo(step: number): void {
    this.controller?.pause();
    this.seek(step);
  }

  /** The lesson panel: its title and idea, the objectives (ticked as the replay reaches them), what the script did, and the debrief. */
  private renderLesson(): void {
    const box = this.root.querySelector<HTMLElement>('#replay-lesson');
    const lesson = this.lesson;
    if (!box || !lesson) return;
    if (isLessonProblem(lesson)) {
      replaceChildren(box, h('h3', { id: 'replay-lesson-title' }, lessonLabel(lesson.lesson)), h('p', { class: 'error' }, lesson.problem));
      return;
    }
    const l = lesson.lesson;
    const stepButton = (step: number, what: string) =>
      h('button', { type: 'button', class: 'step-link', 'aria-label': `Go to step ${step}: ${what}`, onclick: () => this.seekTo(step) }, `step ${step}`);
    const script = this.lessonMarks().filter((m) => m.kind === 'script');
    replaceChildren(
      box,
      h('h3', { id: 'replay-lesson-title' }, `Lesson ${l.number}: ${l.title}`),
      h('p', { class: 'lesson-idea' }, l.idea),
      h(
        'ol',
        { class: 'objectives', id: 'replay-lesson-objectives' },
        lesson.objectives.map((o) => h('li', { 'data-step': o.step ?? '' }, h('span', { class: 'tick', 'aria-hidden': 'true' }), h('span', { class: 'objective-title' }, o.title), ' ', o.step !== null ? stepButton(o.step, o.title) : h('span', { class: 'muted' }, '(not reached)'))),
      ),
      lesson.deadEnd ? h('p', { class: 'error', id: 'replay-lesson-dead-end' }, lesson.deadEnd) : null,
      script.length > 0
        ? h('div', { id: 'replay-lesson-script' }, h('h4', {}, 'What the script did, and why'), h('ul', {}, script.map((m) => h('li', { 'data-step': m.step }, stepButton(m.step, m.text), ' ', m.text))))
        : null,
      h('div', { id: 'replay-lesson-debrief' }, h('h4', {}, 'Debrief'), lesson.debrief.map((t) => h('p', {}, t))),
    );
  }

  /** Ticks the objectives the replay has reached by the step shown, and marks the script's lines that have happened. */
  private updateLesson(step: number): void {
    const lesson = this.lesson;
    if (!lesson || isLessonProblem(lesson)) return;
    const reached = objectivesReachedBy(lesson, step);
    this.root.querySelectorAll<HTMLElement>('#replay-lesson-objectives > li').forEach((li, i) => {
      const done = reached[i] ?? false;
      li.classList.toggle('reached', done);
      li.dataset.reached = String(done);
      const tick = li.querySelector('.tick');
      if (tick) tick.textContent = done ? '✓ ' : '';
    });
    this.root.querySelectorAll<HTMLElement>('#replay-lesson-script li').forEach((li) => li.classList.toggle('past', Number(li.dataset.step) <= step));
    this.root.querySelectorAll<HTMLElement>('#replay-lesson-marks .lesson-mark').forEach((b) => b.classList.toggle('current', Number(b.dataset.step) === step));
  }

  private stepBy(delta: number): void {
    this.controller?.pause();
    this.seek((this.controller?.step ?? 0) + delta);
  }

  private togglePlay(): void {
    const c = this.controller;
    if (!c) return;
    if (c.isPlaying) c.pause();
    else c.play();
    this.update();
  }

  jumpToCommitPoint(): boolean {
    const ok = this.controller?.jumpToCommitPoint() ?? false;
    if (!ok) this.showError('Nothing was chosen in this round, so it has no commit point.');
    this.update();
    return ok;
  }

  /**
   * Redraws the canvas picture, the diagram cursor and the text for the current step; `played` when
   * playback reached it.
   */
  private update(played = false): void {
    const c = this.controller;
    if (!c) return;
    const world = c.world();
    const view = c.view();
    // Only the god view marks the commit points; a node never saw one happen.
    const commits = c.commitPoints();
    const effects = c.effectsSince(this.shownStep);
    this.shownStep = c.step;
    this.host.showView(view, commits, { replay: this.shownReplay, step: c.step, played }, effects);
    const tick = world.tick;
    this.diagram?.draw(tick, c.step);
    const scrubber = this.root.querySelector<HTMLInputElement>('#replay-scrubber');
    if (scrubber && Number(scrubber.value) !== c.step) scrubber.value = String(c.step);
    const play = this.root.querySelector('#replay-play');
    if (play) play.textContent = c.isPlaying ? 'Pause' : 'Play';
    const position = this.root.querySelector('#replay-position');
    if (position) position.textContent = `Command ${c.step} of ${c.length} · tick ${tick}`;
    this.updateLesson(c.step);
    const grid = this.root.querySelector<HTMLElement>('#replay-log-grid');
    if (grid) {
      const protocol = c.round.config.protocol;
      // Through one node's eyes there is no grid: that node knew only its own log.
      const picture =
        view.kind === 'god'
          ? { protocol, god: true, commitPoints: commits, nodes: view.nodes.map((n) => ({ id: n.id, title: n.name, crashed: n.crashed, log: logPictureOf(protocol, n) })) }
          : null;
      placeGrid(grid, this.logs.element(picture));
    }
    const now = this.root.querySelector<HTMLElement>('#replay-now');
    // Patched, not replaced: the lines that stay the same from one step to the next are not laid out again.
    if (now) patchChildren(now, this.describeNow(view, commits));
  }

  /** A node's log in words, as its player read it, for a protocol that keeps one. */
  private logWords(protocol: ProtocolName, self: NodeView['self']): HTMLElement[] {
    const log = logPictureOf(protocol, self);
    if (!log) return [];
    const leader = log.leader === null ? [] : [h('p', {}, `${self.name} believed the leader was ${log.leader === self.id ? 'itself' : nodeName(log.leader)}.`)];
    const words = log.cells.length === 0 ? h('p', { class: 'muted' }, `Nothing in ${self.name}'s log yet.`) : h('ol', { class: 'log-words', id: 'replay-own-log' }, log.cells.map((c) => h('li', { 'data-state': c.state }, cellSentence(protocol, c, log.cells))));
    return [...leader, words];
  }

  /** What happened at this step and what the point of view knew, in words. */
  private describeNow(view: GodView | NodeView, commits: readonly CommitPoint[]): HTMLElement[] {
    const c = this.controller!;
    const protocol = c.round.config.protocol;
    const pov = c.pointOfView;
    const events = c.step > 0 ? eventsFor(c.replay.eventsOf(c.step - 1), pov === 'god' ? 'god' : pov) : [];
    const out: HTMLElement[] = [];
    if (commits.length > 0 && pov === 'god') {
      out.push(h('div', { id: 'replay-commit-text' }, commits.map((cp) => h('p', { class: 'commit', 'data-slot': cp.slot }, commitPointSentence(protocol, cp)))));
    }
    out.push(h('h3', {}, c.step === 0 ? 'The start' : `Command ${c.step}: what ${pov === 'god' ? 'happened' : `${nodeName(pov)} saw`}`));
    out.push(events.length ? h('ul', { class: 'events' }, events.map((e) => h('li', {}, e.text))) : h('p', { class: 'muted' }, pov === 'god' ? 'Nothing happened.' : 'Nothing this node could see.'));
    if (view.kind === 'god') {
      out.push(
        h('div', { class: 'node-cards' }, view.nodes.map((n) => h('div', { class: `node-card${n.crashed ? ' crashed' : ''}${commits.some((cp) => cp.node === n.id) ? ' commit-node' : ''}`, 'data-node': n.id }, h('strong', {}, `${n.name} · ${n.role}`), h('ul', {}, nodeStateLines(protocol, n, view.config.nodes, view.now).map((l) => h('li', {}, l)))))),
      );
    } else {
      const self = view.self;
      out.push(
        h(
          'div',
          { class: 'node-card', 'data-node': self.id },
          h('strong', {}, `${self.name} · ${self.role} (only what ${self.name} knew)`),
          h('ul', {}, nodeStateLines(protocol, { ...self }, view.nodes, view.now).map((l) => h('li', {}, l))),
          ...this.logWords(protocol, self),
          h('p', { class: 'hint' }, `${view.inFlight.length} messages in flight; ${view.inFlight.filter((m) => m.payload === null).length} of them unreadable to ${self.name}.`),
        ),
      );
    }
    return out;
  }
}
