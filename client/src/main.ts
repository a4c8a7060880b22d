/**
 * The client's entry: the DOM menu appears at once; Phaser (most of the download) is imported
 * lazily behind a progress bar (`start.ts`) and draws the canvas scenes Boot -> Preloader -> Menu -> Round.
 */
import './styles.css';
import { App } from './app';
import { StartGame, type GameHandle } from './start';
import { buildMenu } from './ui/menu';
import { ReplayPanel } from './replay/panel';
import { hostedClasses } from './hostedClasses';
import { Lobby } from './ui/lobby';
import { Dashboard, RoundControls } from './ui/dashboard';
import { EventLog, renderHelp, renderInbox, renderMe, renderReveal, statusText } from './ui/play';
import { refreshLessonMarks, renderLesson } from './ui/lessons';
import { renderYourResults } from './ui/results';
import type { ProjectorScreen } from './ui/projector';
import { projectorMagnification, screenCodeFromPath } from './projector';
import { byId, h, toast } from './ui/dom';
import { LogGridView, placeGrid } from './ui/logs';

function setProgress(fraction: number): void {
  const bar = document.getElementById('loading');
  if (!bar) return;
  byId('loading-bar').style.width = `${Math.round(fraction * 100)}%`;
  bar.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
  if (fraction >= 1) bar.hidden = true;
}

