/**
 * The round's DOM panels: the player's node, their inbox with the legal answers, their other moves,
 * the reveal, and the event log. Buttons are made from `view.legal`, so only legal moves are offered.
 */
import { nodeName } from '../../../shared/engine/names';
import type { Action } from '../../../shared/engine/types';
import type { NodeView } from '../../../shared/engine/view';
import type { App } from '../app';
import { actionLabel, commitPointSentence, noCommitPointSentence, nodeStateLines, nodeTitle, outcomeSentence, PROTOCOL_TITLES, roleHint, splitLegal } from '../describe';
import { cssColour, styleOf } from '../layout';
import { nicknamesOf } from '../picture';
import { h, replaceChildren } from './dom';

export function swatch(kind: string | null): HTMLElement {
  const style = styleOf(kind);
  return h('span', { class: 'swatch', style: `background:${cssColour(style.colour)}`, 'aria-hidden': 'true' });
}

function actionButton(app: App, action: Action, key: string): HTMLButtonElement {
  const label = actionLabel(action);
  return h(
    'button',
    {
      type: 'button',
      class: action.kind === 'ignore' ? '' : 'primary',
      'data-key': key,
      'data-action': action.kind,
      disabled: app.pendingSeq !== null || app.round?.phase !== 'running',
      onclick: () => app.act(action, label.toLowerCase()),
    },
    label,
  );
}

export function renderMe(app: App, root: HTMLElement): void {
  const view = app.view;
  if (!view || view.kind !== 'node') {
    replaceChildren(root, app.role === 'student' && app.node === null ? h('p', {}, 'Every seat is taken: you will get a node when one frees up.') : null);
    return;
  }
  const lines = nodeStateLines(view.protocol, view.self, view.nodes);
  replaceChildren(
    root,
    h(
      'div',
      { class: `node-card${view.self.crashed ? ' crashed' : ''}`, id: 'my-node' },
      h('h2', {}, `You are node ${view.self.name}`),
      h(
        'dl',
        {},
        h('dt', {}, 'Protocol'),
        h('dd', {}, PROTOCOL_TITLES[view.protocol]),
        h('dt', {}, 'Role'),
        h('dd', {}, view.self.role),
        h('dt', {}, 'Tick'),
        h('dd', { id: 'tick' }, String(Math.max(view.now, app.round?.tick ?? 0))),
      ),
      h('ul', { id: 'my-state' }, ...lines.map((l) => h('li', {}, l))),
      app.round?.phase === 'setup' ? h('p', { class: 'hint', id: 'waiting' }, 'Waiting for the instructor to start the round.') : null,
    ),
  );
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
    h('p', { class: 'hint' }, roleHint(view.protocol, view.self.role)),
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
                swatch(m.payload.kind),
                h('span', {}, h('strong', {}, m.label), ` from ${nodeName(m.from)}`, h('span', { class: 'muted' }, ` · tick ${m.deliveredAt}`)),
              ),
              open
                ? h(
                    'div',
                    { class: 'answers', role: 'group', 'aria-label': `Answers to ${m.label}` },
                    ...(answers.length > 0 ? answers.map((a, i) => actionButton(app, a, `answer-${m.id}-${i}`)) : [h('span', { class: 'muted' }, 'No answer is possible now.')]),
                  )
                : null,
            );
          }),
        ),
    h('h2', { id: 'moves-title' }, 'Your moves'),
    general.length === 0
      ? h('p', { class: 'muted' }, over ? 'The round is over.' : 'Nothing to start right now.')
      : h('div', { class: 'answers', role: 'group', 'aria-labelledby': 'moves-title', id: 'moves' }, ...general.map((a, i) => actionButton(app, a, `move-${i}`))),
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
  const learned =
    protocol === '2pc'
      ? Object.entries(reveal.god.global.outcomes).map(([id, o]) => `${nodeName(Number(id))} (${o})`)
      : reveal.god.nodes.filter((n) => n.learned !== null).map((n) => n.name);
  replaceChildren(
    root,
    h('h2', { id: 'reveal-title' }, 'The reveal'),
    h('p', { id: 'reveal-outcome' }, h('strong', {}, outcome)),
    ...reveal.commitPoints.map((cp) => h('p', { class: 'commit', 'data-commit-node': cp.node }, commitPointSentence(protocol, cp, nameOf))),
    reveal.commitPoints.length === 0 ? h('p', { class: 'muted' }, noCommitPointSentence(protocol, reveal.outcome)) : null,
    h(
      'p',
      { class: 'muted' },
      learned.length > 0 ? `${protocol === '2pc' ? 'Nodes that applied an outcome' : 'Nodes that learned the outcome'}: ${learned.join(', ')}.` : 'No node learned an outcome.',
    ),
    reveal.god.global.violations.length > 0
      ? h('div', {}, h('h3', {}, 'Rules broken (sandbox)'), h('ul', {}, ...reveal.god.global.violations.map((v) => h('li', {}, `tick ${v.tick}: ${v.message}`))))
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
  const who =
    app.role === 'instructor'
      ? app.classCode
        ? `Class ${app.classCode} · instructor`
        : 'What if? A sandbox forked from a replay'
      : app.node !== null
        ? `You are node ${nodeName(app.node)}${app.nickname ? ` (${app.nickname})` : ''}`
        : 'Waiting for a seat';
  const phase = { setup: 'waiting to start', running: 'running', paused: 'paused', ended: 'over' }[r.phase];
  const conn = app.connection === 'reconnecting' ? ' · reconnecting…' : '';
  return `${who} · ${PROTOCOL_TITLES[r.protocol]}, ${r.nodes} nodes · round ${phase} · tick ${r.tick} · ${r.speed}×${conn}`;
}

export function isNodeView(view: unknown): view is NodeView {
  return typeof view === 'object' && view !== null && (view as { kind?: string }).kind === 'node';
}
