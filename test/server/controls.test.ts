/**
 * The round controls over real sockets: what an instructor sends reaches the room, and what the room
 * does reaches everyone. The rules of each control are tested on the room core (test/server/core/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodView, RoundDocument } from '../../shared';
import { createClass, joinInstructor, joinStudent, sdk, startTestServer, until, type Player, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ tickMs: 50 });
});
afterAll(async () => {
  await server.stop();
});

const god = (p: Player): GodView => p.lastView!.view as GodView;

async function classWithTeacher(setup: object): Promise<{ code: string; instructorKey: string; teacher: Player }> {
  const { code, instructorKey } = await createClass(server.url);
  const teacher = await joinInstructor(server.url, code, instructorKey);
  teacher.send('setup', setup);
  await until(() => teacher.got.view.length > 1, 'setup view');
  return { code, instructorKey, teacher };
}

async function roundDoc(id: string): Promise<RoundDocument> {
  return (await (await fetch(`${server.url}/api/rounds/${id}`)).json()) as RoundDocument;
}

describe('instructor controls over the network', () => {
  it('start, pause, a single step, a fault, resume at a new speed, the end and the next round reach the instructor and the students', async () => {
    const { code, teacher } = await classWithTeacher({ protocol: 'paxos', nodes: 5, studentSeats: [0], latencyMin: 20, latencyMax: 30 });
    const ann = await joinStudent(server.url, code, 'Ann');
    await until(() => ann.got.welcome.length > 0, 'seated');
    teacher.send('start', {});
    await until(() => teacher.lastView?.round.phase === 'running' && god(teacher).now >= 2, 'running');
    const roundId = teacher.lastView!.round.id!;
    expect(roundId).toBeTruthy();

    teacher.send('pause', {});
    await until(() => teacher.lastView?.round.phase === 'paused' && ann.lastView?.round.phase === 'paused', 'paused');
    const pausedAt = god(teacher).now;
    teacher.send('stepOnce', {});
    await until(() => god(teacher).now === pausedAt + 1, 'one step');
    teacher.send('inject', { command: { type: 'crash', node: 4 } });
    await until(() => god(teacher).nodes[4]!.crashed, 'crash');
    // The engine refuses what is impossible, with its own words.
    teacher.send('inject', { command: { type: 'drop', id: 999_999 } });
    await until(() => teacher.got.rejected.length > 0, 'refusal');
    expect(teacher.got.rejected.at(-1)).toMatchObject({ code: 'no-such-message' });

    teacher.send('speed', { speed: 8 });
    teacher.send('resume', {});
    await until(() => teacher.lastView?.round.phase === 'running' && teacher.lastView.round.speed === 8, 'resumed at 8x');
    await until(() => god(teacher).now >= pausedAt + 10, 'the clock at 8x');

    teacher.send('endRound', {});
    await until(() => teacher.got.reveal.length > 0 && ann.got.reveal.length > 0, 'reveal');
    const doc = await roundDoc(roundId);
    expect(doc.log.filter((c) => c.type === 'crash')).toEqual([{ type: 'crash', node: 4 }]);
    expect(doc.meta.players).toEqual([{ node: 0, nickname: 'Ann' }]);

    teacher.send('nextRound', {});
    await until(() => teacher.lastView?.round.phase === 'setup' && teacher.lastView.round.id === null && ann.lastView?.round.phase === 'setup', 'next round');
    for (const p of [teacher, ann]) await p.leave();
  });

  it('closes the class: everyone is told, the code stops working, the rounds stay readable with the key', async () => {
    const { code, instructorKey, teacher } = await classWithTeacher({ protocol: '2pc', nodes: 3 });
    const stu = await joinStudent(server.url, code, 'Stu');
    await until(() => stu.got.welcome.length > 0, 'seated');
    teacher.send('start', {});
    await until(() => teacher.lastView?.round.phase === 'running', 'running');
    const roundId = teacher.lastView!.round.id!;
    teacher.send('closeClass', {});
    await until(() => stu.got.closed.length > 0 && teacher.got.closed.length > 0, 'closed');
    await until(() => stu.left !== null && teacher.left !== null, 'disconnected');
    await expect(sdk(server.url).join('classroom', { code, nickname: 'Late' })).rejects.toThrow(/No class is running/);

    const list = await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': instructorKey } });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { rounds: { id: string; state: string }[] };
    expect(body.rounds.map((r) => r.id)).toContain(roundId);
    expect(body.rounds.find((r) => r.id === roundId)!.state).toBe('finished');
    expect((await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': 'wrong' } })).status).toBe(403);
    expect((await fetch(`${server.url}/api/rounds?class=${code}`)).status).toBe(403);
    expect((await fetch(`${server.url}/api/rounds/nope`)).status).toBe(404);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });
});
