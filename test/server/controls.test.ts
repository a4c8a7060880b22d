import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodView, NodeView, RoundDocument } from '../../shared';
import { createClass, joinInstructor, joinStudent, sdk, sleep, startTestServer, until, type Player, type TestServer } from './helpers';

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

describe('instructor controls', () => {
  it('starts, pauses, single-steps, resumes, changes speed, injects faults and ends the round; each inject is in the log', async () => {
    const { teacher } = await classWithTeacher({ protocol: 'paxos', nodes: 5, studentSeats: [], latencyMin: 20, latencyMax: 30 });
    teacher.send('start', {});
    await until(() => teacher.lastView?.round.phase === 'running' && god(teacher).now >= 2, 'running');
    const roundId = teacher.lastView!.round.id!;
    expect(roundId).toBeTruthy();

    teacher.send('pause', {});
    await until(() => teacher.lastView?.round.phase === 'paused', 'paused');
    const pausedAt = god(teacher).now;
    await sleep(200);
    expect(god(teacher).now).toBe(pausedAt);
    teacher.send('stepOnce', {});
    await until(() => god(teacher).now === pausedAt + 1, 'one step');
    await sleep(150);
    expect(god(teacher).now).toBe(pausedAt + 1);

    // Faults, while paused so that the messages stay put.
    await until(() => god(teacher).inFlight.length >= 2, 'messages in flight', 1000).catch(async () => {
      teacher.send('inject', { command: { type: 'propose', node: 2, decree: 'Z' } });
      await until(() => god(teacher).inFlight.length >= 2 || god(teacher).proposed.includes('Z'), 'proposal');
    });
    teacher.send('inject', { command: { type: 'crash', node: 4 } });
    await until(() => god(teacher).nodes[4]!.crashed, 'crash');
    teacher.send('inject', { command: { type: 'recover', node: 4 } });
    await until(() => !god(teacher).nodes[4]!.crashed, 'recover');
    teacher.send('inject', { command: { type: 'partition', groups: [[0, 1], [2, 3, 4]] } });
    await until(() => god(teacher).partition !== null, 'partition');
    teacher.send('inject', { command: { type: 'heal' } });
    await until(() => god(teacher).partition === null, 'heal');
    teacher.send('inject', { command: { type: 'propose', node: 1, decree: 'W' } });
    await until(() => god(teacher).proposed.includes('W'), 'propose');
    await until(() => god(teacher).inFlight.length >= 1, 'something in flight', 2000).catch(() => {
      teacher.send('stepOnce', {});
    });
    const inFlight = god(teacher).inFlight;
    if (inFlight.length > 0) {
      const first = inFlight[0]!;
      teacher.send('inject', { command: { type: 'delay', id: first.id, ticks: 5 } });
      await until(() => god(teacher).inFlight.find((m) => m.id === first.id)?.deliverAt === first.deliverAt + 5, 'delay');
      teacher.send('inject', { command: { type: 'duplicate', id: first.id } });
      await until(() => god(teacher).inFlight.length === inFlight.length + 1, 'duplicate');
      teacher.send('inject', { command: { type: 'drop', id: first.id } });
      await until(() => !god(teacher).inFlight.some((m) => m.id === first.id), 'drop');
      const next = god(teacher).inFlight[0]!;
      teacher.send('inject', { command: { type: 'deliver', id: next.id } });
      await until(() => !god(teacher).inFlight.some((m) => m.id === next.id), 'deliver');
    }
    // The engine refuses what is impossible, with its own words.
    teacher.send('inject', { command: { type: 'drop', id: 999_999 } });
    await until(() => teacher.got.rejected.length > 0, 'refusal');
    expect(teacher.got.rejected.at(-1)).toMatchObject({ code: 'no-such-message' });
    expect(teacher.got.rejected.at(-1)!.message).toMatch(/not in flight/);

    teacher.send('speed', { speed: 8 });
    teacher.send('resume', {});
    await until(() => teacher.lastView?.round.phase === 'running' && teacher.lastView.round.speed === 8, 'resumed at 8x');
    const t0 = god(teacher).now;
    await sleep(500);
    // 50 ms per tick at 1x is 6.25 ms at 8x, but the room clock moves in 50 ms steps: well over 5 ticks either way.
    expect(god(teacher).now - t0).toBeGreaterThan(5);
    teacher.send('speed', { speed: 9 });
    await until(() => teacher.got.rejected.at(-1)?.code === 'bad-message', 'speed out of range');

    teacher.send('endRound', {});
    await until(() => teacher.got.reveal.length > 0, 'reveal');
    const doc = await roundDoc(roundId);
    const injected = doc.log.filter((c) => !['tick', 'act'].includes(c.type)).map((c) => c.type);
    expect(injected).toEqual(expect.arrayContaining(['crash', 'recover', 'partition', 'heal', 'propose']));
    if (inFlight.length > 0) expect(injected).toEqual(expect.arrayContaining(['delay', 'duplicate', 'drop', 'deliver']));

    teacher.send('nextRound', {});
    await until(() => teacher.lastView?.round.phase === 'setup' && teacher.lastView.round.id === null, 'next round');
    await teacher.leave();
  });

  it('autopilot and the decision deadline make an idle student play as a bot would', async () => {
    const { code, teacher } = await classWithTeacher({ protocol: 'majority', nodes: 3, studentSeats: [0, 1, 2], decrees: ['X'], decisionDeadline: 0 });
    const idle = await joinStudent(server.url, code, 'Idle');
    const sleepy = await joinStudent(server.url, code, 'Sleepy');
    await until(() => idle.got.welcome.length > 0 && sleepy.got.welcome.length > 0, 'seated');
    teacher.send('autopilot', { node: 0, on: true });
    await until(() => teacher.got.roster.at(-1)!.seats[0]!.autopilot, 'autopilot on');
    teacher.send('start', {});
    // A client asks node 0 itself, so that it has a candidate whoever got the opening request.
    await until(() => teacher.lastView?.round.phase === 'running', 'running');
    teacher.send('inject', { command: { type: 'propose', node: 0, decree: 'X' } });
    const votes = () => god(teacher).global.boxes.flatMap((b) => b.voters);
    await until(() => votes().includes(0), 'autopilot vote');
    await sleep(300);
    // Without a deadline, an idle student's node (1) never votes by itself.
    expect(votes()).not.toContain(1);
    teacher.send('endRound', {});
    await until(() => teacher.got.reveal.length > 0, 'reveal');

    teacher.send('setup', { protocol: 'majority', nodes: 3, decrees: ['X'], decisionDeadline: 4 });
    await until(() => teacher.lastView?.round.phase === 'setup', 'setup');
    teacher.send('autopilot', { node: 0, on: false });
    teacher.send('start', {});
    // Neither student sends anything, yet their nodes vote once the deadline passes.
    await until(() => votes().includes(0) || votes().includes(1), 'a deadline vote', 10_000);
    expect(idle.got.accepted.length + sleepy.got.accepted.length).toBe(0);
    for (const p of [teacher, idle, sleepy]) await p.leave();
  });

  it('sandbox mode accepts a rule-breaking action and records the violation', async () => {
    const { code, teacher } = await classWithTeacher({ protocol: 'majority', nodes: 3, studentSeats: [0], decrees: ['X', 'Y'], sandbox: true });
    const rebel = await joinStudent(server.url, code, 'Rebel');
    await until(() => rebel.got.welcome.length > 0, 'seated');
    teacher.send('start', {});
    await until(() => teacher.lastView?.round.phase === 'running', 'running');
    const legalVote = () => (rebel.lastView!.view as NodeView).legal.find((a) => a.kind === 'vote');
    await until(() => legalVote() !== undefined, 'a candidate to vote for');
    const vote = legalVote()!;
    rebel.act(vote);
    await until(() => rebel.got.accepted.length === 1, 'first vote');
    // Voting twice breaks the rule that makes a majority mean something.
    rebel.act(vote);
    await until(() => rebel.got.accepted.length === 2 || rebel.got.rejected.length > 0, 'second vote');
    expect(rebel.got.rejected).toHaveLength(0);
    await until(() => god(teacher).global.violations.length > 0, 'violation recorded');
    expect(god(teacher).global.violations[0]!.node).toBe(0);

    // Outside sandbox mode the same move is refused with the engine's explanation.
    teacher.send('endRound', {});
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0], decrees: ['X', 'Y'], sandbox: false });
    await until(() => teacher.lastView?.round.phase === 'setup' && !god(teacher).config.settings.sandbox, 'strict round');
    teacher.send('start', {});
    await until(() => rebel.lastView?.round.phase === 'running', 'running');
    await until(() => legalVote() !== undefined, 'a candidate to vote for');
    const again = legalVote()!;
    rebel.act(again);
    await until(() => rebel.got.accepted.length === 3, 'vote');
    rebel.act(again);
    await until(() => rebel.got.rejected.length > 0, 'refusal');
    expect(rebel.got.rejected[0]!.seq).toBe(rebel.seq);
    expect(rebel.got.rejected[0]!.message.length).toBeGreaterThan(20);
    for (const p of [teacher, rebel]) await p.leave();
  });

  it('derives the timeout from the latency, takes one the setup names, and refuses one shorter than a round trip', async () => {
    const { teacher } = await classWithTeacher({ protocol: 'paxos', nodes: 5, studentSeats: [], latencyMin: 20, latencyMax: 100 });
    expect(god(teacher).config.settings.timeoutTicks).toBe(400);
    teacher.send('setup', { protocol: 'paxos', nodes: 5, timeoutTicks: 250 });
    await until(() => god(teacher).config.settings.timeoutTicks === 250, 'the named timeout');
    teacher.send('setup', { protocol: 'paxos', nodes: 5, timeoutTicks: 120 });
    await until(() => teacher.got.rejected.length > 0, 'refusal');
    expect(teacher.got.rejected[0]).toMatchObject({ code: 'bad-setup' });
    expect(teacher.got.rejected[0]!.message).toContain('shorter than one round trip at the slowest latency (2 × 100 = 200 ticks)');
    await teacher.leave();
  });

  it('ends a split vote only once every vote has arrived, so that each student\'s tally shows the split', async () => {
    const { code, teacher } = await classWithTeacher({ protocol: 'majority', nodes: 3, studentSeats: [0, 1, 2], decrees: ['X', 'Y', 'Z'], latencyMin: 3, latencyMax: 6 });
    const students = await Promise.all(['Xena', 'Yuri', 'Zoe'].map((nickname) => joinStudent(server.url, code, nickname)));
    await until(() => students.every((s) => s.got.welcome.length > 0), 'seated');
    teacher.send('start', {});
    const mine = (s: Player) => s.lastView!.view as NodeView;
    // Each student's node got its own decree from a client: each votes for it, and the vote splits three ways.
    await until(() => students.every((s) => s.lastView?.round.phase === 'running' && (mine(s).self.volatile as { requests: string[] }).requests.length > 0), 'requests');
    for (const s of students) s.act({ kind: 'vote', decree: (mine(s).self.volatile as { requests: string[] }).requests[0] });
    await until(() => teacher.got.reveal.length > 0, 'reveal');
    const reveal = teacher.got.reveal[0]!;
    expect(reveal.god.status.stuck).toBe(true);
    expect(reveal.god.inFlight.filter((m) => m.payload.kind === 'vote')).toEqual([]);
    for (const s of students) {
      await until(() => s.got.reveal.length > 0, 'reveal for students');
      const tally = (mine(s).self.volatile as { tally: Record<string, number[]> }).tally;
      expect(Object.values(tally).flat().sort()).toEqual([0, 1, 2]);
    }
    for (const p of [teacher, ...students]) await p.leave();
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
