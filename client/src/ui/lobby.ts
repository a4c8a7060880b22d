/** The host screen: the join code in large type, the join URL and its QR code, the live roster and seats. */
import qrcode from 'qrcode-generator';
import { nodeName } from '../../../shared/engine/names';
import type { App } from '../app';
import { h, byId, replaceChildren } from './dom';
import { DEFAULT_VALUES, setupForm, toSetupMessage, type SetupValues } from './setup';
import { projectorLink } from './groups';

export function joinUrl(code: string, origin: string = location.origin): string {
  return `${origin}/join/${code}`;
}

/** An SVG QR code for a URL (medium error correction: readable from the back of a classroom). */
export function qrSvg(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize: 6, margin: 2, scalable: true });
}

export class Lobby {
  readonly values: SetupValues = structuredClone(DEFAULT_VALUES);
  private form: HTMLFormElement | null = null;
  private qrFor = '';
  private readonly qr = h('div', { class: 'qr', role: 'img' });
  private readonly roster = h('div', { id: 'lobby-roster' });
  private readonly header = h('div', {});
  private readonly title = h('h2', { id: 'lobby-title' }, 'Your class');

  constructor(private readonly app: App) {}

  render(): void {
    const root = byId('lobby');
    const code = this.app.classCode;
    if (!code) return;
    if (!this.form) {
      // Start from the round the server has set up.
      const round = this.app.round;
      if (round) {
        this.values.protocol = round.protocol;
        this.values.nodes = round.nodes;
        this.values.studentSeats = Array.from({ length: round.nodes }, (_, i) => i);
      }
      this.form = setupForm(this.values, (v) => this.start(v), 'Start the round');
      root.replaceChildren(
        this.title,
        h(
          'div',
          { class: 'lobby-grid' },
          h('div', {}, this.header, this.roster),
          this.qr,
        ),
        this.form,
      );
    }
    const url = joinUrl(code);
    if (this.qrFor !== url) {
      this.qr.innerHTML = qrSvg(url);
      this.qr.setAttribute('aria-label', `QR code for ${url}`);
      this.qrFor = url;
    }
    this.title.textContent = this.app.classTitle || 'Your class';
    const phase = this.app.round?.phase;
    replaceChildren(
      this.header,
      h('p', { class: 'muted' }, 'Students join at'),
      h('p', {}, h('a', { href: url, id: 'join-url' }, url)),
      h('p', { class: 'muted' }, 'with the code'),
      h('p', { class: 'joincode', id: 'join-code-display', 'aria-label': `Join code ${[...code].join(' ')}` }, code),
      h('p', {}, projectorLink(code, 'lobby-projector-link'), h('span', { class: 'hint' }, ' the code, the groups and the results on a second screen, in big type')),
      phase && phase !== 'setup'
        ? h('button', { type: 'button', 'data-key': 'back', onclick: () => ((this.app.screen = 'round'), this.app.changed()) }, 'Back to the round')
        : null,
    );
    const roster = this.app.roster;
    const students = roster?.students ?? [];
    replaceChildren(
      this.roster,
      h('h3', {}, `Students (${students.length})`),
      students.length === 0
        ? h('p', { class: 'muted' }, 'Nobody has joined yet.')
        : h(
            'table',
            { id: 'roster-table' },
            h('thead', {}, h('tr', {}, h('th', {}, 'Nickname'), h('th', {}, 'Group'), h('th', {}, 'Node'), h('th', {}, 'Connected'))),
            h(
              'tbody',
              {},
              ...students.map((s) =>
                h(
                  'tr',
                  {},
                  h('td', {}, s.nickname),
                  h('td', {}, s.group === null ? '—' : String(s.group)),
                  h('td', {}, s.node === null ? 'waiting' : nodeName(s.node)),
                  h('td', {}, s.connected ? 'yes' : 'no'),
                ),
              ),
            ),
          ),
      h(
        'p',
        { class: 'muted', id: 'seats-line' },
        'Seats: ',
        (roster?.seats ?? []).map((s) => `${nodeName(s.node)} ${s.holder === 'student' ? s.nickname : 'bot'}`).join(' · '),
      ),
    );
  }

  private start(values: SetupValues): void {
    const phase = this.app.round?.phase;
    if (phase === 'running' || phase === 'paused') {
      this.app.screen = 'round';
      this.app.changed();
      return;
    }
    this.app.control('setup', toSetupMessage(values));
    this.app.control('start');
  }
}
