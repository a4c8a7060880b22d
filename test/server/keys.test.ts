import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoinLimiter } from '../../server/registry';
import { hashKey, matchesKeyHash, sameSecret } from '../../server/secrets';
import { createClass, sdk, startTestServer, type TestServer } from './helpers';

const SERVER = resolve(import.meta.dirname, '..', '..', 'server');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

/** Runs `body` with a join limiter of `burst` requests that earns almost nothing back. */
async function withTightLimit<T>(burst: number, body: () => Promise<T>): Promise<T> {
  const saved = server.registry.joins;
  server.registry.joins = new JoinLimiter(burst, 0.001, () => performance.now());
  try {
    return await body();
  } finally {
    server.registry.joins = saved;
  }
}

describe('instructor keys', () => {
  it('are compared in constant time: equal digests, whatever the lengths', () => {
    const key = 'k7Qx3-secret-instructor-key';
    expect(sameSecret(key, key)).toBe(true);
    for (const guess of ['', 'k', key.slice(0, -1), `${key}x`, key.toUpperCase(), 'x'.repeat(10_000)]) {
      expect(sameSecret(guess, key)).toBe(false);
    }
    const stored = hashKey(key);
    expect(matchesKeyHash(key, stored)).toBe(true);
    expect(matchesKeyHash(`${key} `, stored)).toBe(false);
    // A damaged stored hash matches nothing and does not throw.
    expect(matchesKeyHash(key, stored.slice(0, 10))).toBe(false);
    expect(matchesKeyHash('', '')).toBe(false);
  });

  it('are never compared with == or != in the server', () => {
    const secret = String.raw`(?:instructorKey|key_hash|keyHash|password|hashKey\([^)]*\))`;
    const plainCompare = new RegExp(String.raw`${secret}\s*[!=]==?|[!=]==?\s*[\w.]*${secret}`, 'i');
    const found: string[] = [];
    for (const file of readdirSync(SERVER).filter((f) => f.endsWith('.ts'))) {
      readFileSync(join(SERVER, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (plainCompare.test(line)) found.push(`server/${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('a burst of wrong-key guesses at GET /api/rounds ends in 429s, for the right key too', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const statuses = await withTightLimit(8, async () => {
      const out: number[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': `guess-${i}-of-the-key` } });
        out.push(res.status);
        if (res.status === 429) expect(((await res.json()) as { error: string }).error).toMatch(/Too many requests/);
      }
      out.push((await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': instructorKey } })).status);
      return out;
    });
    expect(statuses).toEqual([...Array<number>(8).fill(403), ...Array<number>(13).fill(429)]);
    // Once the address may ask again, the right key works.
    expect((await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': instructorKey } })).status).toBe(200);
  });

  it('GET /api/rounds/:id and instructor joins draw on the same budget', async () => {
    const { code } = await createClass(server.url);
    const answers = await withTightLimit(4, async () => {
      const out: (number | string)[] = [];
      for (let i = 0; i < 3; i++) out.push((await fetch(`${server.url}/api/rounds/no-round-${i}`)).status);
      out.push(await sdk(server.url).join('classroom', { code, instructorKey: 'wrong-key-guess' }).then(() => 'joined', (e: Error) => e.message));
      out.push((await fetch(`${server.url}/api/rounds/no-round-9`)).status);
      out.push(await sdk(server.url).join('classroom', { code, instructorKey: 'wrong-key-guess' }).then(() => 'joined', (e: Error) => e.message));
      return out;
    });
    expect(answers.slice(0, 3)).toEqual([404, 404, 404]);
    expect(answers[3]).toMatch(/not the instructor key/);
    expect(answers[4]).toBe(429);
    expect(answers[5]).toMatch(/Too many join attempts/);
  });
});
