/**
 * The server's layout holds: the room core knows nothing of Colyseus or of the machine it runs on
 * (time, randomness, the store and the network come to it as parameters and effects), and only
 * server/gate.ts reaches into Colyseus's internals.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVER = resolve(import.meta.dirname, '..', '..', 'server');
const source = (path: string): string => readFileSync(join(SERVER, path), 'utf8');

describe('the server layout', () => {
  it('the room core imports only the engine, the wire contract and itself, and reads no clock, timer or randomness of its own', () => {
    const files = readdirSync(join(SERVER, 'core')).filter((f) => f.endsWith('.ts'));
    expect(files).toEqual(expect.arrayContaining(['room.ts', 'cluster.ts', 'round.ts', 'effects.ts', 'services.ts']));
    for (const file of files) {
      const text = source(join('core', file));
      for (const [, what, from] of text.matchAll(/^import (type )?.*? from '([^']+)';$/gms)) {
        const allowed = from!.startsWith('../../shared/') || from === '../../shared' || from!.startsWith('./') || (what === 'type ' && ['../forkJob', '../config'].includes(from!));
        expect(allowed, `server/core/${file} imports ${from}`).toBe(true);
      }
      expect(text, file).not.toMatch(/\b(Date\.now|new Date|Math\.random|performance\.now|setTimeout|setInterval|process\.)/);
    }
  });

  it('only server/gate.ts reaches into Colyseus\'s private message handling', () => {
    const files = (readdirSync(SERVER, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files.filter((f) => source(f).includes('_onMessage'))).toEqual(['gate.ts']);
  });
});
