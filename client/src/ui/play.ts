/**
 * The round's DOM panels: the player's node, their inbox with the legal answers, their other moves,
 * the reveal, and the event log. Buttons are made from `view.legal`, so only legal moves are offered.
 */
import { nodeName } from '../../../shared/engine/names';
import type { Action, ProtocolName } from '../../../shared/engine/types';
import { ruleBreakingInView, type NodeView, type RuleBreakingMove } from '../../../shared/engine/view';
import type { App } from '../app';
import {
  actionLabel,
  commitPointSentence,
  detailSentences,
  learnedLine,
  noCommitPointSentence,
  nodeStateLines,
  nodeTitle,
  outcomeSentence,
  protocolTitle,
  roleHint,
  runningTimers,
  splitLegal,
  timerSentence,
  violationSentence,
} from '../describe';
import { cssColour, styleOf } from '../layout';
import { nicknamesOf } from '../picture';
import { logPictureOf } from '../logs';
import { ownLogList } from './logs';
import { h, replaceChildren } from './dom';
import { classLabel } from './groups';

export function swatch(kind: string | null, protocol: ProtocolName): HTMLElement {
  const style = styleOf(kind, protocol);
  return h('span', { class: 'swatch', style: `background:${cssColour(style.colour)}`, 'aria-hidden': 'true' });
}

function actionButton(app: App, protocol: ProtocolName, action: Action, key: string): HTMLButtonElement {
  const label = actionLabel(protocol, action);
  return h(
    'button',
    {
      type: 'button',
      class: action.kind === 'ignore' ? '' : 'primary',
      'data-key': key,
      'data-action': action.kind,
      disabled: !mayMove(app),
      onclick: () => app.act(action, label),
    },
    label,
  );
}

/**
 * Whether a move may be sent now: none is waiting for its answer, and the round is under way. A
 * paused round's clock stands still, but a player may still answer what is in their inbox.
 */
function mayMove(app: App): boolean {
  const phase = app.round?.phase;
  return app.pendingSeq === null && (phase === 'running' || phase === 'paused');
}

/** A move that breaks a rule (sandbox rounds only): marked as such, with the rule it breaks and why the rule exists. */
function ruleBreakingButton(app: App, protocol: ProtocolName, move: RuleBreakingMove, key: string): HTMLButtonElement {
  const label = actionLabel(protocol, move.action);
  return h(
    'button',
    {
      type: 'button',
      class: 'rule-breaking',
      'data-key': key,
      'data-action': move.action.kind,
      'data-rule': move.rule,
      title: move.why,
      'aria-label': `${label}: breaks the rule "${move.title}"`,
      disabled: !mayMove(app),
      onclick: () => app.act(move.action, `${label}, breaking the rule "${move.title}"`),
    },
    h('span', { class: 'rule-mark', 'aria-hidden': 'true' }, '⚠'),
    h('span', {}, label),
    h('span', { class: 'rule-name', 'aria-hidden': 'true' }, `breaks: ${move.title}`),
  );
}

export function renderMe(app: App, root: HTMLElement): void {
  const view = app.view;
  if (!view || view.kind !== 'node') {
    replaceChildren(root, app.role === 'student' && app.node === null ? h('p', {}, 'Every seat is taken: you will get a node when one frees up.') : null);
    return;
  }
  const lines = nodeStateLines(view.protocol, view.self, view.nodes);
  // The clock moves between views: the ticks left count down from the round's tick.
  const now = Math.max(view.now, app.round?.tick ?? 0);
  // Once the round is over its clock stands: no timer of the node runs any more.
  const over = app.round?.phase === 'ended';
  const timers = over ? [] : runningTimers(view.protocol, view.self, now);
  const log = logPictureOf(view.protocol, view.self);
  replaceChildren(
    root,
    h(
      'div',
      { class: `node-card${view.self.crashed ? ' crashed' : ''}`, id: 'my-node' },
      h('h2', {}, `You are node ${view.self.name}`),
      h(
        'dl',
        {},
        app.group !== null ? [h('dt', {}, 'Group'), h('dd', { id: 'my-group' }, String(app.group))] : null,
        h('dt', {}, 'Protocol'),
        h('dd', {}, protocolTitle(view.protocol)),
        h('dt', {}, 'Role'),
        h('dd', {}, view.self.role),
        h('dt', {}, 'Tick'),
        h('dd', { id: 'tick' }, String(Math.max(view.now, app.round?.tick ?? 0))),
      ),
      h('ul', { id: 'my-state' }, ...lines.map((l) => h('li', {}, l))),
      log ? ownLogList(view.protocol, log, view.self.id) : null,
      timers.length > 0
        ? h(
            'ul',
            { id: 'my-timers', class: 'timers', 'aria-label': 'Your timers' },
            ...timers.map((t) =>
              h(
                'li',
                { 'data-timer': t.name },
                h('progress', { max: t.total, value: t.left, 'aria-hidden': 'true' }),
                h('span', {}, timerSentence(t)),
              ),
            ),
          )
        : null,
      app.round?.phase === 'setup' ? h('p', { class: 'hint', id: 'waiting' }, waitingText(app.role)) : null,
    ),
  );
}

