import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodView, NodeView } from '../../shared';
import { MAX_CLIENT_MESSAGE_BYTES } from '../../shared/wire/messages';
import { dataFrame } from './frames';
import { createClass, joinInstructor, joinStudent, sdk, sleep, startTestServer, until, type Player, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ tickMs: 50, reconnectSeconds: 5 });
});
afterAll(async () => {
  await server.stop();
});

const god = (p: Player): GodView => p.lastView!.view as GodView;
const raw = (p: Player, frame: Uint8Array): void => p.room.connection.send(frame);

async function expectRejected(p: Player, send: () => void, code: string): Promise<void> {
  const before = p.got.rejected.length;
  send();
  await until(() => p.got.rejected.length > before, `rejected ${code}`);
  // Paced below the flood limit of 30 messages a second.
  await sleep(40);
  expect(p.got.rejected.slice(before).map((r) => r.code)).toEqual([code]);
  expect(p.got.rejected[before]!.message.length).toBeGreaterThan(5);
}

describe('bad input', () => {
  it('answers every bad message with `rejected` to its sender only, keeps it connected, and changes nothing', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0, 1], decrees: ['X'] });
    const mal = await joinStudent(server.url, code, 'Mallory');
    const bob = await joinStudent(server.url, code, 'Bob');
    const seatless = await joinStudent(server.url, code, 'Waiting');
    await until(() => mal.got.welcome.length > 0 && bob.got.welcome.length > 0 && seatless.got.welcome.length > 0, 'joined');
    await until(() => teacher.lastView?.round.protocol === 'majority', 'setup');

    // Before the round starts, an act is refused; each seq is used once whatever happens to it.
    await expectRejected(mal, () => mal.act({ kind: 'vote', decree: 'X' }), 'wrong-phase');
    await expectRejected(seatless, () => seatless.act({ kind: 'vote', decree: 'X' }), 'no-seat');
    teacher.send('start', {});
    await until(() => teacher.lastView?.round.phase === 'running', 'running');
    teacher.send('pause', {});
    await until(() => teacher.lastView?.round.phase === 'paused', 'paused');
    const step = god(teacher).step;
    const teacherRejections = teacher.got.rejected.length;
    const bobRejections = bob.got.rejected.length;

    await expectRejected(mal, () => mal.send('noSuchType', { a: 1 }), 'unknown-type');
    await expectRejected(mal, () => mal.send('x'.repeat(1500)), 'unknown-type');
    await expectRejected(mal, () => mal.send('__proto__', {}), 'unknown-type');
    await expectRejected(mal, () => mal.send('constructor'), 'unknown-type');
    await expectRejected(mal, () => mal.send('act', { seq: 'one', action: { kind: 'vote' } }), 'bad-message');
    await expectRejected(mal, () => mal.send('act', { seq: 50, action: { kind: 'vote', decree: 'X' }, node: 1 }), 'bad-message');
    await expectRejected(mal, () => mal.send('act'), 'bad-message');
    await expectRejected(mal, () => mal.send('act', [1, 2, 3]), 'bad-message');
    await expectRejected(mal, () => mal.send('act', { seq: 51, action: { kind: 'x'.repeat(33) } }), 'bad-message');
    await expectRejected(mal, () => mal.send('act', { seq: 52, action: { kind: 'vote', decree: 7 } }), 'bad-action');
    await expectRejected(mal, () => mal.send('act', { seq: 52, action: { kind: 'vote', decree: 'X' } }), 'stale-seq');
    await expectRejected(mal, () => mal.send('act', { seq: 53, action: { kind: 'vote', decree: 'X' } }), 'wrong-phase');
    for (const type of ['start', 'pause', 'resume', 'stepOnce', 'endRound', 'nextRound', 'closeClass']) {
      await expectRejected(mal, () => mal.send(type, {}), 'not-allowed');
    }
    await expectRejected(mal, () => mal.send('inject', { command: { type: 'crash', node: 1 } }), 'not-allowed');
    await expectRejected(mal, () => mal.send('kick', { nickname: 'Bob', reason: 'ha' }), 'not-allowed');
    await expectRejected(mal, () => mal.send('autopilot', { node: 1, on: true }), 'not-allowed');
    await expectRejected(mal, () => mal.send('speed', { speed: 8 }), 'not-allowed');
    await expectRejected(mal, () => mal.send('setup', { protocol: 'paxos', nodes: 9 }), 'not-allowed');
    await expectRejected(mal, () => raw(mal, new Uint8Array(MAX_CLIENT_MESSAGE_BYTES + 1).fill(13)), 'too-large');
    await expectRejected(mal, () => raw(mal, dataFrame('act', { seq: 60, action: { kind: 'vote', decree: 'X' } }).subarray(0, 12)), 'malformed');
    await expectRejected(mal, () => raw(mal, new Uint8Array([13, 0xd9])), 'malformed');
    await expectRejected(mal, () => raw(mal, new Uint8Array([31, 1, 2, 3])), 'malformed');
    await expectRejected(mal, () => raw(mal, new Uint8Array([21, 1, 3, 0x61, 0x63, 0x74])), 'unsupported');

    // The instructor's own bad commands are refused too, with the engine's words where it decides.
    await expectRejected(teacher, () => teacher.send('inject', { command: { type: 'tick' } }), 'bad-message');
    await expectRejected(teacher, () => teacher.send('inject', { command: { type: 'crash', node: 7 } }), 'unknown-node');
    await expectRejected(teacher, () => teacher.send('autopilot', { node: 8, on: true }), 'bad-seat');
    await expectRejected(teacher, () => teacher.send('setup', { protocol: 'paxos', nodes: 3 }), 'wrong-phase');
    await expectRejected(teacher, () => teacher.send('resume', { extra: 1 }), 'bad-message');
    await expectRejected(teacher, () => teacher.send('act', { seq: 1, action: { kind: 'vote' } }), 'not-allowed');

    await sleep(100);
    expect(god(teacher).step).toBe(step);
    expect(mal.left).toBeNull();
    expect(bob.got.rejected.length).toBe(bobRejections);
    expect(teacher.got.rejected.length).toBe(teacherRejections + 6);

    // Still connected and still able to play: a legal move goes through.
    teacher.send('resume', {});
    teacher.send('inject', { command: { type: 'propose', node: 0, decree: 'X' } });
    await until(() => (mal.lastView!.view as NodeView).legal.some((a) => a.kind === 'vote' || a.kind === 'putForward'), 'a legal move', 5000);
    const move = (mal.lastView!.view as NodeView).legal.find((a) => a.kind === 'vote' || a.kind === 'putForward')!;
    mal.seq = 100;
    const seq = mal.act(move);
    await until(() => mal.got.accepted.some((a) => a.seq === seq) || mal.got.rejected.some((r) => r.seq === seq), 'answer');
    expect(mal.got.accepted.some((a) => a.seq === seq)).toBe(true);
    const mallory = () => teacher.got.roster.at(-1)!.students.find((s) => s.nickname === 'Mallory')!;
    await until(() => mallory().rejections > 20, 'rejections in the roster');
    for (const p of [teacher, mal, bob, seatless]) await p.leave();
  });

  it('disconnects a client that floods, and only that client', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    const flood = await joinStudent(server.url, code, 'Flood');
    const calm = await joinStudent(server.url, code, 'Calm');
    await until(() => flood.got.welcome.length > 0 && calm.got.welcome.length > 0, 'joined');
    for (let i = 0; i < 80; i++) flood.send('nothing', {});
    await until(() => flood.left !== null, 'flooder disconnected');
    expect(flood.got.rejected.some((r) => r.code === 'too-many-messages')).toBe(true);
    await sleep(200);
    expect(calm.left).toBeNull();
    expect(teacher.left).toBeNull();
    await until(() => !teacher.got.roster.at(-1)!.students.some((s) => s.nickname === 'Flood'), 'flooder removed');
    // Thirty messages in a second are fine.
    for (let i = 0; i < 25; i++) calm.send('nothing', {});
    await until(() => calm.got.rejected.length >= 25, 'answers');
    expect(calm.left).toBeNull();
    for (const p of [teacher, calm]) await p.leave();
  });
});

