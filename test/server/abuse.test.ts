/**
 * Bad frames, floods and dropped connections over real sockets: the frames Colyseus would choke on,
 * a client disconnected for flooding, and a reconnection with the SDK's token. What the room does
 * with each message is tested on the room core (test/server/core/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodView, NodeView } from '../../shared';
import { MAX_CLIENT_MESSAGE_BYTES } from '../../shared/wire/messages';
import { Protocol } from '@colyseus/core';
import { readFrame } from '../../server/gate';
import { dataFrame } from './frames';
import { createClass, joinInstructor, joinStudent, startTestServer, until, type Player, type TestServer } from './helpers';

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
  expect(p.got.rejected.slice(before).map((r) => r.code)).toEqual([code]);
  expect(p.got.rejected[before]!.message.length).toBeGreaterThan(5);
}

describe('frames', () => {
  it('are read as a message, the transport\'s own, or refused with the reason', () => {
    expect(readFrame(Buffer.from(dataFrame('act', { seq: 1, action: { kind: 'vote' } })))).toEqual({ kind: 'message', type: 'act', payload: { seq: 1, action: { kind: 'vote' } } });
    expect(readFrame(Buffer.from(dataFrame('start')))).toEqual({ kind: 'message', type: 'start', payload: undefined });
    expect(readFrame(Buffer.alloc(MAX_CLIENT_MESSAGE_BYTES + 1, 13))).toMatchObject({ kind: 'unreadable', code: 'too-large' });
    expect(readFrame(Buffer.from(dataFrame('act', { seq: 60, action: { kind: 'vote' } }).subarray(0, 12)))).toMatchObject({ kind: 'unreadable', code: 'malformed' });
    expect(readFrame(Buffer.from([13, 0xd9]))).toMatchObject({ code: 'malformed' });
    expect(readFrame(Buffer.from([31, 1, 2, 3]))).toMatchObject({ code: 'malformed' });
    expect(readFrame(Buffer.from([21, 1, 3, 0x61, 0x63, 0x74]))).toMatchObject({ code: 'unsupported' });
    for (const code of [Protocol.JOIN_ROOM, Protocol.PING, Protocol.LEAVE_ROOM]) expect(readFrame(Buffer.from([code]))).toEqual({ kind: 'transport' });
  });

  it('that do not decode are answered with `rejected` to their sender, who stays connected and can play on', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [0, 1], decrees: ['X'] });
    const mal = await joinStudent(server.url, code, 'Mallory');
    const bob = await joinStudent(server.url, code, 'Bob');
    await until(() => mal.got.welcome.length > 0 && bob.got.welcome.length > 0 && teacher.lastView?.round.protocol === 'majority', 'joined');
    teacher.send('start', {});
    teacher.send('pause', {});
    await until(() => teacher.lastView?.round.phase === 'paused', 'paused');
    const step = god(teacher).step;

    await expectRejected(mal, () => raw(mal, new Uint8Array(MAX_CLIENT_MESSAGE_BYTES + 1).fill(13)), 'too-large');
    await expectRejected(mal, () => raw(mal, dataFrame('act', { seq: 60, action: { kind: 'vote', decree: 'X' } }).subarray(0, 12)), 'malformed');
    await expectRejected(mal, () => raw(mal, new Uint8Array([13, 0xd9])), 'malformed');
    await expectRejected(mal, () => raw(mal, new Uint8Array([31, 1, 2, 3])), 'malformed');
    await expectRejected(mal, () => raw(mal, new Uint8Array([21, 1, 3, 0x61, 0x63, 0x74])), 'unsupported');
    await expectRejected(mal, () => mal.send('noSuchType', { a: 1 }), 'unknown-type');
    await expectRejected(mal, () => mal.send('start', {}), 'not-allowed');

    expect(god(teacher).step).toBe(step);
    expect(mal.left).toBeNull();
    expect(bob.got.rejected).toHaveLength(0);

    // Still connected and still able to play: a legal move goes through.
    teacher.send('resume', {});
    teacher.send('inject', { command: { type: 'propose', node: 0, decree: 'X' } });
    await until(() => (mal.lastView!.view as NodeView).legal.some((a) => a.kind === 'vote'), 'a legal move', 5000);
    const seq = mal.act((mal.lastView!.view as NodeView).legal.find((a) => a.kind === 'vote')!);
    await until(() => mal.got.accepted.some((a) => a.seq === seq), 'accepted');
    const mallory = () => teacher.got.roster.at(-1)!.students.find((s) => s.nickname === 'Mallory')!;
    await until(() => mallory().rejections === 7, 'rejections in the roster');
    for (const p of [teacher, mal, bob]) await p.leave();
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
    await until(() => !teacher.got.roster.at(-1)!.students.some((s) => s.nickname === 'Flood'), 'flooder removed');
    // The others are still served.
    await expectRejected(calm, () => calm.send('nothing', {}), 'unknown-type');
    expect([calm.left, teacher.left]).toEqual([null, null]);
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

    const seq = ada.act(move);
    await until(() => ada.got.accepted.length > 0, 'applied');
    // The connection drops; the SDK reconnects with its token.
    (ada.room.connection.transport as unknown as { ws: { terminate(): void } }).ws.terminate();
    await until(() => teacher.got.roster.at(-1)!.students.some((s) => s.nickname === 'Ada' && !s.connected), 'drop seen');
    expect(teacher.got.roster.at(-1)!.seats[0]!.nickname).toBe('Ada');
    const views = ada.got.view.length;
    await until(() => teacher.got.roster.at(-1)!.students.some((s) => s.nickname === 'Ada' && s.connected), 'reconnected', 10_000);
    await until(() => ada.got.view.length > views, 'current view after reconnecting');
    expect(ada.got.welcome.at(-1)!.node).toBe(0);
    expect(ada.lastView!.lastSeq).toBe(seq);

    // Sent again after the reconnection, the same action is not applied twice.
    ada.room.send('act', { seq, action: move });
    await until(() => ada.got.rejected.some((r) => r.seq === seq), 'repeat refused');
    expect(ada.got.rejected.find((r) => r.seq === seq)!.code).toBe('stale-seq');
    const roundId = teacher.lastView!.round.id!;
    teacher.send('endRound', {});
    await until(() => teacher.got.reveal.length > 0, 'reveal');
    const doc = (await (await fetch(`${server.url}/api/rounds/${roundId}`)).json()) as { log: { type: string; node?: number; action?: unknown }[] };
    expect(doc.log.filter((c) => c.type === 'act' && c.node === 0 && JSON.stringify(c.action) === JSON.stringify(move))).toHaveLength(1);
    for (const p of [teacher, ada]) await p.leave();
  });
});