/** What a player waits for before a round starts: a solo player starts it themselves. */
export function waitingText(role: App['role']): string {
  return role === 'solo' ? 'The next round is ready: press Start when you are.' : 'Waiting for the instructor to start the round.';
}

/** How to play this node; after the inbox, so a phone shows the moves first. */
export function renderHelp(app: App, root: HTMLElement): void {
  const view = app.view;
  if (!view || view.kind !== 'node') {
    replaceChildren(root);
    return;
  }
  replaceChildren(
    root,
    h('h2', {}, 'How to play'),
    h('p', { class: 'hint' }, roleHint(view.protocol, view.self.role, view.settings)),
    h('p', { class: 'hint' }, 'On the map, coloured shapes are messages you sent or will receive; grey dots travel between other nodes, and you cannot read them.'),
  );
}

export function renderInbox(app: App, root: HTMLElement): void {
  const view = app.view;
  if (!view || view.kind !== 'node') {
    replaceChildren(root);
    return;
  }
  // Once the round is over nothing can be answered; the reveal says what happened.
  const over = app.round?.phase === 'ended';
  const { byMessage, general } = splitLegal(over ? [] : view.legal);
  // In a sandbox round the moves the rules forbid are offered too, apart and marked.
  const broken = over ? [] : ruleBreakingInView(view);
  const brokenByMessage = new Map<number, RuleBreakingMove[]>();
  const brokenGeneral: RuleBreakingMove[] = [];
  for (const move of broken) {
    const msg = (move.action as { msg?: unknown }).msg;
    if (typeof msg === 'number') brokenByMessage.set(msg, [...(brokenByMessage.get(msg) ?? []), move]);
    else brokenGeneral.push(move);
  }
  const inbox = [...view.inbox].sort((a, b) => b.deliveredAt - a.deliveredAt || b.id - a.id);
  const selected = app.selectedMessage;
  replaceChildren(
    root,
    h('h2', { id: 'inbox-title' }, `Inbox (${inbox.length})`),
    inbox.length === 0
      ? h('p', { class: 'muted' }, view.self.crashed ? 'Your node is down: it receives nothing.' : 'Nothing waits for your answer.')
      : h(
          'ul',
          { class: 'inbox', 'aria-labelledby': 'inbox-title' },
          ...inbox.map((m) => {
            const open = selected === m.id;
            const answers = byMessage.get(m.id) ?? [];
            const forbidden = brokenByMessage.get(m.id) ?? [];
            return h(
              'li',
              {},
              h(
                'button',
                {
                  type: 'button',
                  class: 'msg',
                  'data-key': `msg-${m.id}`,
                  'data-msg': m.id,
                  'aria-expanded': String(open),
                  onclick: () => app.selectMessage(m.id),
                },
                swatch(m.payload.kind, view.protocol),
                h('span', {}, h('strong', {}, m.label), ` from ${nodeName(m.from)}`, h('span', { class: 'muted' }, ` · tick ${m.deliveredAt}`)),
              ),
              open
                ? h(
                    'div',
                    { class: 'answers', role: 'group', 'aria-label': `Answers to ${m.label}` },
                    ...(answers.length > 0 ? answers.map((a, i) => actionButton(app, view.protocol, a, `answer-${m.id}-${i}`)) : [h('span', { class: 'muted' }, 'No answer is possible now.')]),
                    ...forbidden.map((move, i) => ruleBreakingButton(app, view.protocol, move, `break-${m.id}-${i}`)),
                  )
                : null,
            );
          }),
        ),
    h('h2', { id: 'moves-title' }, 'Your moves'),
    general.length === 0
      ? h('p', { class: 'muted' }, over ? 'The round is over.' : 'Nothing to start right now.')
      : h('div', { class: 'answers', role: 'group', 'aria-labelledby': 'moves-title', id: 'moves' }, ...general.map((a, i) => actionButton(app, view.protocol, a, `move-${i}`))),
    ...(brokenGeneral.length === 0
      ? []
      : [
          h('h2', { id: 'rule-breaking-title' }, 'Moves that break a rule (sandbox)'),
          h('p', { class: 'hint' }, 'The rules forbid these moves. This sandbox round lets you make them, to see what the rules prevent; each one is recorded as a broken rule.'),
          h(
            'div',
            { class: 'answers', role: 'group', 'aria-labelledby': 'rule-breaking-title', id: 'rule-breaking-moves' },
            ...brokenGeneral.map((move, i) => ruleBreakingButton(app, view.protocol, move, `break-${i}`)),
          ),
        ]),
  );
}

