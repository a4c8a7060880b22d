/**
 * A student plays in a class over real sockets and keeps every frame it receives; nothing in them,
 * nor anything it can fetch over HTTP while the round runs, may tell it another node's private state
 * or the contents of a message between two other nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botDecide, parseRound, Rng, type GodView, type NodeView } from '../../shared';
import type { ServerMessages, ViewFrame, ViewMessage } from '../../shared/wire/messages';
import { ViewAssembler } from '../../shared/wire/viewPatch';
import { createClass, joinInstructor, joinSolo, joinStudent, until, type Player, type TestServer, startTestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ tickMs: 40 });
});
afterAll(async () => {
  await server.stop();
});

/** Plays the student's node as a faithful player would, from its own view only. */
function playByScript(player: Player, seed: number): () => void {
  const rng = Rng.fromSeed(seed);
  let seen = 0;
  let lastNow = -1;
  let latest: { view: NodeView; phase: string } | null = null;
  const timer = setInterval(() => {
    while (seen < player.all.length) {
      const { type, message } = player.all[seen++]!;
      if (type === 'view') latest = { view: (message as ViewMessage).view as NodeView, phase: (message as ViewMessage).round.phase };
      else if (type === 'clock' && latest) {
        const clock = message as ServerMessages['clock'];
        latest = { view: { ...latest.view, now: clock.tick }, phase: clock.phase };
      } else continue;
      if (latest.phase !== 'running' || latest.view.now === lastNow) continue;
      lastNow = latest.view.now;
      const command = botDecide('faithful', latest.view, rng, false);
      if (command?.type === 'act') player.act(command.action);
    }
  }, 5);
  return () => clearInterval(timer);
}

/** Every object anywhere inside a value, the value itself first. */
function* objectsIn(value: unknown): Generator<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return;
  if (!Array.isArray(value)) yield value as Record<string, unknown>;
  for (const inner of Object.values(value)) yield* objectsIn(inner);
}

const getRound = (id: string, key?: string): Promise<Response> =>
  fetch(`${server.url}/api/rounds/${id}`, key === undefined ? {} : { headers: { 'x-instructor-key': key } });

async function expectRefused(res: Response, why: RegExp): Promise<void> {
  expect(res.status).toBe(403);
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatch(why);
}

/**
 * Checks every frame a student received before the reveal (which shows everything, by design):
 * only its own node's state, and message contents only of messages it sent or that are addressed
 * to it. `god` is what the instructor saw meanwhile: the messages and states it must not learn.
 */
function expectNoLeak(student: Player, node: number, god: GodView[]): void {
  const revealAt = student.frames.findIndex((f) => f.type === 'reveal');
  expect(revealAt).toBeGreaterThan(0);
  const frames = student.frames.slice(0, revealAt);

  // What the student must not learn: messages between two other nodes, and other nodes' states that it never had itself.
  const othersMessages = new Map<number, unknown>();
  const ownStates = new Set<string>();
  const othersStates = new Set<string>();
  for (const view of god) {
    for (const m of view.inFlight) if (m.from !== node && m.to !== node) othersMessages.set(m.id, m.payload);
    for (const n of view.nodes) for (const state of [n.durable, n.volatile]) (n.id === node ? ownStates : othersStates).add(JSON.stringify(state));
  }
  for (const state of ownStates) othersStates.delete(state);
  expect(othersMessages.size).toBeGreaterThan(3);
  expect(othersStates.size).toBeGreaterThan(3);

  const views = new ViewAssembler();
  let anonymousSeen = 0;
  for (const { type, message } of frames) {
    expect(['welcome', 'view', 'clock', 'rejected']).toContain(type);
    if (type === 'clock') expect(Object.keys(message as object).sort()).toEqual(['phase', 'tick']);
    const text = JSON.stringify(message);
    for (const state of othersStates) expect(text).not.toContain(state);
    for (const o of objectsIn(message)) {
      expect(o.kind).not.toBe('god');
      for (const key of ['global', 'boxes', 'seed', 'durable', 'volatile']) {
        // A node's own state may travel, inside its own view or patch; nothing else of that kind.
        if (key in o && (key === 'durable' || key === 'volatile') && (o.id === undefined || o.id === node)) continue;
        expect(Object.keys(o)).not.toContain(key);
      }
      if (typeof o.from === 'number' && typeof o.to === 'number' && 'payload' in o && o.from !== node && o.to !== node) {
        expect([o.payload, o.label ?? null]).toEqual([null, null]);
        if (typeof o.id === 'number' && othersMessages.has(o.id)) anonymousSeen += 1;
      }
    }
    if (type !== 'view') continue;
    const { view, events } = views.accept(message as ViewFrame);
    const mine = view as NodeView;
    expect(mine.kind).toBe('node');
    expect(mine.node).toBe(node);
    expect(mine.self.id).toBe(node);
    for (const peer of mine.peers) expect(Object.keys(peer).sort()).toEqual(['id', 'name', 'role']);
    for (const entry of mine.inbox) expect(entry.to).toBe(node);
    for (const m of mine.inFlight) if (m.from !== node && m.to !== node) expect([m.payload, m.label]).toEqual([null, null]);
    for (const event of events) {
      expect(event.visibleTo === 'all' || (Array.isArray(event.visibleTo) && event.visibleTo.includes(node))).toBe(true);
      if (event.message) expect([event.message.from, event.message.to]).toContain(node);
    }
  }
  // The student did see other nodes' messages go by (so the checks above had something to catch), without their contents.
  expect(anonymousSeen).toBeGreaterThan(0);
}

