import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '../../shared/wire/messages';
import { createClass, joinInstructor, joinStudent, sdk, startTestServer, until, type Player, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ reconnectSeconds: 1 });
});
afterAll(async () => {
  await server.stop();
});

async function joinError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the join succeeded');
}

describe('classes and join codes', () => {
  it('creates a class with a 6-character code from the unambiguous alphabet and a secret key', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { code, instructorKey } = await createClass(server.url);
      expect(code).toHaveLength(JOIN_CODE_LENGTH);
      for (const ch of code) expect(JOIN_CODE_ALPHABET).toContain(ch);
      expect(instructorKey.length).toBeGreaterThanOrEqual(16);
      codes.add(code);
    }
    expect(codes.size).toBe(5);
    const bad = await fetch(`${server.url}/api/classes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 5 }) });
    expect(bad.status).toBe(400);
  });

  it('lets a student join by code (any letter case) and welcomes them with a node', async () => {
    const { code } = await createClass(server.url);
    const ada = await joinStudent(server.url, code.toLowerCase(), 'Ada');
    await until(() => ada.got.welcome.length > 0 && ada.got.view.length > 0, 'welcome and view');
    expect(ada.got.welcome[0]).toMatchObject({ role: 'student', node: 0, nickname: 'Ada', classCode: code });
    expect(ada.lastView!.view.kind).toBe('node');
    expect(ada.lastView!.round.phase).toBe('setup');
    await ada.leave();
  });

  it('refuses a wrong code with a clear error', async () => {
    const message = await joinError(sdk(server.url).join('classroom', { code: 'ZZZZZZ', nickname: 'Bo' }));
    expect(message).toMatch(/No class is running with the code ZZZZZZ/);
    const malformed = await joinError(sdk(server.url).join('classroom', { code: 'AB', nickname: 'Bo' }));
    expect(malformed).toMatch(/code must be 6 to 6 characters/);
  });

  it('refuses a wrong instructor key, and a create that does not come from the API', async () => {
    const { code } = await createClass(server.url);
    expect(await joinError(sdk(server.url).join('classroom', { code, instructorKey: 'not-the-key' }))).toMatch(/not the instructor key/);
    expect(await joinError(sdk(server.url).create('classroom', { code, nickname: 'Eve' }))).toMatch(/created with POST \/api\/classes/);
  });

  it('applies the nickname rules: 1 to 24 characters after trimming, unique in the class', async () => {
    const { code } = await createClass(server.url);
    expect(await joinError(sdk(server.url).join('classroom', { code, nickname: '    ' }))).toMatch(/nickname is 1 to 24/);
    expect(await joinError(sdk(server.url).join('classroom', { code, nickname: 'x'.repeat(25) }))).toMatch(/nickname is at most 24 characters \(this one has 25\)/);
    const ok = await joinStudent(server.url, code, '  ' + 'y'.repeat(24) + '  ');
    await until(() => ok.got.welcome.length > 0, 'welcome');
    expect(ok.got.welcome[0]!.nickname).toBe('y'.repeat(24));
    const grace = await joinStudent(server.url, code, 'Grace');
    expect(await joinError(sdk(server.url).join('classroom', { code, nickname: 'grace' }))).toMatch(/already taken/);
    await ok.leave();
    await grace.leave();
  });
});

describe('seats', () => {
  it('gives students free bot seats, starts a second group when the first is full, and hands a seat back after the reconnection window', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    await until(() => teacher.got.roster.length > 0, 'roster');
    expect(teacher.got.roster.at(-1)!.seats.every((s) => s.holder === 'bot')).toBe(true);
    teacher.send('setup', { protocol: 'majority', nodes: 5, studentSeats: [1, 3] });
    await until(() => teacher.lastView?.round.protocol === 'majority', 'setup applied');

    const players: Player[] = [];
    for (const name of ['A1', 'B2', 'C3']) players.push(await joinStudent(server.url, code, name));
    await until(() => players.every((p) => p.got.welcome.length > 0), 'welcomes');
    expect(players.map((p) => [p.got.welcome[0]!.group, p.got.welcome[0]!.node])).toEqual([[1, 1], [1, 3], [2, 1]]);
    await until(() => teacher.got.roster.at(-1)!.students.length === 3, 'roster of 3');
    const seats = teacher.got.roster.at(-1)!.seats;
    expect(teacher.got.roster.at(-1)!.group).toBe(1);
    expect(seats.map((s) => s.holder)).toEqual(['bot', 'student', 'bot', 'student', 'bot']);
    await until(() => (teacher.got.groups.at(-1)?.groups.length ?? 0) === 2, 'two groups');
    expect(teacher.got.groups.at(-1)!.groups[1]!.seats.map((s) => s.nickname)).toEqual([null, 'C3', null, null, null]);

    // A1 drops: the seat stays theirs during the window, then goes back to a bot.
    players[0]!.room.connection.close(4999 as never);
    await until(() => teacher.got.roster.at(-1)!.students.some((s) => s.nickname === 'A1' && !s.connected), 'A1 disconnected');
    expect(teacher.got.roster.at(-1)!.seats[1]!.nickname).toBe('A1');
    await until(() => teacher.got.roster.at(-1)!.seats[1]!.holder === 'bot', 'A1 seat back to a bot', 5000);
    expect(teacher.got.roster.at(-1)!.students.map((s) => s.nickname).sort()).toEqual(['B2', 'C3']);
    for (const p of [teacher, ...players.slice(1)]) await p.leave();
  });

  it('disconnects a kicked student with the reason, and no one else', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    const kim = await joinStudent(server.url, code, 'Kim');
    const lee = await joinStudent(server.url, code, 'Lee');
    await until(() => kim.got.welcome.length > 0 && lee.got.welcome.length > 0, 'welcomes');
    teacher.send('kick', { nickname: 'Lee', reason: 'Phones away, please.' });
    await until(() => lee.left !== null, 'Lee disconnected');
    expect(lee.left).toBe(4003);
    expect(lee.got.kicked).toEqual([{ reason: 'Phones away, please.' }]);
    await until(() => teacher.got.roster.at(-1)!.students.length === 1, 'roster without Lee');
    expect(teacher.got.roster.at(-1)!.seats[1]!.holder).toBe('bot');
    // Kim is still served.
    teacher.send('moveStudent', { nickname: 'kim', seat: 4 });
    await until(() => kim.got.welcome.some((w) => w.node === 4), 'Kim moved');
    expect(kim.left).toBeNull();
    await kim.leave();
    await teacher.leave();
  });
});