function boot(): void {
  const app = new App();
  const lobby = new Lobby(app);
  // One set of round controls, shown in the solo panel or the instructor's dashboard.
  const controls = new RoundControls(app);
  const dashboard = new Dashboard(app, lobby, controls);
  let handle: GameHandle | null = null;
  let sceneReady = false;
  let shownScene = '';

  // The side panel's sections stay in place; each is re-rendered from the app's state.
  const side = byId('side');
  const sections = {
    lesson: h('section', { id: 'lesson', 'aria-labelledby': 'lesson-title', hidden: true }),
    reveal: h('section', { id: 'reveal', 'aria-labelledby': 'reveal-title', hidden: true }),
    results: h('section', { id: 'your-results', 'aria-labelledby': 'results-title', hidden: true }),
    controls: h('section', { id: 'solo-controls', 'aria-label': 'Round controls' }),
    // The god view's grid: the instructor's during the round, everyone's at the reveal.
    logs: h('section', { id: 'logs', 'aria-label': 'Every node’s log', hidden: true }),
    me: h('section', { id: 'me' }),
    inbox: h('section', { id: 'inbox', 'aria-labelledby': 'inbox-title' }),
    help: h('section', { id: 'help' }),
    dashboard: h('section', { id: 'dashboard' }),
    log: h('section', { id: 'log', 'aria-labelledby': 'log-title' }),
  };
  // The replays screen shares the side panel; its viewer hands each frame to the canvas.
  const replays = new ReplayPanel({
    showView: (view, commitPoints, step, effects) => app.showReplayFrame(view, commitPoints, step, effects),
    apiBase: '',
    hostedClasses,
    fork: (round, step) => app.playFork(round, step),
    error: (text) => toast(text),
  });
  side.replaceChildren(...Object.values(sections), replays.root);
  const eventLog = new EventLog(sections.log);
  // The god view's grid of logs: the instructor's, and everyone's once the round's reveal is in.
  const logGrid = new LogGridView('log-grid', () => render());
  // The projector view is only ever the page at `/class/CODE/screen`: its code loads there alone.
  let projector: ProjectorScreen | null = null;
  /** How much larger the canvas draws: more on the projector, for the back of the room. */
  let magnified = 1;
  const fitStage = (): void => {
    const stage = byId('stage');
    if (!handle || stage.clientWidth === 0 || stage.clientHeight === 0) return;
    magnified = app.screen === 'projector' ? projectorMagnification(stage.clientWidth, stage.clientHeight) : 1;
    handle.resize(stage.clientWidth, stage.clientHeight, magnified);
  };
  const openReplays = (): void => {
    app.openReplays();
    void replays.showLibrary();
  };

  app.onRejection = (text) => toast(text);
  app.onEnded = (reason) => toast(reason, 'info', 8000);
  buildMenu(app, { replays: openReplays });
  byId('leave').addEventListener('click', () => {
    replays.close();
    void app.leave();
  });

  const render = () => {
    const screen = app.screen;
    document.body.classList.toggle('screen-menu', screen === 'menu');
    document.body.classList.toggle('screen-lobby', screen === 'lobby');
    document.body.classList.toggle('screen-round', screen === 'round');
    document.body.classList.toggle('screen-replay', screen === 'replay');
    document.body.classList.toggle('screen-projector', screen === 'projector');
    document.body.classList.toggle('projector-canvas', screen === 'projector' && app.canvasShown());
    document.body.classList.toggle('instructor', app.role === 'instructor');
    byId('menu').hidden = screen !== 'menu';
    byId('lobby').hidden = screen !== 'lobby';
    byId('projector').hidden = screen !== 'projector';
    side.hidden = screen !== 'round' && screen !== 'replay';
    for (const section of Object.values(sections)) if (screen === 'replay') section.hidden = true;
    replays.root.hidden = screen !== 'replay';
    if (screen !== 'replay') replays.close();
    byId('leave').hidden = screen === 'menu';
    if (screen === 'menu') refreshLessonMarks(document);
    byId('status').textContent = statusText(app);
    if (screen === 'lobby') lobby.render();
    if (screen === 'projector') projector?.render();
    const stage = byId('stage');
    if (handle && (screen === 'projector' ? projectorMagnification(stage.clientWidth, stage.clientHeight) : 1) !== magnified) fitStage();
    if (screen === 'round') {
      renderLesson(app.lesson, sections.lesson, app.role);
      renderReveal(app, sections.reveal);
      renderYourResults(app, sections.results);
      if (app.role === 'solo') {
        if (controls.element.parentElement !== sections.controls) sections.controls.replaceChildren(h('h2', {}, 'Round'), controls.element);
        controls.update();
      }
      sections.controls.hidden = app.role !== 'solo';
      renderMe(app, sections.me);
      renderInbox(app, sections.inbox);
      renderHelp(app, sections.help);
      sections.me.hidden = sections.inbox.hidden = sections.help.hidden = app.role === 'instructor';
      sections.dashboard.hidden = app.role !== 'instructor';
      if (app.role === 'instructor') dashboard.render(sections.dashboard);
      const grid = logGrid.element(app.picture());
      sections.logs.hidden = grid === null;
      placeGrid(sections.logs, grid);
      eventLog.render(app);
    }
    // The canvas: a calm backdrop behind the menu, the round otherwise.
    const wanted = app.canvasShown() ? 'Round' : 'Menu';
    if (handle && sceneReady && wanted !== shownScene) {
      const scenes = handle.game.scene;
      if (wanted === 'Round') {
        scenes.stop('Menu');
        scenes.start('Round');
      } else {
        scenes.stop('Round');
        scenes.start('Menu');
      }
      shownScene = wanted;
    }
  };
  app.onChange(render);
  render();
  // `?replay=ID` opens a stored round straight away (a link an instructor can share).
  const replayId = new URLSearchParams(location.search).get('replay');
  // `/class/CODE/screen` is the projector view, which the instructor opens in a second window.
  const screenCode = screenCodeFromPath(location.pathname);
  if (screenCode) {
    void import('./ui/projector').then((m) => {
      projector = new m.ProjectorScreen(app, byId('projector'));
      render();
    });
    void app.openProjector(screenCode);
  } else if (replayId) {
    app.openReplays();
    void replays.openById(replayId);
  } else {
    // An instructor who reloads goes back to their class (the tab keeps its key).
    app.resumeHostedClass().catch((error: unknown) => toast(`Could not go back to your class: ${(error as Error).message}`));
  }

  const bridge = app.bridge(setProgress, () => {
    sceneReady = true;
    shownScene = 'Menu';
    document.body.dataset.renderer = handle?.renderer ?? '';
    document.body.dataset.ready = 'true';
    render();
  });
  setProgress(0.05);
  StartGame(byId('stage'), bridge)
    .then((h) => {
      handle = h;
      document.body.dataset.renderer = h.renderer;
      fitStage();
    })
    .catch((error: unknown) => {
      toast(`The game canvas could not start (${(error as Error).message}). The panels still work.`);
      setProgress(1);
    });
  // The stage changes size with the screen and the window; the canvas follows it.
  new ResizeObserver(fitStage).observe(byId('stage'));
  (window as unknown as { quorum: unknown }).quorum = { app, replays, game: () => handle?.game ?? null };
}

const bench = new URLSearchParams(location.search).get('bench');
if (bench === '1') {
  void import('./bench').then((m) => m.startBench());
} else if (bench === 'baseline') {
  void import('./benchBaseline').then((m) => m.startBaseline());
} else {
  boot();
}
