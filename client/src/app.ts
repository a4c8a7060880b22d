/**
 * The client's state and the glue between the server, the DOM panels and the Phaser scenes. Every
 * fact comes from the server's messages; every move a player can make comes from `view.legal`.
 */
import { nodeName } from '../../shared/engine/names';
import type { Action, CommitPoint, EngineEvent, NodeId, ProtocolName } from '../../shared/engine/types';
import type { GodView, NodeView } from '../../shared/engine/view';
import type {
  ComparisonMessage,
  GroupsMessage,
  RejectedMessage,
  LessonMessage, ReportLineMessage,
  RevealMessage,
  RosterMessage,
  RoundInfo,
  ServerMessages,
  ViewMessage,
  WelcomeMessage,
} from '../../shared/wire/messages';
import type { ClassReportRow } from '../../shared/results/report';
import { TickClock } from './layout';
import { messageEffects, pictureOf, type MessageEffects, type Picture, type ReplayStep } from './picture';
import { markLessonDone } from './lessonProgress';
import { Session, joinErrorText, serverUrl, type SessionHandlers } from './session';
import { Scoreboard } from './scoreboard';
import type { SceneBridge } from './game/bridge';
import type { RoundDocument } from '../../shared/engine/round';
import { keepSoloRoundFrom } from './replay/library';
import { currentHostedClass, forgetCurrentClass, hostedClasses, rememberHostedClass, setCurrentClass } from './hostedClasses';
import { scopedControl } from './groups';
import { projectorEvents, projectorPage, projectorPicture, revealOf, type ProjectorMode, type ProjectorPage } from './projector';

export type Screen = 'menu' | 'lobby' | 'round' | 'replay' | 'projector';
export type Role = WelcomeMessage['role'];

/** The server's messages as the app takes them: views already assembled from their patches. */
export type ReceivedMessages = Omit<ServerMessages, 'view'> & { view: ViewMessage };

/** Why the projector view cannot open without the instructor's key. */
export const NO_KEY_TEXT =
  'This browser does not hold the instructor key of this class. Open the projector view from the instructor’s dashboard, in the browser that hosts the class: its “Projector view” link opens this page with the key.';

export interface LogEntry {
  id: number;
  tick: number | null;
  text: string;
  kind: 'event' | 'mine' | 'rejected' | 'system';
}

/** Ticks per second at speed 1 on a default server; the clock refines it from the updates. */
const DEFAULT_MS_PER_TICK = 500;
const LOG_LIMIT = 300;
/** No message effects, for a replay screen with no frame yet. */
const NO_EFFECTS: MessageEffects = { dropped: new Set(), duplicates: new Map() };

export class App {
  screen: Screen = 'menu';
  session: Session | null = null;
  role: Role | null = null;
  node: NodeId | null = null;
  nickname: string | null = null;
  classCode: string | null = null;
  /** The class's title ("" when unnamed); null outside a class. */
  classTitle: string | null = null;
  /** A student's group; the group whose god view the instructor or the projector is shown. Null in a solo room. */
  group: number | null = null;
  /** Every group of the class (instructor and projector). */
  groups: GroupsMessage | null = null;
  /** The groups compared, once every group's round has ended; until a round runs again. */
  comparison: ComparisonMessage | null = null;
  /** A student's own line of the class report. */
  reportLine: ClassReportRow | null = null;
  /** The lesson panel as the server last told it: a solo lesson's, a class student's seat's, or the group shown's; null outside a lesson. */
  lesson: LessonMessage | null = null;
  /** The instructor's "this group only": controls name the group shown instead of acting on every group. */
  groupOnly = false;
  /** The projector view: the class it shows, whatever stops it from showing it, and what it was asked to show. */
  projectorCode: string | null = null;
  projectorProblem: string | null = null;
  projectorMode: ProjectorMode = 'grid';
  instructorKey: string | null = null;
  round: RoundInfo | null = null;
  /** On the replays screen: the view and commit point the canvas shows. */
  replayFrame: { view: NodeView | GodView; commitPoints: readonly CommitPoint[]; step: ReplayStep; effects: MessageEffects } | null = null;
  view: NodeView | GodView | null = null;
  reveal: RevealMessage | null = null;
  roster: RosterMessage | null = null;
  log: LogEntry[] = [];
  /** Changes whenever the log starts again (a new round, a new session): the list on screen starts again too. */
  logEpoch = 0;
  selectedNodes = new Set<NodeId>();
  /** Instructor: a message in flight; player: an inbox entry. */
  selectedMessage: number | null = null;
  /** Seq of the player's action waiting for the server's answer. */
  pendingSeq: number | null = null;
  connection: 'connected' | 'reconnecting' | 'closed' = 'closed';
  readonly scoreboard = new Scoreboard();
  readonly clock = new TickClock(DEFAULT_MS_PER_TICK);

