import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allProtocols } from '../../shared/protocols';
import { clientMessages, type ServerMessages } from '../../shared/wire/messages';
import { configOf, DEFAULT_SETUP } from '../../server/core/round';
import { RoundStore } from '../../server/store';

const ROOT = resolve(import.meta.dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'PROTOCOL.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

// The compiler checks that this lists every server message type, no more and no less.
const SERVER_MESSAGE_TYPES = {
  welcome: true,
  view: true,
  rejected: true,
  reveal: true,
  roster: true,
  kicked: true,
  closed: true,
  clock: true,
  groups: true,
  comparison: true,
  reportLine: true,
  lesson: true,
} satisfies Record<keyof ServerMessages, true>;

describe('docs/PROTOCOL.md', () => {
  it('documents every client message schema', () => {
    for (const type of Object.keys(clientMessages)) expect(doc, type).toContain(`| \`${type}\` |`);
  });

  it('documents every server message type', () => {
    for (const type of Object.keys(SERVER_MESSAGE_TYPES)) expect(doc, type).toContain(`| \`${type}\` |`);
  });

  it('documents every rejection code the server sends', () => {
    const codes = new Set<string>();
    const files = (readdirSync(join(ROOT, 'server'), { recursive: true }) as string[]).filter((f) => /\.(ts|mjs)$/.test(f));
    expect(files).toContain(join('core', 'room.ts'));
    for (const file of files) {
      const source = readFileSync(join(ROOT, 'server', file), 'utf8');
      for (const match of source.matchAll(/(?:refuse|reject|RefusalError|Refusal)\(\s*'([a-z-]+)'/g)) codes.add(match[1]!);
      for (const match of source.matchAll(/code: '([a-z-]+)'/g)) codes.add(match[1]!);
    }
    expect(codes.size).toBeGreaterThan(10);
    for (const code of codes) expect(doc, code).toContain(`\`${code}\``);
  });

  it('documents every rejection code of the engine and of every protocol, the rules sandbox mode lets a player break included', () => {
    const codes = new Set<string>();
    for (const file of sources(join(ROOT, 'shared'))) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:rejection|ruleBroken)\(\s*'([a-z-]+)'/g)) codes.add(match[1]!);
    }
    for (const protocol of allProtocols()) for (const rule of Object.keys(protocol.ruleTitles)) codes.add(rule);
    // The scan sees the engine's own codes and the protocols' rules, so a missing one below is a real gap.
    for (const code of ['unknown-node', 'no-such-message', 'bad-action', 'not-in-inbox', 'vote-locked', 'promised-higher', 'not-all-yes']) expect(codes.has(code), code).toBe(true);
    const missing = [...codes].filter((code) => !doc.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('documents the rooms and the HTTP API', () => {
    for (const text of ['### `classroom`', '### `solo`', 'POST /api/classes', 'GET /api/rounds?class=CODE', 'GET /api/rounds/:id', 'GET /health', 'x-instructor-key']) {
      expect(doc).toContain(text);
    }
  });

  it("documents every field of a listed round and of a stored round's meta", () => {
    const store = new RoundStore(':memory:');
    const now = '2026-01-01T00:00:00.000Z';
    store.beginRound('r', 'ABCDEF', configOf(DEFAULT_SETUP, 1), [{ node: 0, nickname: 'Ada' }], now, null, 1, 'two-phase-commit');
    store.append('r', { type: 'tick' });
    store.appendRejection('r', { step: 1, node: 0, code: 'not-in-inbox', message: 'no' });
    store.finishRound('r', null, {}, [{ node: 0, nickname: 'Ada' }], now, 'interrupted', { holders: [{ node: 0, nickname: 'Ada', from: 0, to: null }], botMoves: [0] });
    const line = (route: string): string => doc.split('\n').find((l) => l.startsWith(`| \`${route}\` |`)) ?? '';
    for (const key of Object.keys(store.listRounds('ABCDEF')[0]!)) expect(line('GET /api/rounds?class=CODE'), key).toContain(key);
    for (const key of Object.keys(store.roundDocument('r')!.meta)) expect(line('GET /api/rounds/:id'), key).toContain(`\`${key}\``);
    store.close();
  });
});
