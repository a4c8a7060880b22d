import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botDecide, parseRound, replay, roundStatus, Rng, type NodeView, type RoundDocument } from '../../shared';
import type { ServerMessages, ViewFrame, ViewMessage } from '../../shared/wire/messages';
import { classProtocols } from '../engine/helpers';
import { createClass, joinInstructor, joinSolo, joinStudent, until, type Player, type TestServer, startTestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ tickMs: 40 });
});
afterAll(async () => {
  await server.stop();
});

/**
 * A scripted player: on each new tick it picks a move from its latest view's legal actions, as a
 * faithful player would. A `clock` message moves the time of the latest view, as it does in the client.
 */
function playByScript(player: Player, seed: number): () => void {
  const rng = Rng.fromSeed(seed);
  let lastNow = -1;
  let seen = 0;
  let latest: { view: NodeView; phase: string } | null = null;
  const timer = setInterval(() => {
    while (seen < player.all.length) {
      const { type, message } = player.all[seen++]!;
      if (type === 'view') {
        const m = message as ViewMessage;
        latest = { view: m.view as NodeView, phase: m.round.phase };
      } else if (type === 'clock' && latest) {
        const m = message as ServerMessages['clock'];
        latest = { view: { ...latest.view, now: m.tick }, phase: m.phase };
      } else continue;
      if (latest.phase !== 'running' || latest.view.now === lastNow) continue;
      lastNow = latest.view.now;
      const command = botDecide('faithful', latest.view, rng, false);
      if (command && command.type === 'act') player.act(command.action);
    }
  }, 5);
  return () => clearInterval(timer);
}

async function fetchRound(id: string): Promise<RoundDocument> {
  const res = await fetch(`${server.url}/api/rounds/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as RoundDocument;
}

/** Whatever a student receives must concern its own node only. */
function expectPrivate(player: Player, node: number): void {
  for (const { type, message } of player.all) {
    if (type === 'reveal') continue;
    const json = JSON.stringify(message);
    expect(json).not.toContain('"kind":"god"');
    expect(json).not.toContain('"global"');
    expect(json).not.toContain('"boxes"');
    if (type !== 'view') continue;
    const { view, events } = message as ViewMessage;
    const mine = view as NodeView;
    expect(mine.kind).toBe('node');
    expect(mine.node).toBe(node);
    expect(mine.self.id).toBe(node);
    for (const peer of mine.peers) expect(Object.keys(peer).sort()).toEqual(['id', 'name', 'role']);
    for (const entry of mine.inbox) expect(entry.to).toBe(node);
    for (const m of mine.inFlight) {
      if (m.from !== node && m.to !== node) {
        expect(m.payload).toBeNull();
        expect(m.label).toBeNull();
      }
    }
    for (const event of events) {
      expect(event.visibleTo === 'all' || (Array.isArray(event.visibleTo) && event.visibleTo.includes(node))).toBe(true);
      if (event.message) expect([event.message.from, event.message.to]).toContain(node);
    }
  }
  // The frames themselves: a patch carries only parts of the same node's view.
  let patches = 0;
  for (const { type, message } of player.frames) {
    if (type !== 'view') continue;
    const frame = message as ViewFrame;
    if (!frame.patch) continue;
    patches += 1;
    for (const key of Object.keys(frame.patch)) expect(['add', 'drop', 'inbox', 'self', 'set']).toContain(key);
    // The node's own state changes field by field; its id never does.
    expect(frame.patch.self?.set ?? {}).not.toHaveProperty('id');
    for (const entry of frame.patch.inbox ?? []) if (!Array.isArray(entry)) expect(entry.to).toBe(node);
    for (const m of frame.patch.add ?? []) if (m.from !== node && m.to !== node) expect([m.payload, m.label]).toEqual([null, null]);
  }
  expect(patches).toBeGreaterThan(0);
}

describe('full rounds played by scripted clients', () => {
  // A class may play every protocol but those played only in their lesson.
  for (const protocol of classProtocols()) {
    it(`plays a ${protocol} round to its end with every seat human, keeps each student's view private, and stores the round`, async () => {
      const { code, instructorKey } = await createClass(server.url);
      const teacher = await joinInstructor(server.url, code, instructorKey);
      teacher.send('setup', { protocol, nodes: 3, speed: 1 });
      await until(() => teacher.lastView?.round.protocol === protocol, 'setup');
      const students: Player[] = [];
      for (const name of ['Ann', 'Ben', 'Cal']) students.push(await joinStudent(server.url, code, name));
      await until(() => students.every((s) => s.got.welcome.length > 0 && s.got.view.length > 0), 'students seated');
      const stops = students.map((s, i) => playByScript(s, 100 + i));
      teacher.send('start', {});
      await until(() => students.every((s) => s.got.reveal.length > 0) && teacher.got.reveal.length > 0, 'reveal', 30_000);
      stops.forEach((stop) => stop());

      const reveal = teacher.got.reveal[0]!;
      expect(reveal.roundId).toBeTruthy();
      expect(students.every((s) => s.got.reveal[0]!.roundId === reveal.roundId)).toBe(true);
      expect(reveal.god.status.decided || reveal.god.status.stuck).toBe(true);
      // Every seat was human: every act in the log came from a student's message.
      const accepted = students.reduce((n, s) => n + s.got.accepted.length, 0);
      const doc = await fetchRound(reveal.roundId!);
      const acts = doc.log.filter((c) => c.type === 'act');
      expect(acts.length).toBe(accepted);
      expect(accepted).toBeGreaterThan(0);
      expect(doc.meta.players?.map((p) => p.nickname).sort()).toEqual(['Ann', 'Ben', 'Cal']);
      expect(doc.meta.outcome).toBe(reveal.outcome);
      const parsed = parseRound(doc);
      expect(parsed.ok).toBe(true);
      const worlds = replay(doc.config, doc.log);
      expect(roundStatus(worlds.at(-1)!).outcome).toBe(reveal.outcome);
      students.forEach((s, i) => expectPrivate(s, s.got.welcome[0]!.node!));
      expect(students.map((s) => s.got.welcome[0]!.node)).toEqual([0, 1, 2]);
      for (const p of [teacher, ...students]) await p.leave();
    });
  }
});

describe('solo', () => {
  it('starts at once with the chosen protocol and N, the player on node A and bots elsewhere', async () => {
    const solo = await joinSolo(server.url, 'majority', 4);
    await until(() => solo.got.view.some((v) => v.round.phase === 'running'), 'running');
    expect(solo.got.welcome[0]).toMatchObject({ role: 'solo', node: 0, classCode: null });
    const view = solo.lastView!;
    expect(view.round).toMatchObject({ protocol: 'majority', nodes: 4 });
    const stop = playByScript(solo, 7);
    await until(() => solo.got.reveal.length > 0, 'reveal', 30_000);
    stop();
    expectPrivate(solo, 0);
    const doc = await fetchRound(solo.got.reveal[0]!.roundId!);
    expect(doc.meta.classCode).toBeUndefined();
    solo.send('nextRound', {});
    await until(() => solo.lastView?.round.phase === 'setup', 'next round set up');
    solo.send('kick', { nickname: 'x', reason: '' });
    await until(() => solo.got.rejected.length > 0, 'kick refused');
    expect(solo.got.rejected[0]!.code).toBe('not-allowed');
    await solo.leave();
  });

  it('refuses bad solo options', async () => {
    await expect(joinSolo(server.url, 'zab', 3)).rejects.toThrow(/protocol must be one of/);
    await expect(joinSolo(server.url, 'paxos', 12)).rejects.toThrow(/nodes must be from 1 to 9/);
  });
});
