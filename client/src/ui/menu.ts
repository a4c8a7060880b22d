/** The menu: play solo, join a class, host a class, replays. Plain DOM, so it shows before Phaser loads. */
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, MAX_CLASS_TITLE_LENGTH } from '../../../shared/wire/messages';
import { normalizeNickname } from '../../../shared/wire/nickname';
import { DEFAULT_PROTOCOL } from '../../../shared/protocols';
import type { App } from '../app';
import { protocolOptions } from '../describe';
import { h, byId } from './dom';
import { classesHostedInThisTab } from '../hostedClasses';
import { learnCard } from './lessons';

/** What is wrong with a typed join code, or null; codes are case-insensitive. */
export function codeProblem(raw: string): string | null {
  const code = raw.trim().toUpperCase();
  if (code.length === 0) return 'Type the join code your instructor shows.';
  if (code.length !== JOIN_CODE_LENGTH) return `A join code has ${JOIN_CODE_LENGTH} characters.`;
  const bad = [...code].find((c) => !JOIN_CODE_ALPHABET.includes(c));
  if (bad) return `A join code has no "${bad}": it uses letters and the digits 2 to 9 only.`;
  return null;
}

/** What is wrong with a typed nickname, or null: the server's own rules, so a refusal shows before joining. */
export function nicknameProblem(raw: string): string | null {
  if (raw.trim().length === 0) return 'Choose a nickname, so your instructor knows which node is yours.';
  const checked = normalizeNickname(raw);
  return checked.ok ? null : checked.error;
}

/** `/join/CODE` opens the menu with the code filled in. */
export function codeFromPath(path: string): string | null {
  const match = /^\/join\/([A-Za-z0-9]{1,12})\/?$/.exec(path);
  return match ? match[1]!.toUpperCase() : null;
}


export interface MenuHooks {
  /** Opens the replays screen; until replays exist, the entry explains that. */
  replays?: () => void;
}

export function buildMenu(app: App, hooks: MenuHooks = {}): void {
  const root = byId('menu');
  /** Runs a form's action with its button busy; a failure's message goes to the form's error line. */
  const attempt = async (button: HTMLButtonElement, errorLine: HTMLElement, action: () => Promise<unknown>): Promise<void> => {
    errorLine.textContent = '';
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      await action();
    } catch (error) {
      errorLine.textContent = (error as Error).message;
    } finally {
      button.disabled = false;
      button.setAttribute('aria-busy', 'false');
    }
  };

  // Solo
  const protocol = h(
    'select',
    { id: 'solo-protocol', name: 'protocol' },
    ...protocolOptions(DEFAULT_PROTOCOL).map((o) => h('option', { value: o.value, selected: o.selected }, o.label)),
  );
  const nodes = h('select', { id: 'solo-nodes', name: 'nodes' }, ...[3, 5, 7].map((n) => h('option', { value: n, selected: n === 5 }, `${n} nodes`)));
  const soloError = h('p', { class: 'error', role: 'alert', id: 'solo-error' });
  const soloButton = h('button', { class: 'primary', type: 'submit', id: 'play-solo' }, 'Play solo');
  const solo = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'solo-title',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        await attempt(soloButton, soloError, () => app.playSolo(protocol.value, Number(nodes.value)));
      },
    },
    h('h2', { id: 'solo-title' }, 'Play solo'),
    h('p', {}, 'You are node A; bots play the others. Answer the messages that reach you and watch where the decision falls.'),
    h('div', { class: 'row' }, h('label', {}, 'Protocol', protocol), h('label', {}, 'Nodes', nodes)),
    soloButton,
    soloError,
  );

  // Join
  const code = h('input', {
    id: 'join-code',
    name: 'code',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    inputmode: 'text',
    placeholder: 'e.g. K7MQ4X',
    'aria-describedby': 'join-error',
  });
  const nickname = h('input', { id: 'join-nickname', name: 'nickname', autocomplete: 'nickname', placeholder: 'Your nickname', 'aria-describedby': 'join-error' });
  const joinError = h('p', { class: 'error', role: 'alert', id: 'join-error' });
  const joinButton = h('button', { class: 'primary', type: 'submit', id: 'join-class' }, 'Join');
  const join = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'join-title',
      novalidate: true,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const problem = codeProblem(code.value) ?? nicknameProblem(nickname.value);
        joinError.textContent = problem ?? '';
        code.setAttribute('aria-invalid', String(codeProblem(code.value) !== null));
        nickname.setAttribute('aria-invalid', String(codeProblem(code.value) === null && problem !== null));
        if (problem) return;
        await attempt(joinButton, joinError, () => app.joinClass(code.value.trim().toUpperCase(), nickname.value.trim()));
      },
    },
    h('h2', { id: 'join-title' }, 'Join a class'),
    h('p', {}, 'Type the code your instructor shows, and a nickname.'),
    h('label', {}, 'Join code', code),
    h('label', {}, 'Nickname', nickname),
    joinButton,
    joinError,
  );

  // Host
  const title = h('input', { id: 'host-title', name: 'title', maxlength: MAX_CLASS_TITLE_LENGTH, placeholder: 'Class name (optional)' });
  const hostError = h('p', { class: 'error', role: 'alert', id: 'host-error' });
  const hostButton = h('button', { type: 'submit', id: 'host-class' }, 'Host a class');
  const host = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'host-title-h',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        await attempt(hostButton, hostError, () => app.hostClass(title.value.trim()));
      },
    },
    h('h2', { id: 'host-title-h' }, 'Host a class'),
    h('p', {}, 'Get a join code for your students, set up rounds, and inject crashes, drops and partitions live.'),
    h('label', {}, 'Class name', title),
    hostButton,
    ...classesHostedInThisTab().slice(-3).reverse().map(({ code: hosted, instructorKey: key }) =>
      h(
        'button',
        {
          type: 'button',
          class: 'rejoin',
          onclick: async () => {
            hostError.textContent = '';
            try {
              await app.rejoinClass(hosted, key);
            } catch (error) {
              hostError.textContent = (error as Error).message;
            }
          },
        },
        `Back to class ${hosted}`,
      ),
    ),
    hostError,
  );

  // Replays
  const replaysNote = h('p', { id: 'replays-note', role: 'status' });
  const replays = h(
    'div',
    { class: 'card', 'aria-labelledby': 'replays-title' },
    h('h2', { id: 'replays-title' }, 'Replays'),
    h('p', {}, 'Review a finished round step by step, through any node’s eyes.'),
    h(
      'button',
      {
        type: 'button',
        id: 'open-replays',
        onclick: () => {
          if (hooks.replays) hooks.replays();
          else replaysNote.textContent = 'Replays are not available in this version yet.';
        },
      },
      'Replays',
    ),
    replaysNote,
  );

  const prefilled = codeFromPath(location.pathname);
  if (prefilled) {
    // A student's link to a class opens a page that only joins it, as a class expects: no solo
    // play or hosting to wander into while the instructor waits.
    code.value = prefilled;
    root.replaceChildren(
      h('h2', { id: 'menu-title', class: 'sr-only' }, 'Join a class'),
      h('div', { class: 'cards join-only' }, join),
      h('p', { class: 'tagline' }, h('a', { href: '/', id: 'whole-menu' }, 'Not joining a class? Open the menu.')),
    );
    nickname.focus();
    return;
  }
  root.replaceChildren(
    h('h2', { id: 'menu-title', class: 'sr-only' }, 'Menu'),
    h('p', { class: 'tagline' }, 'Be a node. Reach consensus. Find out when it was decided, and who knew.'),
    h('div', { class: 'cards' }, solo, learnCard(app), join, host, replays),
  );
}