export function renderReveal(app: App, root: HTMLElement): void {
  const reveal = app.reveal;
  if (!reveal || app.round?.phase !== 'ended') {
    root.hidden = true;
    replaceChildren(root);
    return;
  }
  root.hidden = false;
  const protocol = reveal.god.config.protocol;
  const nicknames = nicknamesOf(app.roster);
  const nameOf = (id: number) => `node ${nodeTitle(id, nicknames.get(id))}`;
  const outcome = outcomeSentence(protocol, reveal.outcome, reveal.god.status.stuck);
  replaceChildren(
    root,
    h('h2', { id: 'reveal-title' }, reveal.group !== null && app.role !== 'student' ? `The reveal: group ${reveal.group}` : 'The reveal'),
    h('p', { id: 'reveal-outcome' }, h('strong', {}, outcome)),
    // The instructor sees the groups compared here; a student sees them in their own results.
    app.role === 'instructor' && app.comparison && app.comparison.sentences.length > 0
      ? h('div', { id: 'reveal-comparison' }, h('h3', {}, 'The groups compared'), ...app.comparison.sentences.map((t) => h('p', {}, t)))
      : null,
    // One commit point per slot decided (a single decree has one), each sentence naming its slot in a log.
    ...reveal.commitPoints.map((cp) => h('p', { class: 'commit', 'data-commit-node': cp.node, 'data-slot': cp.slot }, commitPointSentence(protocol, cp, nameOf, reveal.god.config.nodes))),
    reveal.commitPoints.length === 0 ? h('p', { class: 'muted' }, noCommitPointSentence(protocol, reveal.outcome)) : null,
    ...detailSentences(reveal.god.config, reveal.god.global, reveal.god.now).map((text) => h('p', { class: 'doubt' }, text)),
    h('p', { class: 'muted' }, learnedLine(protocol, reveal.god.nodes, reveal.god.global)),
    reveal.god.global.violations.length > 0
      ? h('div', {}, h('h3', {}, 'Rules broken (sandbox)'), h('ul', {}, ...reveal.god.global.violations.map((v) => h('li', {}, violationSentence(protocol, v)))))
      : null,
    h(
      'p',
      { class: 'hint' },
      reveal.commitPoints.length > 0
        ? 'The canvas now shows every node as it really was; the highlighted node made the decision.'
        : 'The canvas now shows every node as it really was.',
    ),
  );
}

/**
 * The event log keeps one list element and prepends only new entries, so screen readers announce
 * each addition once (a replaced list would be read again, or not at all).
 */
export class EventLog {
  private readonly list = h('ol', { class: 'log', 'aria-labelledby': 'log-title', 'aria-live': 'polite', 'aria-relevant': 'additions', id: 'log-list' });
  private newest = 0;
  private epoch = -1;

  constructor(root: HTMLElement) {
    root.replaceChildren(h('h2', { id: 'log-title' }, 'Event log'), this.list);
  }

  render(app: App): void {
    const entries = app.log;
    const top = entries[0]?.id ?? 0;
    if (app.logEpoch !== this.epoch) {
      // A new round (or a new session) started the log again, perhaps with new entries already.
      this.list.replaceChildren();
      this.newest = 0;
      this.epoch = app.logEpoch;
    }
    const fresh = entries.filter((e) => e.id > this.newest);
    for (const e of fresh.reverse()) {
      this.list.prepend(h('li', { class: e.kind, 'data-log': e.id }, e.tick !== null ? h('span', { class: 'tick' }, `t${e.tick}`) : null, e.text));
    }
    this.newest = Math.max(this.newest, top);
    while (this.list.children.length > 200) this.list.lastElementChild?.remove();
  }
}

/** The status line at the top: round, phase, tick, connection. */
export function statusText(app: App): string {
  const r = app.round;
  if (!r) return app.connection === 'closed' ? '' : 'Connecting…';
  const group = app.group !== null ? ` · group ${app.group}` : '';
  const who =
    app.role === 'instructor'
      ? app.classCode
        ? `${classLabel(app.classTitle, app.classCode)} · instructor${group}`
        : 'What if? A sandbox forked from a replay'
      : app.node !== null
        ? `You are node ${nodeName(app.node)}${app.nickname ? ` (${app.nickname})` : ''}${group}`
        : 'Waiting for a seat';
  const phase = { setup: 'waiting to start', running: 'running', paused: 'paused', ended: 'over' }[r.phase];
  const conn = app.connection === 'reconnecting' ? ' · reconnecting…' : '';
  return `${who} · ${protocolTitle(r.protocol)}, ${r.nodes} node${r.nodes === 1 ? '' : 's'} · round ${phase} · tick ${r.tick} · ${r.speed}×${conn}`;
}

export function isNodeView(view: unknown): view is NodeView {
  return typeof view === 'object' && view !== null && (view as { kind?: string }).kind === 'node';
}
