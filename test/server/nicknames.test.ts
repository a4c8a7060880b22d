import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClass, joinInstructor, joinStudent, sdk, startTestServer, until, type Player, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ reconnectSeconds: 30 });
});
afterAll(async () => {
  await server.stop();
});

async function joinError(code: string, nickname: string): Promise<string> {
  try {
    const room = await sdk(server.url).join('classroom', { code, nickname });
    await room.leave();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`"${nickname}" joined`);
}

async function seated(url: string, code: string, nickname: string): Promise<Player> {
  const player = await joinStudent(url, code, nickname);
  await until(() => player.got.welcome.length > 0, `${nickname} welcomed`);
  return player;
}

describe('nicknames', () => {
  it('are refused with a reason when they hold control, invisible, private-use or broken characters', async () => {
    const { code } = await createClass(server.url);
    expect(await joinError(code, 'Ada\u0000')).toMatch(/control characters such as line breaks, tabs or NUL \(it holds U\+0000\)/);
    expect(await joinError(code, 'Ada\nLovelace')).toMatch(/control characters/);
    expect(await joinError(code, 'A\u200bda')).toMatch(/invisible characters.*zero-width space/);
    expect(await joinError(code, '\u202eadA')).toMatch(/bidirectional override/);
    expect(await joinError(code, '\u2066Ada\u2069')).toMatch(/bidirectional isolate/);
    expect(await joinError(code, '\u3164')).toMatch(/Hangul filler/);
    expect(await joinError(code, 'Ada\ue000')).toMatch(/private-use/);
    expect(await joinError(code, 'Ada\u0378')).toMatch(/not assigned/);
    expect(await joinError(code, 'x'.repeat(25))).toBe('A nickname is at most 24 characters (this one has 25).');
    expect(server.registry.classes.has(code)).toBe(true);
  });

  it('are stored and shown normalized (NFKC, trimmed)', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    const ada = await seated(server.url, code, '  Ａｄａ\u00a0 King ');
    expect(ada.got.welcome[0]!.nickname).toBe('Ada King');
    await until(() => teacher.got.roster.at(-1)?.students.some((s) => s.nickname === 'Ada King') ?? false, 'roster');
    for (const p of [teacher, ada]) await p.leave();
  });

  it('cannot be a look-alike of another student\'s, and a look-alike does not take a dropped student\'s node', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    const alice = await seated(server.url, code, 'Alice');
    const node = alice.got.welcome[0]!.node;
    for (const lookalike of ['\u0410lice', 'ALICE', 'A1ice', 'AIice', 'Ａlice', 'Alicé']) {
      expect(await joinError(code, lookalike)).toMatch(/is already taken in this class/);
    }

    // Alice's connection drops: her seat waits for her. Someone typing a look-alike of her name does not get it…
    alice.room.connection.close(4999 as never);
    await until(() => teacher.got.roster.at(-1)!.students.some((s) => s.nickname === 'Alice' && !s.connected), 'Alice away');
    expect(await joinError(code, '\u0410lice')).toMatch(/already taken/);
    expect(await joinError(code, 'A1ice')).toMatch(/already taken/);
    // …but Alice, typing her name again (in any case), does.
    const back = await seated(server.url, code, 'alice');
    expect(back.got.welcome[0]).toMatchObject({ node, nickname: 'Alice' });
    await until(() => teacher.got.roster.at(-1)!.students.some((s) => s.nickname === 'Alice' && s.connected), 'Alice back');
    expect(teacher.got.roster.at(-1)!.students).toHaveLength(1);
    for (const p of [teacher, back]) await p.leave();
  });
});
