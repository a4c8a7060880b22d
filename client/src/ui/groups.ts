/**
 * The instructor's view of a class of groups: which group the dashboard shows, every group's phase,
 * students, outcome and hold-ups, whether the controls act on the group shown or on every group, and
 * the link that opens the projector view in a second window.
 */
import type { App } from '../app';
import { groupCards } from '../groups';
import { screenPath } from '../projector';
import { h, replaceChildren } from './dom';

/** "Networks 101 (K7MQ4X)", or "Class K7MQ4X" when the class has no title. */
export function classLabel(title: string | null, code: string): string {
  return title ? `${title} (${code})` : `Class ${code}`;
}

/**
 * Opens the projector view of a class in its own window (one per class: a second click brings the
 * same window back). The link works without script too, and from the keyboard.
 */
export function projectorLink(code: string, id = 'projector-link'): HTMLAnchorElement {
  const url = screenPath(code);
  const name = `quorum-screen-${code}`;
  return h(
    'a',
    {
      href: url,
      target: name,
      class: 'button-link',
      id,
      'data-key': id,
      onclick: (e: Event) => {
        const opened = window.open(url, name, 'popup,width=1280,height=800');
        if (opened) e.preventDefault();
      },
    },
    'Projector view',
  );
}

/** The groups section of the dashboard: the selector, each group's state and hold-ups, and "this group only". */
export function renderGroups(app: App, root: HTMLElement): void {
  // A "what if" fork of a replay has no class, and so no groups.
  root.hidden = app.classCode === null;
  if (root.hidden) return;
  const cards = app.groups ? groupCards(app.groups) : [];
  const shown = app.group;
  const scope = app.groupOnly && shown !== null ? `Start, pause, speed, faults and autopilot act on group ${shown} alone.` : 'Start, pause, speed, faults and autopilot act on every group at once.';
  replaceChildren(
    root,
    h('h3', { id: 'groups-title' }, `Groups (${cards.length})`),
    h(
      'label',
      { class: 'inline' },
      h('input', {
        type: 'checkbox',
        id: 'group-only',
        'data-key': 'group-only',
        checked: app.groupOnly,
        'aria-describedby': 'group-scope',
        onchange: (e: Event) => app.setGroupOnly((e.target as HTMLInputElement).checked),
      }),
      shown !== null ? `This group only (group ${shown})` : 'This group only',
    ),
    h('p', { class: 'hint', id: 'group-scope' }, `${scope} Faults on a message in flight and seat moves always act on the group shown.`),
    cards.length === 0
      ? h('p', { class: 'muted' }, 'No group yet: groups form as students join.')
      : h(
          'ul',
          { class: 'groups', 'aria-labelledby': 'groups-title', id: 'groups-list' },
          ...cards.map((card) =>
            h(
              'li',
              { 'data-group': card.group, class: card.holdUps.length > 0 ? 'held-up' : '' },
              h(
                'button',
                {
                  type: 'button',
                  'data-key': `group-${card.group}`,
                  'aria-pressed': String(card.group === shown),
                  'aria-label': `Show group ${card.group}`,
                  onclick: () => app.selectGroup(card.group),
                },
                `Group ${card.group}`,
              ),
              h('span', { class: 'group-state' }, `${card.phaseText} · tick ${card.tick} · ${card.students} student${card.students === 1 ? '' : 's'}`),
              card.outcome ? h('span', { class: 'group-outcome' }, card.outcome) : null,
              card.holdUps.length > 0 ? h('ul', { class: 'holdups', 'aria-label': `Hold-ups in group ${card.group}` }, ...card.holdUps.map((t) => h('li', {}, t))) : null,
            ),
          ),
        ),
  );
}
