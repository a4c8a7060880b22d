import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientMessages, type ServerMessages } from '../../shared/wire/messages';

const ROOT = resolve(import.meta.dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'PROTOCOL.md'), 'utf8');

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

  it('documents the rooms and the HTTP API', () => {
    for (const text of ['### `classroom`', '### `solo`', 'POST /api/classes', 'GET /api/rounds?class=CODE', 'GET /api/rounds/:id', 'GET /health', 'x-instructor-key']) {
      expect(doc).toContain(text);
    }
  });
});