describe('a student in a class', () => {
  it('learns nothing private of other nodes: not over its socket, not from the running round\'s document', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const other = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    // Sandbox: the round runs until the instructor ends it, so it is surely still running when the student asks.
    teacher.send('setup', { protocol: 'paxos', nodes: 5, studentSeats: [0, 1], sandbox: true, latencyMin: 3, latencyMax: 8 });
    await until(() => teacher.lastView?.round.protocol === 'paxos', 'setup');
    const ann = await joinStudent(server.url, code, 'Ann');
    const ben = await joinStudent(server.url, code, 'Ben');
    await until(() => ann.got.welcome.some((w) => w.node === 0) && ben.got.welcome.some((w) => w.node === 1), 'seated');
    // A round being set up has no id yet: there is nothing to fetch.
    expect(ann.lastView!.round).toMatchObject({ phase: 'setup', id: null });

    const stops = [playByScript(ann, 1), playByScript(ben, 2)];
    teacher.send('start', {});
    // A bot proposes too, so that messages pass between nodes other than Ann.
    await until(() => teacher.lastView?.round.phase === 'running', 'running');
    teacher.send('inject', { command: { type: 'propose', node: 3, decree: 'Z' } });
    await until(() => (teacher.lastView!.view as GodView).step > 60 && ann.lastView?.round.id !== null, 'a round under way', 20_000);

    // The id every view carries does not open the running round.
    const id = ann.lastView!.round.id!;
    expect(ann.lastView!.round.phase).toBe('running');
    expect(server.store.roundState(id)).toBe('running');
    await expectRefused(await getRound(id), /still being played: until it ends, only its class's instructor/);
    await expectRefused(await getRound(id, 'a-guess-at-the-key'), /still being played/);
    await expectRefused(await getRound(id, other.instructorKey), /still being played/);
    // Its instructor may read it.
    const live = await getRound(id, instructorKey);
    expect(live.status).toBe(200);
    expect(live.headers.get('cache-control')).toBe('no-store');
    const liveDoc = parseRound(await live.json());
    expect(liveDoc.ok && liveDoc.round.log.length).toBeGreaterThan(60);

    // Paused, it is still being played.
    teacher.send('pause', {});
    await until(() => ann.lastView?.round.phase === 'paused', 'paused');
    await expectRefused(await getRound(id), /still being played/);
    teacher.send('resume', {});
    await until(() => ann.lastView?.round.phase === 'running', 'resumed');
    await until(() => (teacher.lastView!.view as GodView).step > 120, 'more of the round', 20_000);

    teacher.send('endRound', {});
    await until(() => ann.got.reveal.length > 0 && teacher.got.reveal.length > 0, 'reveal');
    stops.forEach((stop) => stop());

    // Once it has ended, anyone with the id may replay it: the reveal shows everything anyway.
    const ended = await getRound(id);
    expect(ended.status).toBe(200);
    const doc = parseRound(await ended.json());
    expect(doc.ok).toBe(true);
    if (doc.ok && liveDoc.ok) expect(doc.round.log.slice(0, liveDoc.round.log.length)).toEqual(liveDoc.round.log);

    const god = teacher.all.filter((m) => m.type === 'view').map((m) => (m.message as ViewMessage).view as GodView);
    expectNoLeak(ann, 0, god);
    expectNoLeak(ben, 1, god);
    expect(ann.got.accepted.length).toBeGreaterThan(0);
    for (const p of [teacher, ann, ben]) await p.leave();
  });

  it('cannot read a solo round until it has ended, since no one holds a key to it', async () => {
    const solo = await joinSolo(server.url, 'majority', 3);
    await until(() => solo.lastView?.round.id != null && solo.lastView.round.phase === 'running', 'running');
    const id = solo.lastView!.round.id!;
    await expectRefused(await getRound(id), /still being played: it can be read once it has ended/);
    solo.send('endRound', {});
    await until(() => solo.got.reveal.length > 0, 'reveal');
    expect((await getRound(id)).status).toBe(200);
    await solo.leave();
  });
});