  /** Each group's reveal of its last round: the instructor and the projector may be shown any group. */
  private reveals = new Map<number, RevealMessage>();
  private pictureCache: Picture | null = null;
  private pictureVersion = 0;
  /** What the last view's events did to messages, for the canvas to show. */
  private effects: MessageEffects = { dropped: new Set(), duplicates: new Map() };
  private logId = 0;
  private listeners = new Set<() => void>();
  private renderQueued = false;

  constructor(private readonly url: string = serverUrl()) {}

  // ---- Subscriptions --------------------------------------------------------------------------

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Panels re-render once per animation frame at most, however many messages arrived. */
  changed(): void {
    this.pictureCache = null;
    this.pictureVersion += 1;
    this.changedStatusOnly();
  }

  /** Something shown in text changed (the tick), but not the picture. */
  changedStatusOnly(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    const flush = () => {
      this.renderQueued = false;
      for (const listener of this.listeners) listener();
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(flush);
    else queueMicrotask(flush);
  }

  // ---- Joining --------------------------------------------------------------------------------

  async playSolo(protocol: ProtocolName, nodes: number): Promise<void> {
    await this.connect(() => Session.solo(this.url, protocol, nodes, this.handlers()));
  }

  async playLesson(id: string): Promise<void> {
    await this.connect(() => Session.lesson(this.url, id, this.handlers()));
  }

  /** "What if": a solo sandbox round that starts from a replay's world after `step` commands. */
  async playFork(round: RoundDocument, step: number): Promise<void> {
    const res = await fetch(`${this.url}/api/forks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ round, step }),
    });
    const body = (await res.json().catch(() => ({}))) as { fork?: string; error?: string };
    if (!res.ok || !body.fork) throw new Error(body.error ?? `The server answered ${res.status}.`);
    const fork = body.fork;
    this.replayFrame = null;
    await this.connect(() => Session.fork(this.url, fork, this.handlers()));
  }

  /** The replays screen: the canvas shows whatever the replay viewer hands it. */
  openReplays(): void {
    this.replayFrame = null;
    this.screen = 'replay';
    this.changed();
  }

  /**
   * A replay's current frame for the canvas, drawn still at the frame's tick: which step it is, and
   * what the commands since the step shown before did to messages.
   */
  showReplayFrame(view: NodeView | GodView, commitPoints: readonly CommitPoint[], step: ReplayStep, effects: MessageEffects): void {
    this.replayFrame = { view, commitPoints, step, effects };
    this.clock.observe(view.now, performance.now(), false);
    this.changed();
  }

  async joinClass(code: string, nickname: string): Promise<void> {
    await this.connect(() => Session.student(this.url, code, nickname, this.handlers()));
  }

  /** Creates a class over HTTP, then joins it as its instructor. */
  async hostClass(title: string): Promise<void> {
    let created: { code: string; instructorKey: string };
    try {
      const res = await fetch(`${this.url}/api/classes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title }),
      });
      const body = (await res.json().catch(() => ({}))) as { code?: string; instructorKey?: string; error?: string };
      if (!res.ok || !body.code || !body.instructorKey) throw new Error(body.error ?? `The server answered ${res.status}.`);
      created = { code: body.code, instructorKey: body.instructorKey };
    } catch (error) {
      throw new Error(joinErrorText(error));
    }
    this.instructorKey = created.instructorKey;
    rememberHostedClass(created.code, created.instructorKey);
    await this.connect(() => Session.instructor(this.url, created.code, created.instructorKey, this.handlers()));
    setCurrentClass(created.code);
  }

  /** Back into a class this tab hosted (after a reload), with the key kept in sessionStorage. */
  async rejoinClass(code: string, instructorKey: string): Promise<void> {
    this.instructorKey = instructorKey;
    await this.connect(() => Session.instructor(this.url, code, instructorKey, this.handlers()));
    setCurrentClass(code);
  }

  /**
   * An instructor who reloads the page comes back to the class they were in, its round and its
   * reveal. Returns false when this tab was in no class; throws (and forgets the class) when the
   * class cannot be joined any more.
   */
  async resumeHostedClass(): Promise<boolean> {
    const current = currentHostedClass();
    if (!current) return false;
    try {
      await this.rejoinClass(current.code, current.instructorKey);
    } catch (error) {
      forgetCurrentClass();
      throw error;
    }
    return true;
  }

  /**
   * The projector view of class `code`, opened in a second window of the browser that hosts the
   * class: it joins with the instructor key kept for that class, as a screen that only looks.
   */
  async openProjector(code: string): Promise<void> {
    this.projectorCode = code;
    this.screen = 'projector';
    const hosted = hostedClasses().find((c) => c.code === code);
    if (!hosted) {
      this.projectorProblem = NO_KEY_TEXT;
      this.changed();
      return;
    }
    this.projectorProblem = null;
    this.changed();
    try {
      await this.connect(() => Session.screen(this.url, code, hosted.instructorKey, this.handlers()));
    } catch (error) {
      this.projectorProblem = `The projector view of class ${code} could not open: ${(error as Error).message}`;
      this.changed();
    }
  }

  /** What the projector page shows now. */
  get projectorPage(): ProjectorPage {
    return projectorPage({
      problem: this.projectorProblem,
      connected: this.role === 'screen' && this.connection !== 'closed',
      groups: this.groups,
      comparison: this.comparison,
      mode: this.projectorMode,
      hasView: this.view?.kind === 'god',
      revealed: revealOf(this.reveal, this.round) !== null,
    });
  }

  setProjectorMode(mode: ProjectorMode): void {
    this.projectorMode = mode;
    this.changed();
  }

  private async connect(open: () => Promise<Session>): Promise<void> {
    await this.leave(false);
    // Whatever this tab joins now, it is no longer in the class it was in (hosting sets it again).
    forgetCurrentClass();
    try {
      this.session = await open();
    } catch (error) {
      throw new Error(joinErrorText(error));
    }
    this.connection = 'connected';
    this.changed();
  }

  async leave(toMenu = true): Promise<void> {
    const session = this.session;
    this.session = null;
    // Leaving on purpose: a reload now shows the menu, not the class.
    if (toMenu) forgetCurrentClass();
    if (session) await session.leave();
    this.reset();
    if (toMenu) this.screen = 'menu';
    this.changed();
  }

  private reset(): void {
    this.role = null;
    this.node = null;
    this.nickname = null;
    this.classCode = null;
    this.classTitle = null;
    this.group = null;
    this.groups = null;
    this.comparison = null;
    this.reportLine = null;
    this.lesson = null;
    this.reveals = new Map();
    this.round = null;
    this.view = null;
    this.reveal = null;
    this.roster = null;
    this.clearLog();
    this.selectedNodes.clear();
    this.selectedMessage = null;
    this.pendingSeq = null;
    this.connection = 'closed';
    this.scoreboard.clear();
  }

  // ---- Server messages ------------------------------------------------------------------------

  private handlers(): SessionHandlers {
    return {
      welcome: (m) => this.onWelcome(m),
      view: (m) => this.onView(m),
      clock: (m) => this.onClock(m),
      rejected: (m) => this.onRejected(m),
      reveal: (m) => this.onReveal(m),
      roster: (m) => {
        this.roster = m;
        this.scoreboard.roster(m);
        this.changed();
      },
      // The class is closed, or this member was removed: nothing to come back to after a reload.
      kicked: (m) => {
        forgetCurrentClass();
        this.ended(`You were removed from the class: ${m.reason}`);
      },
      closed: (m) => {
        forgetCurrentClass();
        this.ended(m.reason);
      },
      groups: (m) => this.onGroups(m),
      comparison: (m) => {
        this.comparison = m;
        // The projector turns to the results when they come.
        if (this.role === 'screen') this.projectorMode = 'results';
        this.changed();
      },
      reportLine: (m: ReportLineMessage) => {
        this.reportLine = m.line;
        this.changed();
      },
      lesson: (m: LessonMessage) => {
        this.lesson = m;
        if (m.status === 'done') markLessonDone(m.id);
        this.changed();
      },
      left: (code) => {
        if (this.session && this.connection !== 'closed') this.ended(code >= 4000 ? 'The connection was closed.' : 'You left the round.');
      },
      dropped: () => {
        this.connection = 'reconnecting';
        this.addLog(null, 'Connection lost: reconnecting…', 'system');
        this.changed();
      },
      reconnected: () => {
        this.connection = 'connected';
        this.addLog(null, 'Reconnected.', 'system');
        this.changed();
      },
    };
  }

  /** Hands the app a server message as its session would: the one way in for every message (a test page may feed it). */
  receive<K extends keyof ReceivedMessages>(type: K, message: ReceivedMessages[K]): void {
    (this.handlers()[type] as (m: ReceivedMessages[K]) => void)(message);
  }

  private ended(reason: string): void {
    this.connection = 'closed';
    this.session = null;
    this.reset();
    // The projector stays on its page and says why it shows nothing more.
    if (this.projectorCode !== null) this.projectorProblem = reason;
    this.screen = this.projectorCode !== null ? 'projector' : 'menu';
    this.onEnded?.(reason);
    this.changed();
  }

  /** Set by the UI to show why a session ended. */
  onEnded: ((reason: string) => void) | null = null;

  private onWelcome(m: WelcomeMessage): void {
    const seatChanged = this.node !== m.node;
    // A new seat, group or round: its lesson panel, if it has one, follows this message.
    this.lesson = null;
    this.role = m.role;
    this.node = m.node;
    this.nickname = m.nickname;
    this.classCode = m.classCode;
    this.classTitle = m.classTitle ?? null;
    this.showGroup(m.group ?? null);
    if (m.role === 'screen') {
      this.screen = 'projector';
      this.projectorProblem = null;
    }
    // An instructor without a class code is driving a fork of a replay: straight to the round.
    else if (this.screen === 'menu' || this.screen === 'replay') this.screen = m.role === 'instructor' && m.classCode !== null ? 'lobby' : 'round';
    if (seatChanged && m.node !== null && m.role === 'student') this.addLog(null, `You are node ${nodeName(m.node)}.`, 'system');
    if (m.role === 'student' && m.node === null) this.addLog(null, 'Every seat is taken: you will get a node when one frees up.', 'system');
    this.changed();
  }

  /**
   * The group shown changed (the instructor or projector chose another, or a student was moved): its
   * log and selections were of the other group, and its reveal comes with its own round's view.
   */
  private showGroup(group: number | null): void {
    if (group === this.group) return;
    this.group = group;
    this.reveal = null;
    this.clearLog();
    this.selectedMessage = null;
    this.selectedNodes.clear();
  }

  private onGroups(m: GroupsMessage): void {
    this.groups = m;
    this.showGroup(m.selected);
    // The group shown plays no lesson (any more): its panel is gone.
    if (this.role !== 'student' && !m.groups.find((g) => g.group === m.selected)?.lesson) this.lesson = null;
    // A reveal holds until its group's next round.
    for (const [group, reveal] of this.reveals) {
      const round = m.groups.find((g) => g.group === group)?.round ?? null;
      if (revealOf(reveal, round) === null) this.reveals.delete(group);
    }
    const live = m.groups.some((g) => g.round.phase === 'running' || g.round.phase === 'paused');
    if (live && this.comparison) this.comparison = null;
    this.changed();
  }

  /** Asks for another group's god view (instructor, projector). */
  selectGroup(group: number): void {
    this.session?.control('selectGroup', { group });
  }

  private onView(m: ViewMessage): void {
    const previousRound = this.round;
    if (previousRound !== null && isAnotherRound(previousRound, m.round)) {
      this.reveal = null;
      this.clearLog();
      this.selectedMessage = null;
      this.selectedNodes.clear();
    }
    // A group's reveal, kept while another group was shown, comes back with its round's view.
    if (this.reveal === null && this.group !== null) this.reveal = revealOf(this.reveals.get(this.group) ?? null, m.round);
    // The groups compared hold until a round runs again.
    const live = m.round.phase === 'running' || m.round.phase === 'paused';
    if (live && this.comparison && !this.comparison.scoreboards.some((b) => b.roundId === m.round.id)) this.comparison = null;
    if (previousRound?.speed !== m.round.speed) this.clock.setRate(DEFAULT_MS_PER_TICK / m.round.speed);
    this.round = m.round;
    this.view = m.view;
    this.session?.syncSeq(m.lastSeq);
    if (this.pendingSeq !== null && m.lastSeq >= this.pendingSeq) this.pendingSeq = null;
    this.clock.observe(m.view.now, performance.now(), m.round.phase === 'running');
    this.noteEffects(m.events);
    // Each event at the tick it happened: a view can bring a move made during the previous tick.
    // The projector's log never tells the commit point: the room is to find it.
    const logged = this.role === 'screen' ? projectorEvents(m.events) : this.role === 'instructor' ? m.events.filter((e) => e.type !== 'delivered') : m.events;
    for (const e of logged) this.addLog(e.tick, e.text, 'event');
    // A rule the player broke in a sandbox round shows at once, like a refusal would outside the sandbox.
    if (this.role === 'student' || this.role === 'solo') for (const e of m.events) if (e.type === 'violation') this.onRejection?.(e.text);
    if (this.selectedMessage !== null && !this.messageExists(this.selectedMessage)) this.selectedMessage = null;
    if (m.view.kind === 'god') this.scoreboard.observe(m.round, m.view, m.events, this.group);
    // The instructor goes to the round when it starts, and straight to it (and its reveal) on joining a class whose round is under way or over.
    if (this.role === 'instructor' && m.round.phase !== 'setup' && this.screen === 'lobby' && (previousRound === null || previousRound.phase === 'setup')) this.screen = 'round';
    this.changed();
  }

  /** The server skips views that would not change and sends the clock instead. */
  private onClock(m: { tick: number; phase: RoundInfo['phase'] }): void {
    if (!this.round) return;
    const phaseChanged = this.round.phase !== m.phase;
    this.round = { ...this.round, tick: m.tick, phase: m.phase };
    this.clock.observe(m.tick, performance.now(), m.phase === 'running');
    // Nothing to redraw but the status line; skip the picture rebuild.
    if (phaseChanged) this.changed();
    else this.changedStatusOnly();
  }

  private noteEffects(events: readonly EngineEvent[]): void {
    this.effects = messageEffects(events);
  }

  private messageExists(id: number): boolean {
    const v = this.view;
    if (!v) return false;
    if (v.kind === 'god') return v.inFlight.some((m) => m.id === id);
    return v.inbox.some((m) => m.id === id);
  }

  private onRejected(m: RejectedMessage): void {
    if (m.seq !== undefined && this.pendingSeq === m.seq) this.pendingSeq = null;
    this.addLog(this.tick, `Refused: ${m.message}`, 'rejected');
    this.onRejection?.(m.message);
    this.changed();
  }

  /** Set by the UI to show a rejection as a toast. */
  onRejection: ((text: string) => void) | null = null;

  private onReveal(m: RevealMessage): void {
    const group = m.group ?? null;
    if (group !== null) this.reveals.set(group, m);
    // Another group's reveal (the instructor and the projector hear of every group's end) waits until that group is shown.
    if (group !== null && this.group !== null && group !== this.group) {
      this.changed();
      return;
    }
    this.reveal = m;
    // A solo player's finished rounds are kept in this browser for the replays screen.
    if (this.role === 'solo' && m.roundId) void keepSoloRoundFrom(this.url, m.roundId);
    if (this.round) this.scoreboard.finish(this.round, m);
    this.addLog(m.god.now, m.outcome ? `The round is over: ${m.outcome} was decided.` : 'The round is over: nothing was decided.', 'system');
    this.changed();
  }

  /** The round's tick as far as this client knows: the last view's, or later when only the clock moved since. */
  get tick(): number | null {
    if (!this.view && !this.round) return null;
    return Math.max(this.view?.now ?? 0, this.round?.tick ?? 0);
  }

  private clearLog(): void {
    this.log = [];
    this.logEpoch += 1;
  }

  addLog(tick: number | null, text: string, kind: LogEntry['kind']): void {
    this.logId += 1;
    this.log.unshift({ id: this.logId, tick, text, kind });
    if (this.log.length > LOG_LIMIT) this.log.length = LOG_LIMIT;
  }

  // ---- Player and instructor commands ---------------------------------------------------------

  act(action: Action, description: string): void {
    if (!this.session) return;
    this.pendingSeq = this.session.act(action);
    this.addLog(this.tick, `You: ${description}`, 'mine');
    this.changed();
  }

  /**
   * A control message: in a class with "this group only" on, it names the group shown; otherwise it
   * acts on every group (see `scopedControl`).
   */
  control(type: Parameters<Session['control']>[0], payload: object = {}): void {
    this.session?.control(type, scopedControl(type, payload, { groupOnly: this.groupOnly, group: this.classCode !== null ? this.group : null }));
  }

  setGroupOnly(on: boolean): void {
    this.groupOnly = on;
    this.changed();
  }

  selectNode(id: NodeId, additive: boolean): void {
    if (additive || this.selectedNodes.has(id)) {
      if (this.selectedNodes.has(id)) this.selectedNodes.delete(id);
      else this.selectedNodes.add(id);
    } else {
      this.selectedNodes = new Set([id]);
    }
    this.changed();
  }

  selectMessage(id: number | null): void {
    this.selectedMessage = this.selectedMessage === id ? null : id;
    this.changed();
  }

  // ---- What the canvas shows ------------------------------------------------------------------

  /** At the reveal the canvas shows the god view with the commit points (one per slot decided); before that, the player's own view. */
  get commitPoints(): readonly CommitPoint[] {
    return this.reveal?.commitPoints ?? [];
  }

  picture(): Picture | null {
    if (this.pictureCache) return this.pictureCache;
    if (this.screen === 'replay') {
      const frame = this.replayFrame;
      this.pictureCache = frame ? { ...pictureOf({ view: frame.view, commitPoints: frame.commitPoints }), replayStep: frame.step } : null;
      return this.pictureCache;
    }
    if (this.role === 'screen') {
      if (this.view?.kind !== 'god') return null;
      const picture = projectorPicture({ view: this.view, round: this.round, reveal: this.reveal, groups: this.groups, group: this.group });
      this.pictureCache = { ...picture, tick: Math.max(picture.tick, this.round?.tick ?? 0) };
      return this.pictureCache;
    }
    const view = this.reveal && this.round?.phase === 'ended' ? this.reveal.god : this.view;
    if (!view) return null;
    const picture = pictureOf({
      view,
      roster: this.roster,
      selectedNodes: this.role === 'instructor' ? this.selectedNodes : undefined,
      selectedMessage: this.selectedMessage,
      commitPoints: this.round?.phase === 'ended' ? this.commitPoints : [],
      over: this.round?.phase === 'ended',
    });
    // Clock-only updates move time on without a new view.
    this.pictureCache = { ...picture, tick: Math.max(picture.tick, this.round?.tick ?? 0) };
    return this.pictureCache;
  }

  /** Whether the canvas shows a round: in play, in a replay, and on the projector showing one group. */
  canvasShown(): boolean {
    return this.screen === 'round' || this.screen === 'replay' || (this.screen === 'projector' && this.projectorPage === 'group');
  }

  bridge(progress: (f: number) => void, ready: () => void): SceneBridge {
    return {
      picture: () => ({ picture: this.canvasShown() ? this.picture() : null, version: this.pictureVersion }),
      // A replay's own effects: a class's round may still be sending views, about other messages.
      effects: () => (this.screen === 'replay' ? (this.replayFrame?.effects ?? NO_EFFECTS) : this.effects),
      clock: this.clock,
      nodeClicked: (id, additive) => {
        if (this.role === 'instructor') this.selectNode(id, additive);
      },
      messageClicked: (id) => {
        if (this.role === 'instructor') this.selectMessage(id);
        else if (this.view?.kind === 'node' && this.view.inbox.some((m) => m.id === id)) this.selectMessage(id);
      },
      progress,
      ready,
    };
  }
}

/**
 * Whether a view belongs to another round than the last one: the stored ids differ (a round has no id
 * until it starts), or the last one was over and this one is not.
 */
export function isAnotherRound(previous: RoundInfo, next: RoundInfo): boolean {
  if (previous.id !== null && next.id !== null && previous.id !== next.id) return true;
  return previous.phase === 'ended' && next.phase !== 'ended';
}
