/**
 * One budget of requests per address: joins, class creation and both round routes draw on it, so
 * that guessing a key is as slow as guessing a join code. Each socket test runs a server of its own
 * with a tight budget (one server at a time: a process holds one).
 */
import { describe, expect, it } from 'vitest';
import { JoinLimiter } from '../../server/registry';
import { createClass, sdk, startTestServer, type TestServer } from './helpers';

/** Runs `body` against a server whose join limiter allows `burst` requests and earns almost nothing back. */
async function withTightLimit<T>(burst: number, body: (server: TestServer) => Promise<T>): Promise<T> {
  const tight = await startTestServer({ joinBurst: burst, joinPerSecond: 0.001 });
  try {
    return await body(tight);
  } finally {
    await tight.stop();
  }
}

describe('the join limiter', () => {
  it('allows a burst per address, then earns requests back at its rate', () => {
    let now = 0;
    const limiter = new JoinLimiter(3, 2, () => now);
    expect([1, 2, 3, 4].map(() => limiter.allow('a'))).toEqual([true, true, true, false]);
    // Another address has its own budget.
    expect(limiter.allow('b')).toBe(true);
    now += 499;
    expect(limiter.allow('a')).toBe(false);
    now += 1;
    expect(limiter.allow('a')).toBe(true);
    expect(limiter.allow('a')).toBe(false);
    // Never more than the burst, however long the wait.
    now += 60_000;
    expect([1, 2, 3, 4].map(() => limiter.allow('a'))).toEqual([true, true, true, false]);
  });
});

describe('per address, over the network', () => {
  it('limits join attempts', async () => {
    const errors = await withTightLimit(5, async (server) => {
      const out: string[] = [];
      for (let i = 0; i < 8; i++) {
        await sdk(server.url)
          .join('classroom', { code: 'ZZZZZZ', nickname: `n${i}` })
          .catch((e: Error) => out.push(e.message));
      }
      return out;
    });
    expect(errors.filter((e) => /No class is running/.test(e))).toHaveLength(5);
    expect(errors.filter((e) => /Too many join attempts/.test(e))).toHaveLength(3);
  });

  it('a burst of wrong-key guesses at GET /api/rounds ends in 429s, for the right key too', async () => {
    const statuses = await withTightLimit(9, async (server) => {
      const { code, instructorKey } = await createClass(server.url);
      const out: number[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': `guess-${i}-of-the-key` } });
        out.push(res.status);
        if (res.status === 429) expect(((await res.json()) as { error: string }).error).toMatch(/Too many requests/);
      }
      out.push((await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': instructorKey } })).status);
      return out;
    });
    // The class's creation took one request of the nine.
    expect(statuses).toEqual([...Array<number>(8).fill(403), ...Array<number>(13).fill(429)]);
  });

  it('GET /api/rounds/:id and instructor joins draw on the same budget', async () => {
    const answers = await withTightLimit(5, async (server) => {
      const { code } = await createClass(server.url);
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