describe('reconnection', () => {
  it('keeps seat and node through a drop, sends the current view on return, and applies an action exactly once', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0], decrees: ['X'] });
    const ada = await joinStudent(server.url, code, 'Ada');
    ada.room.reconnection.minUptime = 0;
    ada.room.reconnection.minDelay = 50;
    ada.room.reconnection.delay = 50;
    await until(() => ada.got.welcome.length > 0, 'joined');
    teacher.send('start', {});
    await until(() => (ada.lastView!.view as NodeView).legal.length > 0, 'a legal move', 10_000);
    const move = (ada.lastView!.view as NodeView).legal[0]!;

    // The action leaves just before the connection drops; the client does not know whether it arrived.
    const seq = ada.act(move);
    const ws = (ada.room.connection.transport as unknown as { ws: { terminate(): void } }).ws;
    await sleep(30);
    ws.terminate();
    await until(() => teacher.got.roster.at(-1)!.students.some((s) => s.nickname === 'Ada' && !s.connected), 'drop seen');
    expect(teacher.got.roster.at(-1)!.seats[0]!.nickname).toBe('Ada');
    const views = ada.got.view.length;
    await until(() => teacher.got.roster.at(-1)!.students.some((s) => s.nickname === 'Ada' && s.connected), 'reconnected', 10_000);
    await until(() => ada.got.view.length > views, 'current view after reconnecting');
    expect(ada.got.welcome.at(-1)!.node).toBe(0);
    expect(ada.lastView!.lastSeq).toBe(seq);
    expect(ada.got.accepted.map((a) => a.seq)).toEqual([seq]);

    // Sent again after the reconnection, the same action is not applied twice.
    ada.room.send('act', { seq, action: move });
    await until(() => ada.got.rejected.some((r) => r.seq === seq), 'repeat refused');
    expect(ada.got.rejected.find((r) => r.seq === seq)!.code).toBe('stale-seq');
    const acts = god(teacher).global.boxes.flatMap((b) => b.voters).filter((v) => v === 0).length;
    const roundId = teacher.lastView!.round.id!;
    teacher.send('endRound', {});
    await until(() => teacher.got.reveal.length > 0, 'reveal');
    const doc = (await (await fetch(`${server.url}/api/rounds/${roundId}`)).json()) as { log: { type: string; node?: number }[] };
    expect(doc.log.filter((c) => c.type === 'act' && c.node === 0)).toHaveLength(1);
    expect(acts).toBeLessThanOrEqual(1);
    for (const p of [teacher, ada]) await p.leave();
  });
});
